package io.stare.bench.latency;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** The latency harness's table and CSV; every figure beside its ratio to STARE's in the same run. */
public final class LatencyReport {

    /** The CSV header line. */
    public static final String CSV_HEADER = "system,subscribers,payload_bytes,offered_rate,status,p50_us,p99_us,"
            + "p999_us,max_us,sent,delivered,lost,refused,send_rate,throughput_per_subscriber,"
            + "p50_vs_stare,p99_vs_stare,p999_vs_stare,first_refusal,p50_low_us,p50_high_us,p99_low_us,p99_high_us,"
            + "max_rate,max_rate_vs_stare,p50_at_max_us,p99_at_max_us,max_rate_trials,"
            + "cpu_us_per_update,syscalls_per_update,context_switches_per_update";

    private LatencyReport() {
    }

    static String progressLine(LatencyBenchmark.Row row) {
        if (!row.ok()) {
            return String.format(Locale.ROOT, "  %-14s N=%-2d %6d B  %s", row.system(), row.subscribers(),
                    row.payload(), row.status());
        }
        return String.format(Locale.ROOT, "  %-14s N=%-2d %6d B  p50 %.1f us  p99 %.1f us  p99.9 %.1f us  lost %d%s%s",
                row.system(), row.subscribers(), row.payload(), row.p50(), row.p99(), row.p999(), row.lost(),
                row.refused() > 0 ? "  refused " + row.refused() + ", first: " + row.firstRefusal() : "",
                row.maxRate() == null ? "" : "  max " + row.maxRate().rate() + "/s (" + row.maxRate().trials() + ")");
    }

    /** STARE's row for the same subscriber count and payload, if it ran. */
    static Optional<LatencyBenchmark.Row> stareOf(LatencyBenchmark.Row row, List<LatencyBenchmark.Row> rows) {
        return rows.stream().filter(r -> r.system().equals("stare") && r.ok()
                && r.subscribers() == row.subscribers() && r.payload() == row.payload()).findFirst();
    }

    static double ratio(double value, double stare) {
        return Double.isNaN(value) || Double.isNaN(stare) || stare <= 0 ? Double.NaN : value / stare;
    }

    /** The results table. */
    public static void print(List<LatencyBenchmark.Row> rows, PrintWriter out) {
        out.println();
        out.println("Publish-to-delivery latency, measured from each update's intended send time (µs), "
                + "\"x\" = ratio to STARE for the same N and payload in this run");
        out.printf(Locale.ROOT, "%-15s %3s %7s %7s  %-20s %-20s %-20s %9s %9s %8s %7s %7s %11s%n",
                "system", "N", "payload", "rate", "p50 µs (x)", "p99 µs (x)", "p99.9 µs (x)", "max µs",
                "sent", "deliv", "lost", "refused", "thru/sub/s");
        for (LatencyBenchmark.Row row : rows) {
            if (!row.ok()) {
                out.printf(Locale.ROOT, "%-15s %3d %7d %7d  %s%n", row.system(), row.subscribers(), row.payload(),
                        row.rate(), row.status());
                continue;
            }
            Optional<LatencyBenchmark.Row> stare = stareOf(row, rows);
            out.printf(Locale.ROOT, "%-15s %3d %7d %7d  %-20s %-20s %-20s %9.1f %9d %8d %7d %7d %11.1f%n",
                    row.system(), row.subscribers(), row.payload(), row.rate(),
                    withRatio(row.p50(), stare.map(LatencyBenchmark.Row::p50)),
                    withRatio(row.p99(), stare.map(LatencyBenchmark.Row::p99)),
                    withRatio(row.p999(), stare.map(LatencyBenchmark.Row::p999)),
                    row.max(), row.sent(), row.delivered(), row.lost(), row.refused(), row.throughput());
        }
        printSpreadAndMaxRates(rows, out);
        printCosts(rows, out);
        out.flush();
    }

    /** What the whole machine spent per delivered update during the fixed-rate repetitions. */
    private static void printCosts(List<LatencyBenchmark.Row> rows, PrintWriter out) {
        out.println();
        out.println("Cost per delivered update at the offered rate, whole machine (every process, the load generator "
                + "included): CPU µs, system calls, context switches");
        out.printf(Locale.ROOT, "%-15s %3s %7s %7s  %-18s %-18s %-18s%n", "system", "N", "payload", "rate",
                "CPU µs (x)", "syscalls (x)", "switches (x)");
        for (LatencyBenchmark.Row row : rows) {
            if (!row.ok()) {
                continue;
            }
            Optional<LatencyBenchmark.Cost> stare = stareOf(row, rows).map(LatencyBenchmark.Row::cost);
            out.printf(Locale.ROOT, "%-15s %3d %7d %7d  %-18s %-18s %-18s%n", row.system(), row.subscribers(),
                    row.payload(), row.rate(),
                    withRatio(row.cost().cpuMicros(), stare.map(LatencyBenchmark.Cost::cpuMicros)),
                    withRatio(row.cost().syscalls(), stare.map(LatencyBenchmark.Cost::syscalls)),
                    withRatio(row.cost().contextSwitches(), stare.map(LatencyBenchmark.Cost::contextSwitches)));
        }
    }

