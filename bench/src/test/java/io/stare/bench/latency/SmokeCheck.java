package io.stare.bench.latency;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.testing.TestTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The check every system's smoke test makes: a session with two subscribers, 50 stamped payloads of
 * 64 B and then of 16 KB published back to back, and what each subscriber received compared byte for
 * byte with what was published. Every wait is bounded.
 */
final class SmokeCheck {

    static final int SUBSCRIBERS = 2;
    static final int COUNT = 50;
    static final int[] SIZES = {64, 16_384};
    private static final long WAIT_MS = 8_000;

    private SmokeCheck() {
    }

    /** Every subscriber receives every payload exactly once, intact. */
    static void assertAllDelivered(PubSubSystem system) throws Exception {
        for (int size : SIZES) {
            Run run = publish(system, size, received -> received.distinct() == COUNT);
            for (int s = 0; s < SUBSCRIBERS; s++) {
                Subscriber subscriber = run.subscribers.get(s);
                String where = system.name() + ", " + size + " B, subscriber " + s;
                assertEquals(COUNT, subscriber.distinct(), where + ": distinct payloads received");
                assertEquals(COUNT, subscriber.deliveries.get(), where + ": deliveries (duplicates?)");
                assertIntact(run, subscriber, where);
            }
        }
    }

    /**
     * Every subscriber receives the last payload, intact, and only intact published payloads: for a
     * system that delivers the latest value, not every update.
     */
    static void assertLatestDelivered(PubSubSystem system) throws Exception {
        for (int size : SIZES) {
            Run run = publish(system, size, received -> received.bySequence.containsKey((long) COUNT - 1));
            for (int s = 0; s < SUBSCRIBERS; s++) {
                Subscriber subscriber = run.subscribers.get(s);
                String where = system.name() + ", " + size + " B, subscriber " + s;
                assertNotNull(subscriber.bySequence.get((long) COUNT - 1), where + ": the last payload");
                assertTrue(subscriber.deliveries.get() > 0, where + ": deliveries");
                assertIntact(run, subscriber, where);
            }
        }
    }

    private static void assertIntact(Run run, Subscriber subscriber, String where) {
        for (Map.Entry<Long, byte[]> received : subscriber.bySequence.entrySet()) {
            int sequence = (int) (long) received.getKey();
            assertTrue(sequence >= 0 && sequence < COUNT, where + ": unknown sequence " + sequence);
            assertArrayEquals(run.published.get(sequence), received.getValue(), where + ": bytes of " + sequence);
        }
    }

    private static Run publish(PubSubSystem system, int size, Predicate<Subscriber> done) throws Exception {
        Run run = new Run();
        for (int s = 0; s < SUBSCRIBERS; s++) {
            run.subscribers.add(new Subscriber());
        }
        try (PubSubSystem.Session session = system.start(SUBSCRIBERS, size, run::onDelivery)) {
            for (int i = 0; i < COUNT; i++) {
                byte[] payload = Payloads.allocate(size);
                Payloads.stamp(payload, System.nanoTime(), i);
                run.published.add(payload.clone());
                assertTrue(session.publish(payload), system.name() + " refused publish " + i + ": "
                        + session.firstRefusal());
            }
            TestTime.eventually(java.time.Duration.ofMillis(WAIT_MS), () -> assertTrue(
                    run.subscribers.stream().allMatch(done), system.name() + ": every subscriber done"));
            assertEquals(0, session.refusedLater(), system.name() + ": " + session.firstRefusal());
        }
        return run;
    }

    /** What was published and what each subscriber received. */
    private static final class Run {
        final List<byte[]> published = new ArrayList<>();
        final List<Subscriber> subscribers = new ArrayList<>();

        void onDelivery(int subscriber, byte[] buffer, int offset, int length, long receiveNanos) {
            subscribers.get(subscriber).add(Arrays.copyOfRange(buffer, offset, offset + length));
        }
    }

    /** One subscriber's deliveries, by sequence number. */
    private static final class Subscriber {
        final Map<Long, byte[]> bySequence = new ConcurrentHashMap<>();
        final AtomicInteger deliveries = new AtomicInteger();

        void add(byte[] payload) {
            deliveries.incrementAndGet();
            bySequence.put(Payloads.sequence(payload, 0), payload);
        }

        int distinct() {
            return bySequence.size();
        }
    }
}
