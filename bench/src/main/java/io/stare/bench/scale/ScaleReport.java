package io.stare.bench.scale;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Prints {@link ScaleBenchmark.Results} as Markdown tables (one per part) and writes them as CSV in
 * long form, one figure per line: {@code part,mode,setting,metric,value,unit}, so every part's
 * different figures share one file a spreadsheet or a plotting script can filter.
 */
public final class ScaleReport {

    private ScaleReport() {
    }

    /** The tables of every part that ran. */
    public static void print(ScaleBenchmark.Results results, PrintWriter out) {
        if (!results.table().isEmpty()) {
            out.println();
            out.println("Table size: one subscription per state, software switch pipeline (no actors); heap after GC;");
            out.println("per-publish processing time of the pipeline, publishes to random installed states (ns).");
            out.println();
            out.println("| mode | states | installed | heap MB | B/state | switch B/state | controller B/state | install s | publish p50 ns | p99 ns | max ns | status |");
            out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
            for (TableScale.Row r : results.table()) {
                out.printf(Locale.ROOT, "| %s | %,d | %,d | %.1f | %.1f | %.1f | %.1f | %.1f | %s | %s | %s | %s |%n",
                        TableScale.name(r.mode()), r.states(), r.installed(), r.heapBytes() / 1e6, r.bytesPerState(),
                        perState(r.switchBytes(), r.installed()), perState(r.controllerBytes(), r.installed()),
                        r.installSeconds(), ns(r.publish().p50(), r.publish()), ns(r.publish().p99(), r.publish()),
                        ns(r.publish().max(), r.publish()), r.misdelivered() == 0 ? r.status()
                                : r.status() + ", " + r.misdelivered() + " misdelivered");
            }
        }
        if (!results.subsPipeline().isEmpty()) {
            out.println();
            out.println("Subscriptions per second, pipeline only (SUB-register frame -> installed; embedded: punt,");
            out.println("local controller decision, group and table writes applied; no P4Runtime round trip).");
            out.println();
            out.println("| mode | requested | installed | subs/s | per sub p50 ns | p99 ns | max ns |");
            out.println("|---|---|---|---|---|---|---|");
            for (SubscriptionRate.Row r : results.subsPipeline()) {
                out.printf(Locale.ROOT, "| %s | %,d | %,d | %,.0f | %,d | %,d | %,d |%n", TableScale.name(r.mode()),
                        r.requested(), r.installed(), r.perSecond(), r.perSubscription().p50(),
                        r.perSubscription().p99(), r.perSubscription().max());
            }
        }
        if (!results.subsFabric().isEmpty()) {
            out.println();
            out.println("Subscriptions end to end (middleware subscribe -> SUB-ack / route in the switch), in-JVM fabric,");
            out.println("switch agent over P4Runtime; latencies in ms (burst: from the burst's start, queueing included).");
            out.println();
            out.println("| mode | style | requested | acked | routed | subs/s | ack p50 | ack p99 | route p50 | route p99 | status |");
            out.println("|---|---|---|---|---|---|---|---|---|---|---|");
            for (FabricSubscriptions.Row r : results.subsFabric()) {
                out.printf(Locale.ROOT, "| %s | %s | %d | %d | %d | %,.0f | %s | %s | %s | %s | %s |%n",
                        TableScale.name(r.mode()), r.style(), r.requested(), r.acked(), r.routed(), r.perSecond(),
                        ms(r.ack().p50(), r.ack()), ms(r.ack().p99(), r.ack()), ms(r.route().p50(), r.route()),
                        ms(r.route().p99(), r.route()), r.status());
            }
        }
        if (!results.recovery().isEmpty()) {
            out.println();
            out.println("Recovery under loss on every host link (both directions), one publisher, register mode; counts are");
            out.println("(subscriber, update) pairs; latencies in ms.");
            out.println();
            out.println("| loss | sent | refused | dropped up / down | lost | recovered | unrecoverable | unaccounted | RECOVERs | status |");
            out.println("|---|---|---|---|---|---|---|---|---|---|");
            for (RecoveryLatency.Row r : results.recovery()) {
                RecoveryLedger.Result l = r.ledger();
                if (l == null) {
                    out.printf(Locale.ROOT, "| %.0f%% | - | - | - | - | - | - | - | - | %s |%n", r.loss() * 100, r.status());
                    continue;
                }
                out.printf(Locale.ROOT, "| %.0f%% | %d x %d subs | %d | %d / %d | %d | %d | %d | %d | %d | %s |%n",
                        r.loss() * 100, l.sent(), l.subscribers(), r.refused(), l.droppedUpstream(),
                        l.droppedDownstream(), l.lost(), l.recovered(), l.unrecoverable(),
                        l.unaccounted() + l.notLostButMissing(), r.recoverRequests(), r.status());
            }
            out.println();
            out.println("| loss | deliveries | count | p50 ms | p90 ms | p99 ms | max ms |");
            out.println("|---|---|---|---|---|---|---|");
            for (RecoveryLatency.Row r : results.recovery()) {
                RecoveryLedger.Result l = r.ledger();
                if (l == null) {
                    continue;
                }
                latencyRow(out, r.loss(), "normal, from intended send", l.normal());
                latencyRow(out, r.loss(), "held behind a gap, from intended send", l.held());
                latencyRow(out, r.loss(), "recovered, from intended send", l.recoveredFromSend());
                latencyRow(out, r.loss(), "recovered, from gap visible", l.recoveredFromGap());
            }
            for (RecoveryLatency.Row r : results.recovery()) {
                if (r.ledger() != null && r.ledger().recoveredWithoutGap() > 0) {
                    out.printf(Locale.ROOT, "(%.0f%%: %d recovered update(s) had no later update behind them, found by the "
                            + "latest-update poll; not in the gap-visible row)%n", r.loss() * 100,
                            r.ledger().recoveredWithoutGap());
                }
            }
        }
        out.flush();
    }