    /** The spread of the repetitions and the searched highest rates, as a second and third table. */
    private static void printSpreadAndMaxRates(List<LatencyBenchmark.Row> rows, PrintWriter out) {
        if (rows.stream().anyMatch(r -> r.ok() && r.spread().p50Low() != r.spread().p50High())) {
            out.println();
            out.println("Spread over the repetitions: lowest..highest p50 and p99 of a single repetition (µs)");
            out.printf(Locale.ROOT, "%-15s %3s %7s  %-22s %-22s%n", "system", "N", "payload", "p50 range", "p99 range");
            for (LatencyBenchmark.Row row : rows) {
                if (row.ok()) {
                    LatencyBenchmark.Spread sp = row.spread();
                    out.printf(Locale.ROOT, "%-15s %3d %7d  %-22s %-22s%n", row.system(), row.subscribers(),
                            row.payload(), String.format(Locale.ROOT, "%.1f..%.1f", sp.p50Low(), sp.p50High()),
                            String.format(Locale.ROOT, "%.1f..%.1f", sp.p99Low(), sp.p99High()));
                }
            }
        }
        if (rows.stream().anyMatch(r -> r.maxRate() != null)) {
            out.println();
            out.println("Highest rate sustained without loss (every update delivered, none refused, publisher on "
                    + "schedule), \"x\" = ratio to STARE; latency of that trial (µs)");
            out.printf(Locale.ROOT, "%-15s %3s %7s  %-20s %10s %10s  %s%n", "system", "N", "payload", "updates/s (x)",
                    "p50 µs", "p99 µs", "trials (+ sustained, - not)");
            for (LatencyBenchmark.Row row : rows) {
                if (row.maxRate() == null) {
                    continue;
                }
                LatencyBenchmark.MaxRate m = row.maxRate();
                Optional<Double> stare = stareOf(row, rows).filter(r -> r.maxRate() != null)
                        .map(r -> (double) r.maxRate().rate());
                out.printf(Locale.ROOT, "%-15s %3d %7d  %-20s %10.1f %10.1f  %s%n", row.system(), row.subscribers(),
                        row.payload(), withRatio(m.rate(), stare).replace(".0 (", " ("), m.p50(), m.p99(), m.trials());
            }
        }
    }

    private static String withRatio(double value, Optional<Double> stare) {
        String ratio = stare.map(s -> ratio(value, s)).filter(r -> !Double.isNaN(r))
                .map(r -> String.format(Locale.ROOT, "%.3gx", r)).orElse("-");
        return String.format(Locale.ROOT, "%.1f (%s)", value, ratio);
    }

    /** The rows as CSV, header first. */
    public static void writeCsv(List<LatencyBenchmark.Row> rows, PrintWriter out) {
        out.println(CSV_HEADER);
        for (LatencyBenchmark.Row row : rows) {
            Optional<LatencyBenchmark.Row> stare = stareOf(row, rows);
            out.println(String.join(",", row.system(), Integer.toString(row.subscribers()),
                    Integer.toString(row.payload()), Integer.toString(row.rate()), quote(row.status()),
                    num(row.p50()), num(row.p99()), num(row.p999()), num(row.max()),
                    Long.toString(row.sent()), Long.toString(row.delivered()), Long.toString(row.lost()),
                    Long.toString(row.refused()), num(row.sendRate()), num(row.throughput()),
                    num(ratio(row.p50(), stare.map(LatencyBenchmark.Row::p50).orElse(Double.NaN))),
                    num(ratio(row.p99(), stare.map(LatencyBenchmark.Row::p99).orElse(Double.NaN))),
                    num(ratio(row.p999(), stare.map(LatencyBenchmark.Row::p999).orElse(Double.NaN))),
                    quote(row.firstRefusal()), num(row.spread().p50Low()), num(row.spread().p50High()),
                    num(row.spread().p99Low()), num(row.spread().p99High()),
                    row.maxRate() == null ? "" : Integer.toString(row.maxRate().rate()),
                    row.maxRate() == null ? "" : num(ratio(row.maxRate().rate(), stare.map(LatencyBenchmark.Row::maxRate)
                            .map(m -> (double) m.rate()).orElse(Double.NaN))),
                    row.maxRate() == null ? "" : num(row.maxRate().p50()),
                    row.maxRate() == null ? "" : num(row.maxRate().p99()),
                    row.maxRate() == null ? "" : quote(row.maxRate().trials()),
                    num(row.cost().cpuMicros()), num(row.cost().syscalls()), num(row.cost().contextSwitches())));
        }
        out.flush();
    }

    private static String num(double value) {
        return Double.isNaN(value) ? "" : String.format(Locale.ROOT, "%.3f", value);
    }

    private static String quote(String text) {
        return "\"" + text.replace("\"", "\"\"") + "\"";
    }
}
