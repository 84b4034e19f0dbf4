package io.stare.bench.cli;

import io.stare.bench.state.StateBench;
import io.stare.deploy.cli.UserInputException;
import io.stare.state.store.StateStores;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code stare bench state}: the state API's figures ({@link StateBench}); docs/state-api.md. */
@Command(name = "state", mixinStandardHelpOptions = true,
        description = "The state API: a counter's updates per second, sync against async, on each driver "
                + "(memory, and Redis and PostgreSQL where they run on loopback); getGlobal's latency against 2, 4, 8 "
                + "and 16 instances over STARE, request/reply and a central Redis, in one run. See docs/state-api.md.")
public final class StateCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "short points and fewer reads: a smoke run of under a minute")
    boolean quick;

    @Option(names = "--drivers", split = ",", paramLabel = "LABEL",
            description = "the drivers of part 1 (default: memory,redis,postgres; one absent here is skipped)")
    List<String> drivers = List.of("memory", "redis", "postgres");

    @Option(names = "--instances", split = ",", paramLabel = "N",
            description = "the instance counts of part 2 (default: 2,4,8,16; with --quick 2,4)")
    List<Integer> instances;

    @Override
    public void run() {
        PrintWriter out = spec.commandLine().getOut();
        Set<String> known = StateStores.drivers().keySet();
        for (String driver : drivers) {
            if (!known.contains(driver)) {
                throw new UserInputException("--drivers: no driver '" + driver + "'; there are: "
                        + String.join(", ", known));
            }
        }
        List<Integer> counts = instances != null ? instances : quick ? List.of(2, 4) : List.of(2, 4, 8, 16);
        for (int n : counts) {
            if (n < 2 || n > 64) {
                throw new UserInputException("--instances: " + n + " is out of range 2..64");
            }
        }
        StateBench.Settings settings = quick
                ? new StateBench.Settings(drivers, Duration.ofSeconds(1), Duration.ofSeconds(1), counts, 50, 100)
                : new StateBench.Settings(drivers, Duration.ofSeconds(3), Duration.ofSeconds(5), counts, 500, 100);
        try {
            StateBench.run(settings, out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (Exception e) {
            throw new IllegalStateException("stare bench state failed: " + e, e);
        }
    }
}
