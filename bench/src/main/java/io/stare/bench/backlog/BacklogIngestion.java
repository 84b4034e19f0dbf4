package io.stare.bench.backlog;

import com.typesafe.config.ConfigFactory;
import io.stare.actors.controller.ControllerSettings;
import io.stare.actors.controller.ControllerStore;
import io.stare.protocol.address.StareAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * Backlog ingestion rate of the replica controller: segments per second persisted (confirmed
 * with {@code Appended}) for each store and number of controller nodes, all nodes in this JVM.
 *
 * <p>Each repetition is independent: a fresh cluster ({@link BenchCluster}: {@code n}
 * controller nodes plus, by default, a separate middleware node for the driver, so every Append
 * crosses Artery as in a deployment) on a fresh store. The {@link IngestionDriver} publishes
 * {@code states} states as fast as the controller confirms, with a bounded window of Appends in
 * flight per state; after the warm-up it counts confirmed segments and their Append → Appended
 * latency for {@code duration}. The controller runs with its reference settings (snapshot every
 * 1000 events, truncation every 5 s) unless the options change them.
 *
 * <p>A benchmark, not a test: it prints figures and asserts nothing about them.
 */
public final class BacklogIngestion {

    /** Where the driver runs. */
    public enum Driver {
        /** On a node of its own without the controller role (a middleware's node): every Append is remote. */
        SEPARATE,
        /** On the first controller node, through its router: the states it hosts are local. */
        CONTROLLER;

        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Driver parse(String name) {
            for (Driver d : values()) {
                if (d.configName().equals(name.trim().toLowerCase(Locale.ROOT))) {
                    return d;
                }
            }
            throw new IllegalArgumentException("driver must be separate or controller, got '" + name + "'");
        }
    }

    /** The Append budget of a middleware (AppendBatches): a batch must fit in it. */
    public static final int APPEND_BUDGET_BYTES = 128 * 1024;
    /** A segment's share of the budget beyond its payload (as AppendBatches counts it). */
    public static final int SEGMENT_OVERHEAD = 32;
    public static final int MAX_NODES = 5;

