package io.stare.bench.scale;

import io.stare.bench.latency.Payloads;
import io.stare.client.Delivery;
import io.stare.client.PublishResult;
import io.stare.client.StareClient;
import io.stare.client.StateListener;
import io.stare.fabric.FabricLink;
import io.stare.fabric.LinkObserver;
import io.stare.fabric.LocalFabric;
import io.stare.p4.program.StareProgram;
import io.stare.protocol.DecodeResult;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.packet.Ethernet;
import io.stare.protocol.packet.PacketCodec;
import io.stare.protocol.packet.StarePacket;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Part 3, {@code recovery}: how long an update the network lost takes to reach its subscribers
 * through RECOVER, under 1% and 5% loss.
 *
 * <p>Per loss rate, a fresh {@link LocalFabric}: one software switch (programmed by its agent over
 * P4Runtime), a publisher VNF on host {@code pub} and one subscriber VNF on each host
 * {@code sub0..}. After the subscriptions are routed and a loss-free warm-up has been delivered,
 * every host link (the publisher's and the subscribers') drops each datagram, in both directions,
 * with the loss probability, and the publisher sends the measured updates paced from intended send
 * times. Link observers ({@link LinkObserver}) tell the {@link RecoveryLedger} which update frames
 * each link dropped and when each passed a subscriber's link; the subscribers' listeners tell it
 * when each update was delivered or reported lost. The middleware is unchanged: RECOVER goes to
 * the replica controller over the actor channel (not through the lossy links), as deployed.
 */
public final class RecoveryLatency {

    private static final String STATE = "scale-recovery";

    /**
     * What to run.
     *
     * @param lossRates the link loss probabilities, each its own fabric
     * @param subscribers subscriber hosts
     * @param updates measured updates per loss rate
     * @param rate offered updates per second (moderate: well below the in-JVM fabric's saturation)
     * @param warmup loss-free updates before measuring
     * @param payloadBytes bytes per update (one segment)
     * @param drain the longest wait after the last send for every update to be delivered or reported
     * @param mode the switch mode
     * @param seed the links' random source
     */
    public record Options(List<Double> lossRates, int subscribers, int updates, int rate, int warmup, int payloadBytes,
                          Duration drain, StareProgram.Mode mode, long seed) {
        public Options {
            lossRates = List.copyOf(lossRates);
            for (double p : lossRates) {
                if (!(p >= 0 && p < 1)) {
                    throw new IllegalArgumentException("loss rate " + p + " is not in [0, 1)");
                }
            }
            if (subscribers < 1 || updates < 1 || rate < 1 || warmup < 1) {
                throw new IllegalArgumentException("subscribers, updates, rate and warm-up must be positive");
            }
            if (payloadBytes < Payloads.HEADER || payloadBytes > 1000) {
                throw new IllegalArgumentException("payload " + payloadBytes + " B is out of range "
                        + Payloads.HEADER + "..1000 (one segment)");
            }
        }

        /** 1% and 5%, 2 subscribers, 3,000 updates at 200/s (15 s per rate). */
        public static Options full() {
            return new Options(List.of(0.01, 0.05), 2, 3_000, 200, 100, 64, Duration.ofSeconds(20),
                    StareProgram.Mode.REGISTER, 1);
        }

        /** 1% and 5%, 2 subscribers, 1,000 updates at 200/s (5 s per rate). */
        public static Options quick() {
            return new Options(List.of(0.01, 0.05), 2, 1_000, 200, 50, 64, Duration.ofSeconds(15),
                    StareProgram.Mode.REGISTER, 1);
        }
    }

    /**
     * One loss rate's figures.
     *
     * @param loss the link loss probability
     * @param ledger the account of every measured (subscriber, update)
     * @param refused publishes the middleware refused (not sent, not in the ledger)
     * @param framesDropped every datagram the host links dropped, SUB and other traffic included
     * @param recoverRequests RECOVER requests the subscribers' middlewares sent
     * @param recoveredSegments segments the controller's answers brought them
     * @param seconds wall time of the measured sending and the drain
     * @param status {@code ok} or why the row has no figures
     */
    public record Row(double loss, RecoveryLedger.Result ledger, long refused, long framesDropped, long recoverRequests,
                      long recoveredSegments, double seconds, String status) {
    }

    private RecoveryLatency() {
    }

