package io.stare.bench.cli;

import io.stare.bench.faults.FaultScenario;
import io.stare.bench.faults.ScenarioUnavailable;
import io.stare.bench.faults.SequenceCheck;
import io.stare.deploy.cli.UserInputException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code stare bench faults}: the fault suite. STARE runs as separate processes on loopback (a
 * controller node, a software switch, three middlewares); a publisher streams a known sequence, two
 * subscribers check it, and each scenario injects one fault. Prints, per scenario and subscriber,
 * what arrived and how. See docs/operations.md.
 */
@Command(name = "faults", mixinStandardHelpOptions = true,
        description = "Fault suite: STARE as separate processes, a known sequence published at --rate, one "
                + "fault per scenario; prints per subscriber delivered / lost silently / lost with notice / "
                + "duplicated / reordered / corrupted, and how long the faulty role took to come back. "
                + "See docs/operations.md.")
public final class FaultsCommand implements java.util.concurrent.Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--scenarios", split = ",", paramLabel = "LIST",
            description = "of publisher-middleware-killed,subscriber-middleware-killed,controller-node-killed,switch-killed,switch-port-takeover,postgres-restarted,links-lose-1,links-lose-5,links-lose-20,junk-flood (default: all)")
    List<String> scenarios;

    @Option(names = "--rate", defaultValue = "200", paramLabel = "N", description = "publishes per second "
            + "(default: ${DEFAULT-VALUE})")
    int rate;

    @Option(names = "--before", defaultValue = "1000", paramLabel = "N",
            description = "acknowledged publishes before the fault (default: ${DEFAULT-VALUE})")
    int before;

    @Option(names = "--after", defaultValue = "2000", paramLabel = "N",
            description = "acknowledged publishes after the role is back (default: ${DEFAULT-VALUE})")
    int after;

    @Option(names = "--dir", defaultValue = "bench-results/faults", paramLabel = "DIR",
            description = "where the roles run and log, a directory per scenario (default: ${DEFAULT-VALUE})")
    Path dir;

    /** Exits 1 when some scenario lost, repeated, reordered or corrupted an update, or left one owed. */
    @Override
    public Integer call() {
        if (rate < 1 || before < 1 || after < 1) {
            throw new UserInputException("--rate, --before and --after must be positive");
        }
        PrintWriter out = spec.commandLine().getOut();
        List<FaultScenario> chosen = new ArrayList<>();
        for (String name : scenarios == null ? names() : scenarios) {
            try {
                chosen.add(FaultScenario.valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_')));
            } catch (IllegalArgumentException e) {
                throw new UserInputException("unknown scenario '" + name + "'; scenarios: " + String.join(",", names()));
            }
        }
        out.printf("%-46s %-10s %9s %9s %9s %6s %6s %6s %9s %9s %9s %9s %9s %7s %7s%n", "scenario", "subscriber",
                "delivered", "silent", "notice", "dup", "reord", "corr", "back in", "pause", "p50 first", "p50 last",
                "rec last", "junk", "owed");
        boolean clean = true;
        for (FaultScenario scenario : chosen) {
            out.println("running: " + scenario.description() + " (" + rate + "/s, " + before + " before, " + after
                    + " after)");
            out.flush();
            FaultScenario.Outcome outcome;
            try {
                outcome = scenario.run(dir.resolve(scenario.name().toLowerCase(Locale.ROOT).replace('_', '-')), rate,
                        before, after);
            } catch (ScenarioUnavailable e) {
                out.println("skipped: " + scenario.description() + ": " + e.getMessage());
                out.flush();
                continue;
            } catch (Exception e) {
                throw new IllegalStateException(scenario.description() + " failed to run: " + e.getMessage(), e);
            }
            for (Map.Entry<String, SequenceCheck.Tally> entry : outcome.tallies().entrySet()) {
                SequenceCheck.Tally t = entry.getValue();
                out.printf("%-46s %-10s %9d %9d %9d %6d %6d %6d %7.1f s %7.1f s %6.1f ms %6.1f ms %9d %7d %7d%n",
                        scenario.description(), entry.getKey(), t.delivered(), t.lostSilently(), t.lostWithNotice(),
                        t.duplicated(), t.reordered(), t.corrupted(), outcome.back().toMillis() / 1000.0,
                        outcome.longestPause().toMillis() / 1000.0, outcome.firstLatency().toNanos() / 1e6,
                        outcome.lastLatency().toNanos() / 1e6, outcome.recoveredAtTheEnd(), outcome.junk(),
                        outcome.unconfirmedAtTheEnd());
            }
            clean &= outcome.nothingLost();
            out.flush();
        }
        out.println(clean ? "every acknowledged update delivered once and in order, none owed"
                : "FAULTS: some update was lost (silently or with a notice), repeated, reordered, corrupted or left "
                        + "unconfirmed by the backlog (see above)");
        out.flush();
        return clean ? 0 : 1;
    }

    private static List<String> names() {
        List<String> names = new ArrayList<>();
        for (FaultScenario scenario : FaultScenario.values()) {
            names.add(scenario.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        return names;
    }
}
