package io.stare.actors.middleware;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** A listener that records what it hears, and waits (bounded) for it. */
class Recorder implements StateListener {

    record Heard(int stateId, long update, byte[] value) {
    }

    private final List<Heard> updates = new ArrayList<>();
    private final List<Delivery.Loss> losses = new ArrayList<>();

    @Override
    public synchronized void onUpdate(int stateId, long update, byte[] value) {
        updates.add(new Heard(stateId, update, value));
    }

    @Override
    public synchronized void onLoss(Delivery.Loss loss) {
        losses.add(loss);
    }

    synchronized List<Heard> updates() {
        return List.copyOf(updates);
    }

    synchronized List<Delivery.Loss> losses() {
        return List.copyOf(losses);
    }

    /** Waits until {@code condition} holds on the updates heard so far. */
    List<Heard> awaitUpdates(Predicate<List<Heard>> condition, Duration within, String what) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            List<Heard> heard = updates();
            if (condition.test(heard)) {
                return heard;
            }
            Thread.sleep(10);
        }
        List<Heard> heard = updates();
        fail("timed out waiting for " + what + "; heard " + heard.size() + " updates, losses " + losses());
        return heard;
    }

    List<Heard> awaitCount(int count, Duration within) throws InterruptedException {
        return awaitUpdates(h -> h.size() >= count, within, count + " updates");
    }
}
