package io.stare.bench.jmh;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;

/**
 * The short table printed after JMH's own output: one row per benchmark and payload size, in updates
 * per second (every benchmark here counts one operation per update). For the actor benchmarks JMH's
 * primary score counts attempted publishes; the table's {@code updates/s} is the completed ones
 * (the {@link Outcomes#published} counter), with the attempts, refusals and losses beside it, so a
 * run where the middleware refused publishes cannot pass for a fast one.
 */
public final class JmhSummary {

    /**
     * One row: a benchmark at one payload size.
     *
     * @param updates completed updates per second (published ones for the actor benchmarks)
     * @param error JMH's 99.9% confidence half-width of {@code updates} (NaN with too few iterations)
     * @param attempted JMH's primary score: operations per second, refused publishes included
     * @param refused refused publishes per second, null for the codec benchmarks
     * @param lost updates reported lost to the subscriber per second, null where nothing subscribes
     */
    public record Row(String benchmark, String payload, double updates, double error, double attempted,
                      Double refused, Double lost) {
    }

    private JmhSummary() {
    }

    /** The rows of {@code results}, sorted by benchmark, payload sizes in the order JMH ran them. */
    @SuppressWarnings("rawtypes") // JMH's getSecondaryResults() is a Map<String, Result> of the raw type
    public static List<Row> rows(Collection<RunResult> results) {
        List<Row> rows = new ArrayList<>();
        for (RunResult result : results) {
            BenchmarkParams params = result.getParams();
            String name = params.getBenchmark();
            String shortName = name.startsWith("io.stare.bench.jmh.") ? name.substring("io.stare.bench.jmh.".length())
                    : name;
            for (String key : params.getParamsKeys()) { // other parameters tell rows of one size apart
                if (!key.equals("payloadBytes")) {
                    shortName += " " + key + "=" + params.getParam(key);
                }
            }
            String payload = params.getParam("payloadBytes");
            Result<?> primary = result.getPrimaryResult();
            Map<String, Result> secondary = result.getSecondaryResults();
            Result<?> completed = secondary.getOrDefault("published", primary);
            rows.add(new Row(shortName, payload == null ? "-" : payload, completed.getScore(),
                    completed.getScoreError(), primary.getScore(), score(secondary, "refused"),
                    secondary.containsKey("published") ? score(secondary, "lost") : null));
        }
        rows.sort(Comparator.comparing(Row::benchmark));
        return rows;
    }

    @SuppressWarnings("rawtypes")
    private static Double score(Map<String, Result> secondary, String name) {
        Result<?> r = secondary.get(name);
        return r == null ? null : r.getScore();
    }

    /** Prints the table. */
    public static void print(Collection<RunResult> results, PrintWriter out) {
        List<Row> rows = rows(results);
        out.println();
        out.println("Summary: completed updates per second (± is JMH's 99.9% confidence half-width; attempted/s "
                + "counts refused publishes too)");
        out.printf(Locale.ROOT, "%-56s %8s %12s %11s %12s %11s %9s%n", "benchmark", "payload", "updates/s", "±",
                "attempted/s", "refused/s", "lost/s");
        for (Row row : rows) {
            out.printf(Locale.ROOT, "%-56s %8s %12s %11s %12s %11s %9s%n", row.benchmark(), row.payload(),
                    number(row.updates()), Double.isNaN(row.error()) ? "-" : number(row.error()),
                    number(row.attempted()), optional(row.refused()), optional(row.lost()));
        }
        out.flush();
    }

    private static String optional(Double value) {
        return value == null ? "-" : number(value);
    }

    private static String number(double value) {
        return String.format(Locale.ROOT, "%,.0f", value);
    }
}
