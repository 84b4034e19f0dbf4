package io.stare.client;

/**
 * Receives a subscribed state's updates as values of type {@code T}, decoded by a
 * {@link StateCodec}; the typed counterpart of {@link StateListener}, with the same guarantees
 * (one call at a time, in update order).
 *
 * @param <T> the value type
 */
@FunctionalInterface
public interface ValueListener<T> {

    /** One whole update, decoded. */
    void onValue(int stateId, long update, T value);

    /** Updates that will never arrive. */
    default void onLoss(Delivery.Loss loss) {
    }

    /**
     * An update whose bytes the codec refused. By default the error is thrown on, and the VNF
     * logs it with the state and update; either way the stream goes on with the next update.
     */
    default void onUndecodable(Delivery.Update update, StateCodec.UndecodableException error) {
        throw error;
    }

    /** This listener behind a byte-level {@link StateListener} that decodes with {@code codec}. */
    default StateListener decodingWith(StateCodec<T> codec) {
        ValueListener<T> typed = this;
        return new StateListener() {
            @Override
            public void onUpdate(int stateId, long update, byte[] value) {
                onDelivery(new Delivery.Update(stateId, -1, update, value));
            }

            @Override
            public void onDelivery(Delivery.Update update) {
                T value;
                try {
                    value = codec.decode(update.value());
                } catch (StateCodec.UndecodableException e) {
                    typed.onUndecodable(update, e);
                    return;
                }
                typed.onValue(update.stateId(), update.update(), value);
            }

            @Override
            public void onLoss(Delivery.Loss loss) {
                typed.onLoss(loss);
            }
        };
    }
}
