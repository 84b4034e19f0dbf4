package io.stare.bench.cli;

import io.stare.actors.controller.ControllerStore;
import io.stare.bench.backlog.BacklogIngestion;
import io.stare.bench.backlog.BacklogReport;
import io.stare.deploy.cli.CliParsing;
import io.stare.deploy.cli.UserInputException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code stare bench backlog}: the replica controller's backlog ingestion rate (segments per
 * second persisted) for each store and number of controller nodes, all in this JVM.
 */
@Command(name = "backlog", mixinStandardHelpOptions = true,
        description = {"Backlog ingestion rate of the replica controller: segments per second persisted, "
                + "per store and number of controller nodes (all nodes in this JVM, plus a driver node that "
                + "publishes like a middleware). See docs/replica-controller-bench.md.",
                "PostgreSQL is reached as STARE_POSTGRES_URL / _USER / _PASSWORD say (default "
                        + "jdbc:postgresql://127.0.0.1:5432/test, user postgres) in a schema stare_bench_<random> "
                        + "dropped afterwards; when it is unreachable its rows are skipped."})
public final class BacklogCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Option(names = "--stores", paramLabel = "LIST", defaultValue = "memory,h2-file,postgres",
            description = "stores to measure, comma-separated: memory, h2-file, postgres (default: ${DEFAULT-VALUE})")
    String stores;

    @Option(names = "--nodes", paramLabel = "LIST", defaultValue = "1,2,3",
            description = "controller node counts, comma-separated, each 1..5 (default: ${DEFAULT-VALUE})")
    String nodes;

    @Option(names = "--states", paramLabel = "N", description = "states published at once, 1..4096 (default: 16)")
    Integer states;

    @Option(names = "--segment-bytes", paramLabel = "BYTES",
            description = "payload bytes per segment (default: 1400)")
    Integer segmentBytes;

    @Option(names = "--batch", paramLabel = "N",
            description = "one-segment updates per Append, within the 128 KiB Append budget (default: 32)")
    Integer batch;

    @Option(names = "--window", paramLabel = "N", description = "Appends in flight per state, 1..64 (default: 4)")
    Integer window;

    @Option(names = "--duration", paramLabel = "TIME",
            description = "measured phase of each repetition, e.g. 10s (default: 10s; --quick: 3s)")
    String duration;

    @Option(names = "--warmup", paramLabel = "TIME",
            description = "unmeasured phase before it, e.g. 3s or 0s (default: 3s; --quick: 1s)")
    String warmup;

    @Option(names = "--repetitions", paramLabel = "N",
            description = "independent runs per store and node count, 1..100 (default: 3; --quick: 1)")
    Integer repetitions;

    @Option(names = "--driver", paramLabel = "WHERE",
            description = "where the driver runs: separate (a node without the controller role: every Append "
                    + "crosses the cluster) or controller (on controller node 1) (default: separate)")
    String driver;

    @Option(names = "--snapshot-every", paramLabel = "EVENTS",
            description = "the backlogs' snapshot period in events (default: 1000, as stare.controller)")
    Integer snapshotEvery;

    @Option(names = "--truncation-interval", paramLabel = "TIME",
            description = "the backlogs' truncation interval (default: 5s, as stare.controller)")
    String truncationInterval;

    @Option(names = "--csv", paramLabel = "FILE", description = "also write the figures as CSV, one line per run")
    Path csv;

    @Option(names = "--quick", description = "a smoke run: 1 repetition of 3 s after 1 s of warm-up "
            + "(explicit --repetitions, --duration, --warmup win)")
    boolean quick;

    @Override
    public void run() {
        BacklogIngestion.Options options = options();
        if (csv != null) {
            Path parent = csv.toAbsolutePath().getParent();
            if (parent == null || !Files.isDirectory(parent)) {
                throw new UserInputException("--csv " + csv + ": directory " + parent + " does not exist");
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("measuring backlog ingestion: " + options.stores().size() * options.nodes().size()
                + " configurations x " + options.repetitions() + " repetition"
                + (options.repetitions() == 1 ? "" : "s") + " of " + duration(options.duration()) + " (+ "
                + duration(options.warmup()) + " warm-up and start-up each)...");
        out.flush();
        BacklogReport report = BacklogIngestion.run(options, line -> {
            out.println(line);
            out.flush();
        });
        out.println();
        report.printTable(out);
        if (csv != null) {
            try {
                report.writeCsv(csv);
            } catch (IOException e) {
                throw new UserInputException("cannot write --csv " + csv + ": " + e.getMessage());
            }
            out.println("wrote " + csv);
        }
        out.flush();
    }

    /** The options as given, or a one-line error. */
    BacklogIngestion.Options options() {
        BacklogIngestion.Options d = BacklogIngestion.Options.defaults();
        try {
            return new BacklogIngestion.Options(parseStores(stores), parseNodes(nodes),
                    states != null ? states : d.states(),
                    segmentBytes != null ? segmentBytes : d.segmentBytes(),
                    batch != null ? batch : d.batch(),
                    window != null ? window : d.window(),
                    duration != null ? CliParsing.duration("--duration", duration)
                            : quick ? Duration.ofSeconds(3) : d.duration(),
                    warmup != null ? CliParsing.duration("--warmup", warmup)
                            : quick ? Duration.ofSeconds(1) : d.warmup(),
                    repetitions != null ? repetitions : quick ? 1 : d.repetitions(),
                    driver != null ? parseDriver(driver) : d.driver(),
                    snapshotEvery != null ? snapshotEvery : d.snapshotEvery(),
                    truncationInterval != null ? CliParsing.duration("--truncation-interval", truncationInterval)
                            : d.truncationInterval());
        } catch (IllegalArgumentException e) {
            throw new UserInputException(e.getMessage());
        }
    }

    private static List<ControllerStore.Kind> parseStores(String text) {
        Set<ControllerStore.Kind> kinds = new LinkedHashSet<>();
        for (String name : items("--stores", text)) {
            ControllerStore.Kind kind = null;
            for (ControllerStore.Kind k : ControllerStore.Kind.values()) {
                if (k.configName().equals(name)) {
                    kind = k;
                }
            }
            if (kind == null) {
                throw new UserInputException("--stores: unknown store '" + name + "' (memory, h2-file or postgres)");
            }
            kinds.add(kind);
        }
        return new ArrayList<>(kinds);
    }

    private static List<Integer> parseNodes(String text) {
        Set<Integer> counts = new LinkedHashSet<>();
        for (String item : items("--nodes", text)) {
            int n;
            try {
                n = Integer.parseInt(item);
            } catch (NumberFormatException e) {
                throw new UserInputException("--nodes: '" + item + "' is not a number");
            }
            if (n < 1 || n > BacklogIngestion.MAX_NODES) {
                throw new UserInputException("--nodes: " + n + " is out of range 1.." + BacklogIngestion.MAX_NODES);
            }
            counts.add(n);
        }
        return new ArrayList<>(counts);
    }

    private static BacklogIngestion.Driver parseDriver(String text) {
        for (BacklogIngestion.Driver d : BacklogIngestion.Driver.values()) {
            if (d.configName().equals(text.trim())) {
                return d;
            }
        }
        throw new UserInputException("--driver must be separate or controller, got '" + text + "'");
    }

    private static List<String> items(String option, String text) {
        List<String> items = new ArrayList<>();
        for (String item : text.split(",", -1)) {
            if (item.isBlank()) {
                throw new UserInputException(option + " '" + text + "' has an empty item");
            }
            items.add(item.trim());
        }
        return items;
    }

    private static String duration(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }
}
