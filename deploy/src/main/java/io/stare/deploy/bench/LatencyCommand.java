package io.stare.deploy.bench;

import io.stare.bench.latency.LatencyBenchmark;
import io.stare.bench.latency.LatencyReport;
import io.stare.deploy.UserInputException;
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
 * {@code stare bench latency}: issue 8's publish-to-delivery latency at a fixed offered rate, STARE
 * beside the raw UDP floor, brokers (Redis, NATS, MQTT), Aeron and Pekko Distributed Data. See
 * docs/evaluation-latency.md.
 */
@Command(name = "latency", mixinStandardHelpOptions = true,
        description = "Publish-to-delivery latency (p50/p99/p99.9 from intended send times, HdrHistogram) and "
                + "throughput, one publisher to N subscribers, STARE beside the raw UDP floor, Redis, NATS, MQTT, Aeron "
                + "and Pekko Distributed Data, "
                + "every figure with its ratio to STARE. See docs/evaluation-latency.md.")
public final class LatencyCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "N 1,4; payloads 64,1024; 2000/s; 3 s once after 2 s warm-up "
            + "(other options still override)")
    boolean quick;

    @Option(names = "--systems", split = ",", paramLabel = "LIST",
            description = "of stare,udp,redis,nats,mqtt,aeron,ddata (default: all)")
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

    @Option(names = "--csv", paramLabel = "FILE", description = "also write the rows as CSV")
    Path csv;

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
                    base.drain());
        } catch (IllegalArgumentException e) {
            throw new UserInputException(e.getMessage());
        }
        if (csv != null) {
            Path parent = csv.toAbsolutePath().getParent();
            if (parent == null || !Files.isDirectory(parent)) {
                throw new UserInputException("--csv " + csv + ": directory " + parent + " does not exist");
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf("latency: systems %s, N %s, payloads %s B, %d updates/s, warm-up %s, %s x %d%n",
                options.systems(), options.subscribers(), options.payloads(), options.rate(),
                options.warmup(), options.duration(), options.repetitions());
        out.flush();
        List<LatencyBenchmark.Row> rows = LatencyBenchmark.run(options, out);
        LatencyReport.print(rows, out);
        if (csv != null) {
            try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(csv, StandardCharsets.UTF_8))) {
                LatencyReport.writeCsv(rows, w);
            } catch (IOException e) {
                throw new UserInputException("cannot write --csv " + csv + ": " + e.getMessage());
            }
            out.println("wrote " + csv);
        }
        out.println("(plots are not produced yet; see docs/evaluation-latency.md)");
        out.flush();
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
