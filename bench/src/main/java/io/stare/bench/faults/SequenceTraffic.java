package io.stare.bench.faults;

import io.stare.client.Delivery;
import io.stare.client.PublishResult;
import io.stare.client.StareClient;
import io.stare.client.StateListener;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;

/**
 * A publisher VNF publishing a known sequence ({@link SequenceCheck#value}) at a steady rate
 * through one server's gateway, and subscriber VNFs on other servers checking what they get. The
 * VNFs are {@link StareClient}s in this JVM, over TCP, as VNFs in processes of their own are. When
 * the publisher's middleware dies, the client connects again and declares its state again by
 * itself; meanwhile publishes fail, and the publisher goes on with the next sequence. A publish
 * whose outcome is unknown is not retried under the same sequence (it may have been published) and
 * counts only if delivered.
 */
public final class SequenceTraffic implements AutoCloseable {

    private final ProcessDeployment deployment;
    private final String state;
    private final String publisherServer;
    private final int perSecond;
    private final Duration timeout;
    private final List<String> subscriberServers;
    private final Map<String, SequenceCheck> checks = new LinkedHashMap<>();
    private final Map<String, StareClient> subscribers = new LinkedHashMap<>();
    private final Map<Long, Long> acknowledged = new ConcurrentHashMap<>();
    /** When each sequence was handed to the publisher, and when each in-JVM subscriber got it (nanoTime). */
    private final Map<Long, Long> publishedAt = new ConcurrentHashMap<>();
    private final Map<String, Map<Long, Long>> deliveredAt = new ConcurrentHashMap<>();
    private final AtomicLong failed = new AtomicLong();
    private volatile Throwable lastFailure;
    private volatile long longestPauseNanos;
    private volatile boolean publishing;
    private volatile StareClient publisher;
    private Thread thread;

    /**
     * @param perSecond publishes per second
     * @param timeout how long a publish, a connection or the settling of the subscribers may take
     */
    public SequenceTraffic(ProcessDeployment deployment, String state, String publisherServer,
                           List<String> subscriberServers, int perSecond, Duration timeout) {
        this.deployment = deployment;
        this.state = state;
        this.publisherServer = publisherServer;
        this.perSecond = perSecond;
        this.timeout = timeout;
        this.subscriberServers = List.copyOf(subscriberServers);
        subscriberServers.forEach(server -> checks.put(server, new SequenceCheck()));
    }