    /**
     * What to measure.
     *
     * @param stores the stores, in order
     * @param nodes the controller node counts, in order (1..{@value #MAX_NODES})
     * @param states states published at once (1..4096), one backlog entity each
     * @param segmentBytes payload bytes per segment (1..65536)
     * @param batch one-segment updates per Append (1..128), within the 128 KiB Append budget
     * @param window Appends in flight per state (1..64)
     * @param duration the measured phase of each repetition
     * @param warmup the unmeasured phase before it (may be zero)
     * @param repetitions independent repetitions per store and node count (1..100)
     * @param driver where the driver runs
     * @param snapshotEvery the backlogs' snapshot period in events (reference: 1000)
     * @param truncationInterval the backlogs' truncation interval (reference: 5 s)
     */
    public record Options(List<ControllerStore.Kind> stores, List<Integer> nodes, int states, int segmentBytes,
                          int batch, int window, Duration duration, Duration warmup, int repetitions, Driver driver,
                          int snapshotEvery, Duration truncationInterval) {

        public Options {
            stores = List.copyOf(stores);
            nodes = List.copyOf(nodes);
            if (stores.isEmpty()) {
                throw new IllegalArgumentException("no store to measure");
            }
            if (nodes.isEmpty()) {
                throw new IllegalArgumentException("no node count to measure");
            }
            for (int n : nodes) {
                range("node count", n, 1, MAX_NODES);
            }
            range("states", states, 1, 4096);
            range("segment bytes", segmentBytes, 1, 65536);
            range("batch", batch, 1, 128);
            range("window", window, 1, 64);
            range("repetitions", repetitions, 1, 100);
            range("snapshot-every", snapshotEvery, 1, 1_000_000);
            if ((long) batch * (segmentBytes + SEGMENT_OVERHEAD) > APPEND_BUDGET_BYTES) {
                throw new IllegalArgumentException("a batch of " + batch + " segments of " + segmentBytes
                        + " B does not fit the " + APPEND_BUDGET_BYTES / 1024 + " KiB Append budget (at most "
                        + APPEND_BUDGET_BYTES / (segmentBytes + SEGMENT_OVERHEAD) + " segments of this size)");
            }
            if (duration == null || duration.toMillis() < 100) {
                throw new IllegalArgumentException("duration must be at least 100ms, got " + duration);
            }
            if (warmup == null || warmup.isNegative()) {
                throw new IllegalArgumentException("warm-up must not be negative, got " + warmup);
            }
            if (truncationInterval == null || truncationInterval.toMillis() < 10) {
                throw new IllegalArgumentException("truncation interval must be at least 10ms, got "
                        + truncationInterval);
            }
            if (driver == null) {
                throw new IllegalArgumentException("driver must be given");
            }
        }

        /** Every store, 1..3 nodes, 16 states, 1400 B segments, batches of 32, window 4, 10 s after 3 s, 3 times. */
        public static Options defaults() {
            return new Options(List.of(ControllerStore.Kind.values()), List.of(1, 2, 3), 16, 1400, 32, 4,
                    Duration.ofSeconds(10), Duration.ofSeconds(3), 3, Driver.SEPARATE, 1000, Duration.ofSeconds(5));
        }

        private static void range(String what, int value, int min, int max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(what + " " + value + " is out of range " + min + ".." + max);
            }
        }
    }

    /** The first state ID published (any will do: the backlog does not need a declaration). */
    static final int FIRST_STATE = 1;

    private BacklogIngestion() {
    }

    /**
     * Runs every store × node count, {@code repetitions} times each, reporting each repetition to
     * {@code progress} as it ends. PostgreSQL unreachable skips its rows; a repetition that fails
     * ends its row as failed. Neither stops the other rows.
     */
    public static BacklogReport run(Options options, Consumer<String> progress) {
        List<BacklogReport.Row> rows = new ArrayList<>();
        for (ControllerStore.Kind store : options.stores()) {
            String unreachable = store == ControllerStore.Kind.POSTGRES ? BenchCluster.postgresUnreachable() : null;
            for (int nodes : options.nodes()) {
                String label = "store " + store.configName() + ", " + nodes + (nodes == 1 ? " node" : " nodes");
                if (unreachable != null) {
                    progress.accept(label + ": skipped: " + unreachable);
                    rows.add(BacklogReport.Row.skipped(store, nodes, unreachable));
                    continue;
                }
                List<BacklogReport.Repetition> reps = new ArrayList<>();
                String failure = null;
                for (int rep = 1; rep <= options.repetitions(); rep++) {
                    String repLabel = label + ", rep " + rep + "/" + options.repetitions();
                    try {
                        BacklogReport.Repetition r = runOnce(options, store, nodes, rep);
                        reps.add(r);
                        progress.accept(String.format(Locale.ROOT, "%s: %,.0f seg/s, %.1f MB/s, p50 %.1f ms, "
                                        + "p99 %.1f ms (states per node %s%s)", repLabel, r.segmentsPerSecond(),
                                r.megabytesPerSecond(), r.p50Millis(), r.p99Millis(), r.statesPerNode(),
                                r.abandonedSegments() > 0 ? ", " + r.abandonedSegments() + " segments abandoned" : ""));
                    } catch (Exception e) {
                        if (e instanceof InterruptedException) {
                            Thread.currentThread().interrupt();
                        }
                        failure = e.getClass().getSimpleName() + ": " + BenchCluster.oneLine(e.getMessage());
                        progress.accept(repLabel + ": failed: " + failure);
                        break;
                    }
                }
                rows.add(new BacklogReport.Row(store, nodes, null, failure, reps));
            }
        }
        return new BacklogReport(options, rows);
    }

    /** One repetition on a fresh cluster and store. */
    static BacklogReport.Repetition runOnce(Options o, ControllerStore.Kind store, int nodes, int rep)
            throws Exception {
        String run = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        ControllerSettings settings = ControllerSettings.fromConfig(
                        ConfigFactory.parseString("stare.controller.truncation.interval = "
                                        + o.truncationInterval().toMillis() + "ms")
                                .withFallback(ConfigFactory.defaultReference()))
                .withSnapshotEvery(o.snapshotEvery());
        if (FIRST_STATE + o.states() - 1 > StareAddress.MAX_STATE_ID) {
            throw new IllegalArgumentException("too many states");
        }
        try (BenchCluster cluster = BenchCluster.start(store, nodes, o.driver(), settings, run)) {
            ActorRef<IngestionDriver.Command> driver = cluster.driverNode().systemActorOf(
                    IngestionDriver.create(cluster.driverRouter(), FIRST_STATE, o.states(), o.segmentBytes(),
                            o.batch(), o.window()), "bench-driver-" + run, Props.empty());
            driver.tell(IngestionDriver.Start.INSTANCE);
            Thread.sleep(o.warmup().toMillis());
            driver.tell(IngestionDriver.BeginMeasure.INSTANCE);
            Thread.sleep(o.duration().toMillis());
            IngestionDriver.Measurement m = AskPattern.<IngestionDriver.Command, IngestionDriver.Measurement>ask(
                            driver, IngestionDriver.EndMeasure::new, Duration.ofSeconds(10),
                            cluster.driverNode().scheduler())
                    .toCompletableFuture().get(15, TimeUnit.SECONDS);
            driver.tell(IngestionDriver.StopSending.INSTANCE);
            // Measured after the phase, so the query does not disturb it; rebalancing is reported, not hidden.
            String spread = cluster.statesPerNode();
            drain(cluster, driver);
            double seconds = m.elapsedNanos() / 1e9;
            Histogram h = m.latencyMicros();
            return new BacklogReport.Repetition(rep, m.segments() / seconds, m.payloadBytes() / seconds / 1e6,
                    h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(50) / 1000.0,
                    h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(99) / 1000.0,
                    m.segments(), m.abandonedSegments(), spread, h);
        }
    }

    /** Lets the Appends in flight complete (bounded), so nodes stop without writes under way. */
    private static void drain(BenchCluster cluster, ActorRef<IngestionDriver.Command> driver) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            int inFlight = AskPattern.<IngestionDriver.Command, Integer>ask(driver, IngestionDriver.GetInFlight::new,
                    Duration.ofSeconds(5), cluster.driverNode().scheduler()).toCompletableFuture().get(10, TimeUnit.SECONDS);
            if (inFlight == 0) {
                return;
            }
            Thread.sleep(50);
        }
    }
}