    /** Runs every loss rate, printing progress lines. */
    public static List<Row> run(Options options, PrintWriter progress) {
        List<Row> rows = new ArrayList<>();
        for (double loss : options.lossRates()) {
            progress.printf(Locale.ROOT, "recovery: %.0f%% loss, starting the fabric (%d subscribers)...%n",
                    loss * 100, options.subscribers());
            progress.flush();
            Row row;
            try {
                row = one(loss, options, progress);
            } catch (Exception e) {
                row = new Row(loss, null, 0, 0, 0, 0, 0, "failed: " + e);
            }
            rows.add(row);
            progress.printf(Locale.ROOT, "recovery: %.0f%% loss: %s%n", loss * 100, summary(row));
            progress.flush();
        }
        return rows;
    }

    private static String summary(Row row) {
        if (!row.status().equals("ok")) {
            return row.status();
        }
        RecoveryLedger.Result r = row.ledger();
        return String.format(Locale.ROOT, "%d sent, %d (sub, update) pairs lost, %d recovered, %d unrecoverable, "
                        + "%d unaccounted; recovered p50 %.1f ms from send",
                r.sent(), r.lost(), r.recovered(), r.unrecoverable(), r.unaccounted() + r.notLostButMissing(),
                r.recoveredFromSend().p50() / 1e6);
    }

