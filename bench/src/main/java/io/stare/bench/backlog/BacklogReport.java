package io.stare.bench.backlog;

import io.stare.actors.controller.ControllerStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * What {@link BacklogIngestion} measured: one row per store and node count, each with its
 * repetitions. Printed as a table (mean and min–max over repetitions; latency percentiles over
 * every confirmation of every repetition) and written as CSV (one line per repetition).
 */
public record BacklogReport(BacklogIngestion.Options options, List<Row> rows) {

    /** The CSV header line. */
    public static final String CSV_HEADER = "store,nodes,driver,states,segment_bytes,batch,window,duration_s,"
            + "repetition,status,segments_per_s,mb_per_s,p50_ms,p99_ms,confirmed_segments,abandoned_segments,"
            + "states_per_node,note";

    public BacklogReport {
        rows = List.copyOf(rows);
    }

    /**
     * One measured repetition.
     *
     * @param megabytesPerSecond segment payload persisted, in 10^6 bytes per second
     * @param statesPerNode how many backlogs each controller node hosted, e.g. "6/5/5"
     * @param latencyMicros Append → Appended per segment
     */
    public record Repetition(int index, double segmentsPerSecond, double megabytesPerSecond, double p50Millis,
                             double p99Millis, long confirmedSegments, long abandonedSegments, String statesPerNode,
                             Histogram latencyMicros) {
    }

    /**
     * One store and node count.
     *
     * @param skipped why the row was not measured at all (PostgreSQL unreachable), or null
     * @param failure why a repetition failed (the later ones were not run), or null
     */
    public record Row(ControllerStore.Kind store, int nodes, String skipped, String failure,
                      List<Repetition> repetitions) {

        public Row {
            repetitions = List.copyOf(repetitions);
        }

        static Row skipped(ControllerStore.Kind store, int nodes, String reason) {
            return new Row(store, nodes, reason, null, List.of());
        }

        public double meanSegmentsPerSecond() {
            return repetitions.stream().mapToDouble(Repetition::segmentsPerSecond).average().orElse(0);
        }

        public double minSegmentsPerSecond() {
            return repetitions.stream().mapToDouble(Repetition::segmentsPerSecond).min().orElse(0);
        }

        public double maxSegmentsPerSecond() {
            return repetitions.stream().mapToDouble(Repetition::segmentsPerSecond).max().orElse(0);
        }

        public double meanMegabytesPerSecond() {
            return repetitions.stream().mapToDouble(Repetition::megabytesPerSecond).average().orElse(0);
        }

        /** Latency percentile over every confirmation of every repetition, in ms. */
        public double latencyMillis(double percentile) {
            Histogram all = new Histogram(3);
            for (Repetition r : repetitions) {
                all.add(r.latencyMicros());
            }
            return all.getTotalCount() == 0 ? 0 : all.getValueAtPercentile(percentile) / 1000.0;
        }
    }

    /** Prints the table: the parameters, then one line per row. */
    public void printTable(PrintWriter out) {
        BacklogIngestion.Options o = options;
        out.printf(Locale.ROOT, "backlog ingestion: %d states, %d B segments, batches of %d, %d Appends in flight "
                        + "per state, %s measured after %s warm-up, %d repetition%s, driver on %s, snapshot every %d "
                        + "events, truncation every %s%n", o.states(), o.segmentBytes(), o.batch(), o.window(),
                human(o.duration()), human(o.warmup()), o.repetitions(), o.repetitions() == 1 ? "" : "s",
                o.driver() == BacklogIngestion.Driver.SEPARATE ? "a separate node" : "controller node 1",
                o.snapshotEvery(), human(o.truncationInterval()));
        String format = "%-9s %5s  %-30s %8s %8s %8s  %s%n";
        out.printf(Locale.ROOT, format, "store", "nodes", "seg/s mean (min-max)", "MB/s", "p50 ms", "p99 ms",
                "states/node");
        for (Row row : rows) {
            String store = row.store().configName();
            if (row.skipped() != null) {
                out.printf(Locale.ROOT, "%-9s %5d  skipped: %s%n", store, row.nodes(), row.skipped());
                continue;
            }
            if (row.repetitions().isEmpty()) {
                out.printf(Locale.ROOT, "%-9s %5d  failed: %s%n", store, row.nodes(), row.failure());
                continue;
            }
            String rate = String.format(Locale.ROOT, "%,.0f (%,.0f-%,.0f)", row.meanSegmentsPerSecond(),
                    row.minSegmentsPerSecond(), row.maxSegmentsPerSecond());
            out.printf(Locale.ROOT, format, store, row.nodes(), rate,
                    String.format(Locale.ROOT, "%.1f", row.meanMegabytesPerSecond()),
                    String.format(Locale.ROOT, "%.1f", row.latencyMillis(50)),
                    String.format(Locale.ROOT, "%.1f", row.latencyMillis(99)),
                    row.repetitions().get(row.repetitions().size() - 1).statesPerNode());
            if (row.failure() != null) {
                out.printf(Locale.ROOT, "%-9s %5d  then failed: %s%n", store, row.nodes(), row.failure());
            }
        }
        out.flush();
    }

    /** The CSV text: {@link #CSV_HEADER}, then one line per repetition (or per skipped or failed row). */
    public String csv() {
        StringBuilder b = new StringBuilder(CSV_HEADER).append('\n');
        BacklogIngestion.Options o = options;
        for (Row row : rows) {
            String prefix = String.format(Locale.ROOT, "%s,%d,%s,%d,%d,%d,%d,%.3f,", row.store().configName(),
                    row.nodes(), o.driver().configName(), o.states(), o.segmentBytes(), o.batch(), o.window(),
                    o.duration().toMillis() / 1000.0);
            for (Repetition r : row.repetitions()) {
                b.append(prefix).append(String.format(Locale.ROOT, "%d,ok,%.1f,%.3f,%.3f,%.3f,%d,%d,%s,", r.index(),
                        r.segmentsPerSecond(), r.megabytesPerSecond(), r.p50Millis(), r.p99Millis(),
                        r.confirmedSegments(), r.abandonedSegments(), r.statesPerNode())).append('\n');
            }
            if (row.skipped() != null) {
                b.append(prefix).append(",skipped,,,,,,,,").append(csvText(row.skipped())).append('\n');
            } else if (row.failure() != null) {
                b.append(prefix).append(row.repetitions().size() + 1).append(",failed,,,,,,,,")
                        .append(csvText(row.failure())).append('\n');
            }
        }
        return b.toString();
    }

    /** Writes {@link #csv()} to {@code file} (its directory must exist). */
    public void writeCsv(Path file) throws IOException {
        Files.writeString(file, csv(), StandardCharsets.UTF_8);
    }

    private static String csvText(String text) {
        return "\"" + text.replace("\"", "\"\"") + "\"";
    }

    static String human(java.time.Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }

    /** All repetitions of all rows, for callers that want the raw figures. */
    public List<Repetition> allRepetitions() {
        List<Repetition> all = new ArrayList<>();
        rows.forEach(row -> all.addAll(row.repetitions()));
        return all;
    }
}
