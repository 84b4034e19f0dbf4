package io.stare.actors.middleware;

/**
 * Receives a subscribed state's updates. Called by the VNF's actor, one call at a time, in update
 * order; a slow listener back-pressures the VNF's INT module (and beyond its queue, updates are
 * dropped and reported through {@link #onLoss}).
 */
public interface StateListener {

    /** One whole update: its state, extended update number and value. */
    void onUpdate(int stateId, long update, byte[] value);

    /** Updates that will never arrive. */
    default void onLoss(Delivery.Loss loss) {
    }
}
