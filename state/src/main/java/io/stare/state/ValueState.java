package io.stare.state;

import io.stare.client.StateCodec;
import io.stare.state.store.Change;
import io.stare.state.store.StateKey;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * One value (FlexState's name-value): create or update with {@link #set}, read, delete. Each write
 * carries its hybrid-logical-clock time (8 bytes before the codec's), so the latest write over
 * partitions and instances is well defined.
 */
public final class ValueState<T> extends Structure {

    private final StateCodec<T> codec;

    ValueState(StateSpace space, StateKey key, Mode mode, StateCodec<T> codec) {
        super(space, key, mode);
        this.codec = codec;
    }

    /** The value, if set. */
    public CompletionStage<Optional<T>> get() {
        return getStamped().thenApply(v -> v.map(Stamped::value));
    }

    /** The value with the time of its write, if set. */
    @SuppressWarnings("unchecked")
    public CompletionStage<Optional<Stamped<T>>> getStamped() {
        return read().thenApply(v -> ((Optional<byte[]>) v).map(bytes -> decode(bytes, codec)));
    }

    /** Creates or replaces the value. */
    public CompletionStage<Void> set(T value) {
        byte[] payload = codec.encode(value);
        ByteBuffer stamped = ByteBuffer.allocate(Long.BYTES + payload.length);
        stamped.putLong(space.clock().now()).put(payload);
        return write(new Change.PutValue(key, stamped.array()));
    }

    /** The time of a stored value's write (its first 8 bytes); {@link Long#MIN_VALUE} for one without. */
    public static long timestamp(byte[] stored) {
        return stored.length < Long.BYTES ? Long.MIN_VALUE : ByteBuffer.wrap(stored).getLong();
    }

    /** A stored value (as a value item's read gives it) with the time of its write. */
    public static <T> Stamped<T> decode(byte[] stored, StateCodec<T> codec) {
        if (stored.length < Long.BYTES) {
            throw new StateCodec.UndecodableException("a stored value of " + stored.length
                    + " bytes has no timestamp", null);
        }
        long timestamp = ByteBuffer.wrap(stored).getLong();
        return new Stamped<>(codec.decode(Arrays.copyOfRange(stored, Long.BYTES, stored.length)), timestamp);
    }
}
