package io.stare.bench.latency;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The publishes an asynchronous system refused after {@link PubSubSystem.Session#publish} returned,
 * counted from any thread, with the first one's reason kept for the report.
 */
final class Refusals {

    private final AtomicLong count = new AtomicLong();
    private final AtomicReference<String> first = new AtomicReference<>("");

    void add(String reason) {
        count.incrementAndGet();
        first.compareAndSet("", reason);
    }

    long count() {
        return count.get();
    }

    String first() {
        return first.get();
    }
}
