package io.stare.deploy.ids;

import io.stare.deploy.cli.CliParsing;
import io.stare.deploy.cli.UserInputException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code stare demo ids}: E-State's IDS scale-out and scale-in ({@link IdsDemo}). */
@Command(name = "ids", mixinStandardHelpOptions = true,
        description = {"E-State's IDS experiment on the embedded fabric: instance 0 counts attack-signature matches "
                + "per flow; a third of the way in, instance 1 starts and half the flows move to it; two thirds in, "
                + "they move back and instance 1 leaves. Each second the traffic pauses and the match count each "
                + "flow's instance sees is summed: with E-State over STARE (every instance's counts) and with a "
                + "baseline that shares nothing. Exits 1 if E-State's count ever differs from the ground truth."})
public final class IdsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "30s",
            description = "how long, one sample a second, at least 3s (default: ${DEFAULT-VALUE})")
    String duration;

    @Option(names = "--rate", paramLabel = "N", defaultValue = "2000",
            description = "packets per second (default: ${DEFAULT-VALUE})")
    int rate;

    @Option(names = "--flows", paramLabel = "N", defaultValue = "32", description = "flows (default: ${DEFAULT-VALUE})")
    int flows;

    @Option(names = "--attacks", paramLabel = "SHARE", defaultValue = "0.05",
            description = "share of packets carrying a signature (default: ${DEFAULT-VALUE})")
    double attacks;

    @Option(names = "--seed", defaultValue = "1", description = "the traffic's seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--csv", paramLabel = "FILE", description = "write the samples as CSV")
    Path csv;

    @Option(names = "--plot", paramLabel = "FILE.svg", description = "draw the samples as an SVG plot")
    Path plot;

    @Override
    public Integer call() throws Exception {
        Duration length = CliParsing.duration("--duration", duration);
        if (length.toSeconds() < 3) {
            throw new UserInputException("--duration must be at least 3s (one sample a second: before, during and "
                    + "after the scale-out)");
        }
        if (rate < 1 || flows < 2 || attacks <= 0 || attacks > 1) {
            throw new UserInputException("--rate must be positive, --flows at least 2, --attacks in (0, 1]");
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("IDS on the embedded fabric: " + flows + " flows, " + rate + " packets/s, "
                + Math.round(attacks * 100) + " % carrying a signature, " + length.toSeconds() + " s");
        out.flush();
        List<IdsDemo.Sample> samples = IdsDemo.run(new IdsDemo.Settings((int) length.toSeconds(), rate, flows, attacks,
                seed), out);
        long wrong = samples.stream().filter(s -> s.shared() != s.truth()).count();
        IdsDemo.Sample last = samples.get(samples.size() - 1);
        long lostAtMost = samples.stream().mapToLong(s -> s.truth() - s.baseline()).max().orElse(0);
        out.println(wrong == 0
                ? "E-State over STARE: the match count equals the ground truth at all " + samples.size() + " samples"
                : "E-State over STARE: the match count differs from the ground truth at " + wrong + " of "
                        + samples.size() + " samples");
        out.println("baseline without state sharing: " + (last.truth() - last.baseline()) + " of " + last.truth()
                + " matches lost at the end (at most " + lostAtMost + ")");
        if (csv != null) {
            Files.writeString(csv, csv(samples));
            out.println("samples written to " + csv);
        }
        if (plot != null) {
            Files.writeString(plot, IdsPlot.svg(samples));
            out.println("plot written to " + plot);
        }
        out.flush();
        return wrong == 0 ? 0 : 1;
    }

    static String csv(List<IdsDemo.Sample> samples) {
        StringBuilder out = new StringBuilder("seconds,instances,truth,estate,baseline,phase\n");
        for (IdsDemo.Sample s : samples) {
            out.append(String.format(Locale.ROOT, "%.1f,%d,%d,%d,%d,%s%n", s.seconds(), s.instances(), s.truth(),
                    s.shared(), s.baseline(), s.phase().replace(',', ';')));
        }
        return out.toString();
    }
}
