package io.stare.actors.middleware;

import static org.junit.jupiter.api.Assertions.fail;

import io.stare.client.Delivery;
import io.stare.client.StateListener;
import io.stare.testing.TestTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.awaitility.core.ConditionTimeoutException;

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
    List<Heard> awaitUpdates(Predicate<List<Heard>> condition, Duration within, String what) {
        try {
            return TestTime.eventually(within, this::updates, condition);
        } catch (ConditionTimeoutException e) {
            return fail("timed out waiting for " + what + "; heard " + updates().size() + " updates, losses "
                    + losses());
        }
    }

    List<Heard> awaitCount(int count, Duration within) {
        return awaitUpdates(h -> h.size() >= count, within, count + " updates");
    }
}
