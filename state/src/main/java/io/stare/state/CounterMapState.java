package io.stare.state;

import io.stare.client.StateCodec;
import io.stare.state.store.Bytes;
import io.stare.state.store.Change;
import io.stare.state.store.StateKey;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/** Counters by key (per flow, per signature...): map operations and {@link #addTo}. */
public final class CounterMapState<K> extends Structure {

    private final StateCodec<K> keys;

    CounterMapState(StateSpace space, StateKey key, Mode mode, StateCodec<K> keys) {
        super(space, key, mode);
        this.keys = keys;
    }

    /** Every counter. */
    @SuppressWarnings("unchecked")
    public CompletionStage<Map<K, Long>> get() {
        return read().thenApply(v -> {
            Map<K, Long> out = new LinkedHashMap<>();
            ((Map<Bytes, Long>) v).forEach((field, value) -> out.put(keys.decode(field.toArray()), value));
            return out;
        });
    }

    /** The counter under {@code k}, 0 when absent. */
    @SuppressWarnings("unchecked")
    public CompletionStage<Long> get(K k) {
        Bytes field = Bytes.of(keys.encode(k));
        return read().thenApply(v -> ((Map<Bytes, Long>) v).getOrDefault(field, 0L));
    }

    /** Sets the counter under {@code k}. */
    public CompletionStage<Void> set(K k, long value) {
        return write(new Change.SetField(key, Bytes.of(keys.encode(k)), value));
    }

    /** Adds {@code delta} to the counter under {@code k}. */
    public CompletionStage<Void> addTo(K k, long delta) {
        return write(new Change.AddToField(key, Bytes.of(keys.encode(k)), delta));
    }

    /** Removes the counter under {@code k}. */
    public CompletionStage<Void> remove(K k) {
        return write(new Change.RemoveField(key, Bytes.of(keys.encode(k))));
    }
}
