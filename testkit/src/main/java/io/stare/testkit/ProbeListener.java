package io.stare.testkit;

import io.stare.client.Delivery;
import io.stare.client.StateListener;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;

/**
 * A {@link StateListener} that forwards every {@link Delivery} (updates and losses) to a Pekko
 * {@link TestProbe}, so a test can {@code expectMessage} / {@code expectMessageClass} on it.
 */
public final class ProbeListener implements StateListener {

    private final TestProbe<Delivery> probe;

    ProbeListener(TestProbe<Delivery> probe) {
        this.probe = probe;
    }

    /** The probe that receives the deliveries. */
    public TestProbe<Delivery> probe() {
        return probe;
    }

    @Override
    public void onUpdate(int stateId, long update, byte[] value) {
        // Not called: onDelivery is overridden.
    }

    @Override
    public void onDelivery(Delivery.Update update) {
        probe.ref().tell(update);
    }

    @Override
    public void onLoss(Delivery.Loss loss) {
        probe.ref().tell(loss);
    }
}
