package io.stare.bench.scale;

import io.stare.client.StareClient;
import io.stare.client.StateListener;
import io.stare.fabric.LocalFabric;
import io.stare.p4.pipeline.PortMask;
import io.stare.p4.program.StareProgram;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Part 2b, {@code subs} end to end: subscriptions through the real middleware, switch agent and
 * P4Runtime, in both modes, on the in-JVM fabric (one software switch, a publisher host
 * {@code pub} that declares the states and a subscriber host {@code sub}).
 *
 * <p>Two figures per subscription: <b>ack</b>, from {@code StareClient.subscribe} to its completion
 * (the middleware resolved the state with the controller, sent SUB-register, and got the first
 * switch's SUB-ack: in register mode the pipeline answers at once; in embedded mode the agent sends
 * the ack only after its P4Runtime writes of the group and table entry are acknowledged), and
 * <b>route</b>, from the same start until the switch forwards the state to the subscriber's port
 * (polled every 100 µs from the switch's tables, so ±0.1 ms).
 *
 * <p>Two styles: <b>serial</b>, one subscription at a time (the per-subscription latency), and
 * <b>burst</b>, all at once (the rate the chain sustains; latencies then include queueing).
 */
public final class FabricSubscriptions {

    private static final long POLL_NANOS = 100_000;

    /**
     * What to run.
     *
     * @param subscriptions subscriptions per mode and style
     * @param warmup serial subscriptions first, not recorded
     * @param modes the switch modes
     */
    public record Options(int subscriptions, int warmup, List<StareProgram.Mode> modes) {
        public Options {
            modes = List.copyOf(modes);
            if (subscriptions < 1 || subscriptions > 10_000 || warmup < 0) {
                throw new IllegalArgumentException("end-to-end subscriptions must be 1..10000 and warm-up >= 0");
            }
        }

        /** 500 subscriptions per mode and style after 50 warm-up ones. */
        public static Options full() {
            return new Options(500, 50, TableScale.bothModes());
        }

        /** 100 subscriptions per mode and style after 20 warm-up ones. */
        public static Options quick() {
            return new Options(100, 20, TableScale.bothModes());
        }
    }

    /**
     * One mode and style.
     *
     * @param mode the switch mode
     * @param style {@code serial} or {@code burst}
     * @param requested subscriptions asked for
     * @param acked subscriptions whose subscribe completed
     * @param routed subscriptions whose route was in place at the end
     * @param seconds from the first subscribe to the last route (or ack) in place
     * @param ack subscribe-to-completion latency, ns
     * @param route subscribe-to-route latency, ns
     * @param status {@code ok} or why the row has no figures
     */
    public record Row(StareProgram.Mode mode, String style, int requested, int acked, int routed, double seconds,
                      Percentiles ack, Percentiles route, String status) {

        /** Subscriptions in place per second. */
        public double perSecond() {
            return seconds <= 0 ? 0 : Math.min(acked, routed) / seconds;
        }
    }

    private FabricSubscriptions() {
    }

    /** Runs both modes, serial then burst, a fabric per mode, printing progress lines. */
    public static List<Row> run(Options options, PrintWriter progress) {
        List<Row> rows = new ArrayList<>();
        for (StareProgram.Mode mode : options.modes()) {
            progress.printf(Locale.ROOT, "subs (end to end): %s mode, starting the fabric...%n", TableScale.name(mode));
            progress.flush();
            try {
                rows.addAll(one(mode, options, progress));
            } catch (Exception e) {
                rows.add(new Row(mode, "serial", options.subscriptions(), 0, 0, 0, Percentiles.NONE, Percentiles.NONE,
                        "failed: " + e));
                progress.printf(Locale.ROOT, "subs (end to end): %s mode failed: %s%n", TableScale.name(mode), e);
                progress.flush();
            }
        }
        return rows;
    }

    private static List<Row> one(StareProgram.Mode mode, Options options, PrintWriter progress) throws Exception {
        try (LocalFabric fabric = LocalFabric.builder().topology(LocalFabric.singleSwitch("pub", "sub")).mode(mode)
                .timeout(Duration.ofSeconds(60)).start()) {
            StareClient publisher = fabric.vnf("pub", "scale-publisher");
            StareClient subscriber = fabric.vnf("sub", "scale-subscriber");
            int port = fabric.topology().hostNamed("sub").attachment().port();
            String switchName = fabric.topology().hostNamed("sub").attachment().switchName();
            int k = options.subscriptions();
            int total = options.warmup() + 2 * k;
            progress.printf(Locale.ROOT, "subs (end to end): %s mode, declaring %d states...%n", TableScale.name(mode),
                    total);
            progress.flush();
            int[] ids = new int[total];
            for (int i = 0; i < total; i++) {
                ids[i] = fabric.await(publisher.declare(name(i)));
            }
            StateListener ignore = (state, update, value) -> { };
            Probe probe = new Probe(fabric, switchName, port);
            // Warm-up: the same serial path, not recorded.
            serial(fabric, subscriber, ignore, probe, ids, 0, options.warmup(), mode);
            List<Row> rows = new ArrayList<>();
            Row serial = serial(fabric, subscriber, ignore, probe, ids, options.warmup(), k, mode);
            rows.add(serial);
            progress.printf(Locale.ROOT, "subs (end to end): %s mode, serial: %,.0f subs/s, ack p50 %.2f ms, route p50 %.2f ms%n",
                    TableScale.name(mode), serial.perSecond(), serial.ack().p50() / 1e6, serial.route().p50() / 1e6);
            progress.flush();
            Row burst = burst(fabric, subscriber, ignore, probe, ids, options.warmup() + k, k, mode);
            rows.add(burst);
            progress.printf(Locale.ROOT, "subs (end to end): %s mode, burst: %,.0f subs/s (%d routed of %d)%n",
                    TableScale.name(mode), burst.perSecond(), burst.routed(), burst.requested());
            progress.flush();
            return rows;
        }
    }

    private static String name(int i) {
        return "scale-sub-" + i;
    }

    /** Whether the switch forwards a state to the subscriber's port. */
    private record Probe(LocalFabric fabric, String switchName, int port) {
        boolean routed(int stateId) {
            return PortMask.contains(fabric.statePorts(switchName, stateId), port);
        }
    }

    private static Row serial(LocalFabric fabric, StareClient subscriber, StateListener listener, Probe probe, int[] ids,
                              int from, int count, StareProgram.Mode mode) throws Exception {
        Histogram ack = Percentiles.histogram();
        Histogram route = Percentiles.histogram();
        int acked = 0;
        int routed = 0;
        long deadlineNanos = fabric.timeout().toNanos();
        long started = System.nanoTime();
        for (int i = from; i < from + count; i++) {
            long t0 = System.nanoTime();
            CompletableFuture<Integer> done = subscriber.subscribe(name(i), listener).toCompletableFuture();
            long ackAt = 0;
            long routeAt = 0;
            while (ackAt == 0 || routeAt == 0) {
                long now = System.nanoTime();
                if (routeAt == 0 && probe.routed(ids[i])) {
                    routeAt = now;
                }
                if (ackAt == 0 && done.isDone()) {
                    done.get(); // a failed subscribe throws here
                    ackAt = now;
                }
                if (now - t0 > deadlineNanos) {
                    throw new IllegalStateException("subscription " + i + " not in place within " + fabric.timeout()
                            + " (acked " + (ackAt != 0) + ", routed " + (routeAt != 0) + ")");
                }
                if (ackAt == 0 || routeAt == 0) {
                    LockSupport.parkNanos(POLL_NANOS);
                }
            }
            ack.recordValue(ackAt - t0);
            route.recordValue(routeAt - t0);
            acked++;
            routed++;
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        return new Row(mode, "serial", count, acked, routed, seconds, Percentiles.of(ack), Percentiles.of(route), "ok");
    }

    private static Row burst(LocalFabric fabric, StareClient subscriber, StateListener listener, Probe probe, int[] ids,
                             int from, int count, StareProgram.Mode mode) throws Exception {
        long[] ackAt = new long[count];
        long[] routeAt = new long[count];
        List<CompletableFuture<Integer>> done = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
            int index = i;
            done.add(subscriber.subscribe(name(from + i), listener).toCompletableFuture()
                    .whenComplete((v, e) -> ackAt[index] = e == null ? System.nanoTime() : -1));
        }
        long deadline = t0 + fabric.timeout().toNanos();
        int routed = 0;
        while (routed < count && System.nanoTime() < deadline) {
            for (int i = 0; i < count; i++) {
                if (routeAt[i] == 0 && probe.routed(ids[from + i])) {
                    routeAt[i] = System.nanoTime();
                    routed++;
                }
            }
            if (routed < count) {
                LockSupport.parkNanos(POLL_NANOS);
            }
        }
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).handle((v, e) -> null)
                .get(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), java.util.concurrent.TimeUnit.MILLISECONDS);
        Histogram ack = Percentiles.histogram();
        Histogram route = Percentiles.histogram();
        int acked = 0;
        long last = t0;
        for (int i = 0; i < count; i++) {
            long a = ackAt[i]; // written by the completion callbacks, visible after allOf above
            if (a > 0) {
                acked++;
                ack.recordValue(a - t0);
                last = Math.max(last, a);
            }
            if (routeAt[i] > 0) {
                route.recordValue(routeAt[i] - t0);
                last = Math.max(last, routeAt[i]);
            }
        }
        String status = acked == count && routed == count ? "ok"
                : "incomplete: " + acked + " acked, " + routed + " routed of " + count + " within " + fabric.timeout();
        return new Row(mode, "burst", count, acked, routed, (last - t0) / 1e9, Percentiles.of(ack), Percentiles.of(route),
                status);
    }
}