    /**
     * Subscribes on every subscriber server, declares the state, publishes warm-up values until every
     * subscriber has one (the trees are in place), then publishes the counted sequence from 0 on a
     * thread of its own until {@link #stopPublishing}.
     */
    public void start() throws Exception {
        publisher = connectAndDeclare();
        for (String server : subscriberServers) {
            StareClient subscriber = StareClient.connect(deployment.gateway(server), "subscriber-" + server, timeout);
            subscribers.put(server, subscriber);
            Map<Long, Long> arrivals = new ConcurrentHashMap<>();
            deliveredAt.put(server, arrivals);
            subscriber.subscribe(state, listener(checks.get(server), arrivals), timeout).toCompletableFuture()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        long warmUp = -1;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!checks.values().stream().allMatch(check -> warmUps(check) > 0)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no subscriber heard a warm-up update within " + timeout);
            }
            publisher.publish(state, SequenceCheck.value(warmUp--)).toCompletableFuture()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            Thread.sleep(20); // paces the warm-up; the loop's end is decided by what the subscribers heard
        }
        publishing = true;
        thread = new Thread(this::publishLoop, "sequence-publisher");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * A subscriber this class does not run (a Python VNF, say), known by {@code name}: whoever runs it
     * hands its deliveries and losses to the check returned, under the check's lock. Call before
     * {@link #start}, once that subscriber is subscribed: the warm-up waits for it too.
     */
    public SequenceCheck external(String name) {
        SequenceCheck check = new SequenceCheck();
        checks.put(name, check);
        return check;
    }

    /** Sequences published so far with an acknowledgement. */
    public int acknowledged() {
        return acknowledged.size();
    }

    /** Waits until at least {@code count} more sequences have been acknowledged. */
    public void awaitAcknowledged(int more) {
        int target = acknowledged.size() + more;
        try {
            Awaitility.await().atMost(timeout.multipliedBy(3)).pollInterval(Duration.ofMillis(20))
                    .until(() -> acknowledged.size() >= target);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(acknowledged.size() + " of " + target + " publishes acknowledged; "
                    + failed + " publishes failed; the last failure: " + lastFailure, e);
        }
    }

    /** The longest time between two acknowledged publishes (the publisher's pause in a fault). */
    public Duration longestPause() {
        return Duration.ofNanos(longestPauseNanos);
    }

    /**
     * The median time from publish to delivery of the last {@code count} acknowledged sequences,
     * at the slowest in-JVM subscriber: whether the data plane carries the stream again at the end
     * of a run (about a millisecond) or only recovery does (hundreds).
     */
    public Duration lastLatency(int count) {
        return medianLatency(acknowledged.keySet().stream().sorted(java.util.Comparator.reverseOrder()).limit(count)
                .toList());
    }

    /** The same for the first {@code count} acknowledged sequences: before any fault, the unloaded figure. */
    public Duration firstLatency(int count) {
        return medianLatency(acknowledged.keySet().stream().sorted().limit(count).toList());
    }

    private Duration medianLatency(List<Long> sequences) {
        long worst = 0;
        for (Map<Long, Long> arrivals : deliveredAt.values()) {
            long[] latencies = sequences.stream().filter(arrivals::containsKey)
                    .mapToLong(sequence -> arrivals.get(sequence) - publishedAt.get(sequence)).sorted().toArray();
            if (latencies.length > 0) {
                worst = Math.max(worst, latencies[latencies.length / 2]);
            }
        }
        return Duration.ofNanos(worst);
    }

    /** The publisher's rate, per second. */
    public int perSecond() {
        return perSecond;
    }

    /** Publishes refused or unanswered (the publisher's middleware was down). */
    public long failedPublishes() {
        return failed.get();
    }

    /** Stops the counted sequence. */
    public void stopPublishing() throws InterruptedException {
        publishing = false;
        if (thread != null) {
            thread.join(timeout.toMillis() * 2);
        }
    }

    /**
     * Waits until every subscriber has got, or heard of the loss of, every acknowledged sequence (at
     * most {@code settle}), then returns each subscriber's tally.
     */
    public Map<String, SequenceCheck.Tally> settle(Duration settle) {
        Map<Long, Long> sent = Map.copyOf(acknowledged);
        try {
            Awaitility.await().atMost(settle).pollInterval(Duration.ofMillis(50)).until(() -> checks.values().stream()
                    .allMatch(check -> tally(check, sent).lostSilently() == 0));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // what is still missing then is missing: the tallies say so
        }
        Map<String, SequenceCheck.Tally> tallies = new LinkedHashMap<>();
        checks.forEach((server, check) -> tallies.put(server, tally(check, sent)));
        return tallies;
    }

    @Override
    public void close() {
        publishing = false;
        StareClient current = publisher;
        if (current != null) {
            current.close();
        }
        subscribers.values().forEach(StareClient::close);
    }

    private void publishLoop() {
        long sequence = 0;
        long periodNanos = 1_000_000_000L / perSecond;
        long next = System.nanoTime();
        long lastAcknowledged = next;
        while (publishing) {
            try {
                publishedAt.put(sequence, System.nanoTime());
                PublishResult result = publisher.publish(state, SequenceCheck.value(sequence)).toCompletableFuture()
                        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                if (result instanceof PublishResult.Published published) {
                    acknowledged.put(sequence, published.update());
                    long now = System.nanoTime();
                    longestPauseNanos = Math.max(longestPauseNanos, now - lastAcknowledged);
                    lastAcknowledged = now;
                } else if (result instanceof PublishResult.Refused refused) {
                    lastFailure = new IllegalStateException(refused.reason() + ": " + refused.detail());
                    failed.incrementAndGet();
                }
            } catch (Exception broken) {
                lastFailure = broken; // the client reconnects by itself; the next sequence goes then
                failed.incrementAndGet();
            }
            sequence++; // never again under the same sequence: an unanswered publish may have gone out
            next += periodNanos;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
            } else {
                next = System.nanoTime();
            }
        }
    }

    private StareClient connectAndDeclare() throws Exception {
        InetSocketAddress gateway = deployment.gateway(publisherServer);
        StareClient client = StareClient.connect(gateway, "publisher", timeout);
        try {
            client.declare(state).toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return client;
        } catch (Exception e) {
            client.close();
            throw e;
        }
    }

    private static StateListener listener(SequenceCheck check, Map<Long, Long> arrivals) {
        return new StateListener() {
            @Override
            public void onUpdate(int stateId, long update, byte[] value) {
                if (value.length == SequenceCheck.VALUE_BYTES) {
                    arrivals.putIfAbsent(java.nio.ByteBuffer.wrap(value).getLong(), System.nanoTime());
                }
                synchronized (check) {
                    check.delivered(update, value);
                }
            }

            @Override
            public void onLoss(Delivery.Loss loss) {
                synchronized (check) {
                    check.lost(loss.first(), loss.last());
                }
            }
        };
    }

    private static long warmUps(SequenceCheck check) {
        synchronized (check) {
            return check.warmUps();
        }
    }

    private static SequenceCheck.Tally tally(SequenceCheck check, Map<Long, Long> sent) {
        synchronized (check) {
            return check.tally(sent);
        }
    }
}
