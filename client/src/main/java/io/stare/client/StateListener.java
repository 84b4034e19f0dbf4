package io.stare.client;

/**
 * Receives a subscribed state's updates. Called by the VNF's actor, one call at a time, in update
 * order; a slow listener back-pressures the VNF's INT module (and beyond its queue, updates are
 * dropped and reported through {@link #onLoss}).
 */
public interface StateListener {

    /** One whole update: its state, extended update number and value. */
    void onUpdate(int stateId, long update, byte[] value);

    /**
     * One whole update with its publisher; what the VNF actor calls. The default hands it to
     * {@link #onUpdate(int, long, byte[])}; override it to see the publishing VNF's ID too.
     */
    default void onDelivery(Delivery.Update update) {
        onUpdate(update.stateId(), update.update(), update.value());
    }

    /** Updates that will never arrive. */
    default void onLoss(Delivery.Loss loss) {
    }
}