    private static Row one(double loss, Options options, PrintWriter progress) throws Exception {
        int subscribers = options.subscribers();
        String[] hosts = new String[subscribers + 1];
        hosts[0] = "pub";
        for (int i = 0; i < subscribers; i++) {
            hosts[i + 1] = "sub" + i;
        }
        int warmup = options.warmup();
        RecoveryLedger ledger = new RecoveryLedger(options.updates(), subscribers);
        try (LocalFabric fabric = LocalFabric.builder().topology(LocalFabric.singleSwitch(hosts)).mode(options.mode())
                .seed(options.seed()).timeout(Duration.ofSeconds(30)).start()) {
            StareClient publisher = fabric.vnf("pub", "scale-publisher");
            int stateId = fabric.await(publisher.declare(STATE));
            AtomicLong warmDelivered = new AtomicLong();
            for (int i = 0; i < subscribers; i++) {
                StareClient subscriber = fabric.vnf(hosts[i + 1], "scale-subscriber-" + i);
                fabric.await(subscriber.subscribe(STATE, new Listener(i, warmup, ledger, warmDelivered)));
                fabric.awaitRoute(stateId, "pub", hosts[i + 1]);
            }
            // Warm-up, loss-free: the paths are hot, and every listener learns the update-number offset.
            for (int i = 0; i < warmup; i++) {
                fabric.await(publisher.publish(stateId, stamped(i, System.nanoTime(), options.payloadBytes())));
            }
            awaitCount(warmDelivered, (long) warmup * subscribers, options.drain());

            fabric.link("pub").observe(upstream(stateId, warmup, ledger));
            for (int i = 0; i < subscribers; i++) {
                fabric.link(hosts[i + 1]).observe(downstream(i, stateId, warmup, ledger));
            }
            List<FabricLink> hostLinks = new ArrayList<>();
            for (String host : hosts) {
                hostLinks.add(fabric.link(host).loss(loss));
            }
            progress.printf(Locale.ROOT, "recovery: %.0f%% loss, publishing %,d updates at %d/s...%n", loss * 100,
                    options.updates(), options.rate());
            progress.flush();
            long started = System.nanoTime();
            long period = 1_000_000_000L / options.rate();
            AtomicLong refused = new AtomicLong();
            List<CompletableFuture<PublishResult>> answers = new ArrayList<>();
            for (int n = 0; n < options.updates(); n++) {
                long due = started + n * period;
                long wait;
                while ((wait = due - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                int index = n;
                CompletableFuture<PublishResult> answer = publisher.publish(stateId,
                        stamped(warmup + n, due, options.payloadBytes())).toCompletableFuture();
                // The list holds the callbacks' futures, so waiting for it waits for the ledger entries.
                answers.add(answer.whenComplete((result, error) -> {
                    if (error != null || result instanceof PublishResult.Refused) {
                        refused.incrementAndGet();
                    } else {
                        ledger.sent(index, due); // only accepted updates are owed to subscribers
                    }
                }));
            }
            long deadline = System.nanoTime() + options.drain().toNanos();
            // Every answer first: an update is owed to the subscribers once it was accepted.
            CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                    .handle((v, e) -> null).get(options.drain().toMillis(), TimeUnit.MILLISECONDS);
            long lastReport = System.nanoTime();
            while (!ledger.settled() && System.nanoTime() < deadline) {
                Thread.sleep(50);
                if (System.nanoTime() - lastReport > 2_000_000_000L) {
                    progress.printf(Locale.ROOT, "recovery: %.0f%% loss, draining: %d (subscriber, update) pairs open%n",
                            loss * 100, ledger.open());
                    progress.flush();
                    lastReport = System.nanoTime();
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            long framesDropped = 0;
            for (FabricLink link : hostLinks) {
                framesDropped += link.dropped();
                link.heal().observe(null);
            }
            long recoverRequests = 0;
            long recoveredSegments = 0;
            for (int i = 0; i < subscribers; i++) {
                var stats = fabric.stats(hosts[i + 1]);
                recoverRequests += stats.recoverRequests();
                recoveredSegments += stats.recoveredSegments();
            }
            return new Row(loss, ledger.result(), refused.get(), framesDropped, recoverRequests, recoveredSegments,
                    seconds, "ok");
        }
    }

    private static void awaitCount(AtomicLong counter, long target, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (counter.get() < target) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("warm-up: " + counter.get() + " of " + target + " deliveries within "
                        + timeout);
            }
            Thread.sleep(10);
        }
    }

    /** The measured update (0-based) a frame carries, or -1 if it is not a publish of {@code stateId}. */
    static int measuredUpdate(byte[] frame, int stateId, int warmup) {
        DecodeResult<Ethernet.Frame> ethernet = Ethernet.unwrap(frame);
        if (!ethernet.isOk()) {
            return -1;
        }
        DecodeResult<StarePacket> decoded = PacketCodec.decode(ethernet.orElseThrow().payload());
        if (!decoded.isOk()) {
            return -1;
        }
        StarePacket packet = decoded.orElseThrow();
        if (packet.header().kind() != MessageKind.PUBLISH || packet.header().stateId() != stateId) {
            return -1;
        }
        long seq = seqOf(packet.payload());
        return seq < warmup ? -1 : (int) (seq - warmup);
    }

    /** The publisher's link: publishes go up from the {@code pub} end. */
    private static LinkObserver upstream(int stateId, int warmup, RecoveryLedger ledger) {
        return (from, frame, dropped, nanos) -> {
            if (dropped && from.equals("pub")) {
                int update = measuredUpdate(frame, stateId, warmup);
                if (update >= 0) {
                    ledger.droppedUpstream(update);
                }
            }
        };
    }

    /** A subscriber's link: publishes come down from the switch end ({@code s1}). */
    private static LinkObserver downstream(int sub, int stateId, int warmup, RecoveryLedger ledger) {
        return (from, frame, dropped, nanos) -> {
            if (!from.equals("s1")) {
                return;
            }
            int update = measuredUpdate(frame, stateId, warmup);
            if (update < 0) {
                return;
            }
            if (dropped) {
                ledger.droppedDownstream(sub, update);
            } else {
                ledger.forwardedDownstream(sub, update, nanos);
            }
        };
    }

    /** One subscriber VNF's listener: deliveries and loss notices into the ledger. */
    private static final class Listener implements StateListener {
        private final int sub;
        private final int warmup;
        private final RecoveryLedger ledger;
        private final AtomicLong warmDelivered;
        /** Extended update number minus sequence number; learned from the first delivery. */
        private volatile long offset = Long.MIN_VALUE;

        Listener(int sub, int warmup, RecoveryLedger ledger, AtomicLong warmDelivered) {
            this.sub = sub;
            this.warmup = warmup;
            this.ledger = ledger;
            this.warmDelivered = warmDelivered;
        }

        @Override
        public void onUpdate(int stateId, long update, byte[] value) {
            long now = System.nanoTime();
            long seq = seqOf(value);
            if (offset == Long.MIN_VALUE) {
                offset = update - seq;
            }
            if (seq < warmup) {
                warmDelivered.incrementAndGet();
            } else {
                ledger.delivered(sub, (int) (seq - warmup), now);
            }
        }

        @Override
        public void onLoss(Delivery.Loss loss) {
            long now = System.nanoTime();
            if (offset == Long.MIN_VALUE) {
                return; // cannot happen after the warm-up: every listener has had a delivery
            }
            for (long u = loss.first(); u <= loss.last(); u++) {
                long seq = u - offset;
                if (seq >= warmup) {
                    ledger.unrecoverable(sub, (int) (seq - warmup), now);
                }
            }
        }
    }

    /** A payload of {@code size} bytes for update {@code seq} due at {@code intendedNanos} (the latency harness's layout). */
    static byte[] stamped(long seq, long intendedNanos, int size) {
        byte[] payload = Payloads.allocate(size);
        Payloads.stamp(payload, intendedNanos, seq);
        return payload;
    }

    /** The sequence number of a payload made by {@link #stamped}, or -1 if it is too short to be one. */
    static long seqOf(byte[] payload) {
        return payload.length < Payloads.HEADER ? -1 : Payloads.sequence(payload, 0);
    }
}