    private static void latencyRow(PrintWriter out, double loss, String what, Percentiles p) {
        out.printf(Locale.ROOT, "| %.0f%% | %s | %d | %s | %s | %s | %s |%n", loss * 100, what, p.count(), ms(p.p50(), p),
                ms(p.p90(), p), ms(p.p99(), p), ms(p.max(), p));
    }

    private static double perState(long bytes, int states) {
        return states == 0 ? 0 : (double) bytes / states;
    }

    private static String ns(long value, Percentiles p) {
        return p.count() == 0 ? "-" : String.format(Locale.ROOT, "%,d", value);
    }

    private static String ms(long nanos, Percentiles p) {
        return p.count() == 0 ? "-" : String.format(Locale.ROOT, "%.2f", nanos / 1e6);
    }

    /** Every figure as {@code part,mode,setting,metric,value,unit}, with a header line. */
    public static void writeCsv(ScaleBenchmark.Results results, PrintWriter w) {
        w.println("part,mode,setting,metric,value,unit");
        for (TableScale.Row r : results.table()) {
            String mode = TableScale.name(r.mode());
            String setting = "states=" + r.states();
            csv(w, "table", mode, setting, "status", r.status(), "");
            csv(w, "table", mode, setting, "installed", r.installed(), "subscriptions");
            csv(w, "table", mode, setting, "heap", r.heapBytes(), "bytes");
            csv(w, "table", mode, setting, "heap_per_state", fmt(r.bytesPerState()), "bytes");
            csv(w, "table", mode, setting, "switch_heap", r.switchBytes(), "bytes");
            csv(w, "table", mode, setting, "controller_heap", r.controllerBytes(), "bytes");
            csv(w, "table", mode, setting, "install_time", fmt(r.installSeconds()), "s");
            percentiles(w, "table", mode, setting, "publish", r.publish(), "ns");
            csv(w, "table", mode, setting, "misdelivered", r.misdelivered(), "publishes");
        }
        for (SubscriptionRate.Row r : results.subsPipeline()) {
            String mode = TableScale.name(r.mode());
            String setting = "pipeline,subscriptions=" + r.requested();
            csv(w, "subs", mode, setting, "installed", r.installed(), "subscriptions");
            csv(w, "subs", mode, setting, "rate", fmt(r.perSecond()), "subs/s");
            percentiles(w, "subs", mode, setting, "per_subscription", r.perSubscription(), "ns");
        }
        for (FabricSubscriptions.Row r : results.subsFabric()) {
            String mode = TableScale.name(r.mode());
            String setting = "end-to-end " + r.style() + ",subscriptions=" + r.requested();
            csv(w, "subs", mode, setting, "status", r.status(), "");
            csv(w, "subs", mode, setting, "acked", r.acked(), "subscriptions");
            csv(w, "subs", mode, setting, "routed", r.routed(), "subscriptions");
            csv(w, "subs", mode, setting, "rate", fmt(r.perSecond()), "subs/s");
            percentiles(w, "subs", mode, setting, "ack", r.ack(), "ns");
            percentiles(w, "subs", mode, setting, "route", r.route(), "ns");
        }
        for (RecoveryLatency.Row r : results.recovery()) {
            String setting = "loss=" + fmt(r.loss());
            csv(w, "recovery", "register", setting, "status", r.status(), "");
            RecoveryLedger.Result l = r.ledger();
            if (l == null) {
                continue;
            }
            csv(w, "recovery", "register", setting, "sent", l.sent(), "updates");
            csv(w, "recovery", "register", setting, "subscribers", l.subscribers(), "");
            csv(w, "recovery", "register", setting, "refused", r.refused(), "updates");
            csv(w, "recovery", "register", setting, "dropped_upstream", l.droppedUpstream(), "frames");
            csv(w, "recovery", "register", setting, "dropped_downstream", l.droppedDownstream(), "frames");
            csv(w, "recovery", "register", setting, "frames_dropped_all", r.framesDropped(), "frames");
            csv(w, "recovery", "register", setting, "lost", l.lost(), "pairs");
            csv(w, "recovery", "register", setting, "recovered", l.recovered(), "pairs");
            csv(w, "recovery", "register", setting, "unrecoverable", l.unrecoverable(), "pairs");
            csv(w, "recovery", "register", setting, "unaccounted", l.unaccounted() + l.notLostButMissing(), "pairs");
            csv(w, "recovery", "register", setting, "recover_requests", r.recoverRequests(), "requests");
            csv(w, "recovery", "register", setting, "recovered_segments", r.recoveredSegments(), "segments");
            csv(w, "recovery", "register", setting, "recovered_without_gap", l.recoveredWithoutGap(), "pairs");
            percentiles(w, "recovery", "register", setting, "normal_from_send", l.normal(), "ns");
            percentiles(w, "recovery", "register", setting, "held_from_send", l.held(), "ns");
            percentiles(w, "recovery", "register", setting, "recovered_from_send", l.recoveredFromSend(), "ns");
            percentiles(w, "recovery", "register", setting, "recovered_from_gap", l.recoveredFromGap(), "ns");
        }
        w.flush();
    }

    private static void percentiles(PrintWriter w, String part, String mode, String setting, String metric,
                                    Percentiles p, String unit) {
        csv(w, part, mode, setting, metric + "_count", p.count(), "");
        csv(w, part, mode, setting, metric + "_p50", p.p50(), unit);
        csv(w, part, mode, setting, metric + "_p90", p.p90(), unit);
        csv(w, part, mode, setting, metric + "_p99", p.p99(), unit);
        csv(w, part, mode, setting, metric + "_max", p.max(), unit);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static void csv(PrintWriter w, String part, String mode, String setting, String metric, Object value,
                            String unit) {
        w.println(String.join(",", quote(part), quote(mode), quote(setting), quote(metric), quote(String.valueOf(value)),
                quote(unit)));
    }

    /** RFC 4180 quoting, for settings with commas and statuses with anything. */
    private static String quote(String s) {
        if (s.contains(",") || s.contains("\"") || s.contains("\n")) {
            return "\"" + s.replace("\"", "\"\"") + "\"";
        }
        return s;
    }
}
