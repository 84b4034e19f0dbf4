package io.stare.bench.cli;

import io.stare.bench.scale.FabricSubscriptions;
import io.stare.bench.scale.InsufficientHeapException;
import io.stare.bench.scale.RecoveryLatency;
import io.stare.bench.scale.ScaleBenchmark;
import io.stare.bench.scale.ScalePart;
import io.stare.bench.scale.ScaleReport;
import io.stare.bench.scale.SubscriptionRate;
import io.stare.bench.scale.TableScale;
import io.stare.deploy.cli.UserInputException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code stare bench scale}: the state forwarding table up to the whole 22-bit space, subscriptions
 * per second in both modes, and recovery latency under loss. See docs/evaluation-scale.md.
 */
@Command(name = "scale", mixinStandardHelpOptions = true,
        description = "Scale: heap and per-publish latency vs number of states up to 2^22-1 (table), subscriptions "
                + "per second in both modes, pipeline only and end to end (subs), and recovery latency under 1%% and "
                + "5%% link loss (recovery). The table part up to 2^22-1 needs about 2 GB of heap "
                + "(STARE_JAVA_OPTS=-Xmx3g). See docs/evaluation-scale.md.")
public final class ScaleCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Option(names = "--parts", split = ",", paramLabel = "LIST",
            description = "of table,subs,recovery (default: all)")
    List<String> parts;

    @Option(names = "--quick", description = "table up to 2^18 states, 2^16 pipeline and 100 end-to-end "
            + "subscriptions, 1,000 updates per loss rate (other options still override)")
    boolean quick;

    @Option(names = "--states", split = ",", paramLabel = "LIST",
            description = "table part's state counts (default: 1024,16384,262144,1048576,4194303)")
    List<Integer> states;

    @Option(names = "--loss", split = ",", paramLabel = "LIST",
            description = "recovery part's link loss rates, 0..1 (default: 0.01,0.05)")
    List<Double> loss;

    @Option(names = "--updates", paramLabel = "N", description = "recovery part's updates per loss rate (default: 3000)")
    Integer updates;

    @Option(names = "--csv", paramLabel = "FILE", description = "also write every figure as CSV")
    Path csv;

    @Override
    public void run() {
        ScaleBenchmark.Options options;
        try {
            Set<ScalePart> chosen = ScalePart.parse(parts != null ? parts : List.of("table", "subs", "recovery"));
            ScaleBenchmark.Options base = quick ? ScaleBenchmark.Options.quick(chosen) : ScaleBenchmark.Options.full(chosen);
            TableScale.Options t = base.table();
            if (states != null) {
                t = new TableScale.Options(states, t.modes(), t.warmup(), t.measured(), t.payloadBytes(), t.seed());
            }
            RecoveryLatency.Options r = base.recovery();
            if (loss != null || updates != null) {
                r = new RecoveryLatency.Options(loss != null ? loss : r.lossRates(), r.subscribers(),
                        updates != null ? updates : r.updates(), r.rate(), r.warmup(), r.payloadBytes(), r.drain(),
                        r.mode(), r.seed());
            }
            SubscriptionRate.Options p = base.subsPipeline();
            FabricSubscriptions.Options f = base.subsFabric();
            options = new ScaleBenchmark.Options(chosen, t, p, f, r);
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
        try {
            ScaleBenchmark.checkHeap(options);
        } catch (InsufficientHeapException e) {
            throw new UserInputException(e.getMessage());
        }
        out.printf(Locale.ROOT, "scale: parts %s%s; heap limit %,d MB (%s %s, %d cores)%n",
                options.parts().stream().map(ScalePart::label).toList(), quick ? " (quick)" : "",
                Runtime.getRuntime().maxMemory() >> 20, System.getProperty("java.vm.name"),
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
        out.flush();
        long started = System.nanoTime();
        ScaleBenchmark.Results results = ScaleBenchmark.run(options, out);
        ScaleReport.print(results, out);
        if (csv != null) {
            try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(csv, StandardCharsets.UTF_8))) {
                ScaleReport.writeCsv(results, w);
            } catch (IOException e) {
                throw new UserInputException("cannot write --csv " + csv + ": " + e.getMessage());
            }
            out.println("wrote " + csv);
        }
        out.printf(Locale.ROOT, "scale: done in %.0f s%n", (System.nanoTime() - started) / 1e9);
        out.flush();
    }
}
