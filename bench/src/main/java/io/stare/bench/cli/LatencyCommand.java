package io.stare.bench.cli;

import io.stare.bench.latency.LatencyBenchmark;
import io.stare.bench.latency.LatencyPlots;
import io.stare.bench.latency.LatencyReport;
import io.stare.bench.latency.Systems;
import io.stare.deploy.cli.UserInputException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code stare bench latency}: issue 8's publish-to-delivery latency at a fixed offered rate and
 * the highest rate sustained without loss, STARE beside the brokers and the raw UDP floor, with a
 * CSV and PNG plots. See docs/evaluation-latency.md.
 */
@Command(name = "latency", mixinStandardHelpOptions = true,
        description = "Publish-to-delivery latency (p50/p99/p99.9 from intended send times, HdrHistogram), "
                + "throughput and the highest rate sustained without loss, one publisher to N subscribers, STARE "
                + "beside the brokers and the raw UDP floor, every figure with its ratio to STARE. Writes "
                + "latency.csv and PNG plots to --out. See docs/evaluation-latency.md.")
public final class LatencyCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "N 1,4; payloads 64,1024; 10000/s; 1.5 s once after 1 s warm-up; "
            + "highest rate of the first cell only, 1 s trials (other options still override)")
    boolean quick;

    @Option(names = "--systems", split = ",", paramLabel = "LIST",
            description = "of ${COMPLETION-CANDIDATES} (default: all)", completionCandidates = KnownSystems.class)
    List<String> systems;

    @Option(names = "--subscribers", split = ",", paramLabel = "LIST", description = "subscriber counts (default: 1,4,16)")
    List<Integer> subscribers;

    @Option(names = "--payloads", split = ",", paramLabel = "LIST", description = "payload bytes (default: 64,1024,16384)")
    List<Integer> payloads;

    @Option(names = "--rate", paramLabel = "N", description = "offered updates per second (default: 10000)")
    Integer rate;

    @Option(names = "--duration", paramLabel = "TIME", description = "measured time per repetition (default: 10s)")
    String duration;

    @Option(names = "--warmup", paramLabel = "TIME", description = "warm-up per cell (default: 3s)")
    String warmup;

    @Option(names = "--repetitions", paramLabel = "N", description = "measured repetitions per cell (default: 3)")
    Integer repetitions;

    @Option(names = "--max-rate", paramLabel = "WHICH",
            description = "search the highest rate sustained without loss in: off, first (the first N and payload), "
                    + "first-payload (every N at the first payload), all cells (default: all; first with --quick)")
    String maxRate;

    @Option(names = "--trial", paramLabel = "TIME", description = "length of one rate-search trial (default: 3s)")
    String trial;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "bench-results/latency",
            description = "where latency.csv and the plots go, created if missing (default: ${DEFAULT-VALUE})")
    Path out;

    /** The system names for the help text. */
    static final class KnownSystems implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Systems.KNOWN.iterator();
        }
    }

    @Override
    public void run() {
        LatencyBenchmark.Options base = quick ? LatencyBenchmark.Options.quick() : LatencyBenchmark.Options.full();
        LatencyBenchmark.Options options;
        try {
            options = new LatencyBenchmark.Options(
                    systems != null ? trimmed(systems) : base.systems(),
                    subscribers != null ? subscribers : base.subscribers(),
                    payloads != null ? payloads : base.payloads(),
                    rate != null ? rate : base.rate(),
                    duration != null ? positive("--duration", duration) : base.duration(),
                    warmup != null ? LatencyBenchmark.parseDuration(warmup) : base.warmup(),
                    repetitions != null ? repetitions : base.repetitions(),
                    base.drain(),
                    maxRate != null ? search(maxRate) : base.search(),
                    trial != null ? positive("--trial", trial) : base.trial());
        } catch (IllegalArgumentException e) {
            throw new UserInputException(e.getMessage());
        }
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UserInputException("--out " + out + ": cannot create the directory (" + e.getMessage() + ")");
        }
        PrintWriter printer = spec.commandLine().getOut();
        printer.printf("latency: systems %s, N %s, payloads %s B, %d updates/s, warm-up %s, %s x %d, highest rate: %s%n",
                options.systems(), options.subscribers(), options.payloads(), options.rate(),
                options.warmup(), options.duration(), options.repetitions(),
                options.search() == LatencyBenchmark.Search.OFF ? "off"
                        : options.search().name().toLowerCase(java.util.Locale.ROOT) + " (trials of " + options.trial() + ")");
        printer.flush();
        List<LatencyBenchmark.Row> rows = LatencyBenchmark.run(options, printer);
        LatencyReport.print(rows, printer);
        Path csv = out.resolve("latency.csv");
        try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(csv, StandardCharsets.UTF_8))) {
            LatencyReport.writeCsv(rows, w);
        } catch (IOException e) {
            throw new UserInputException("cannot write " + csv + ": " + e.getMessage());
        }
        printer.println();
        printer.println("wrote " + csv);
        try {
            for (Path plot : LatencyPlots.write(rows, out)) {
                printer.println("wrote " + plot);
            }
        } catch (IOException | RuntimeException e) {
            printer.println("plots not written: " + e);
        }
        printer.flush();
    }

    private static LatencyBenchmark.Search search(String text) {
        try {
            return LatencyBenchmark.Search.valueOf(text.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--max-rate " + text + ": say off, first, first-payload or all");
        }
    }

    private static List<String> trimmed(List<String> names) {
        List<String> result = new ArrayList<>();
        for (String name : names) {
            result.add(name.trim().toLowerCase(java.util.Locale.ROOT));
        }
        return result;
    }

    private static Duration positive(String option, String text) {
        Duration d = LatencyBenchmark.parseDuration(text);
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(option + " must be positive");
        }
        return d;
    }
}
