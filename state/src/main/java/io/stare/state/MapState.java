package io.stare.state;

import io.stare.client.StateCodec;
import io.stare.state.store.Bytes;
import io.stare.state.store.Change;
import io.stare.state.store.StateKey;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** Values by key. Keys are equal when their encodings are. */
public final class MapState<K, V> extends Structure {

    private final StateCodec<K> keys;
    private final StateCodec<V> values;

    MapState(StateSpace space, StateKey key, Mode mode, StateCodec<K> keys, StateCodec<V> values) {
        super(space, key, mode);
        this.keys = keys;
        this.values = values;
    }

    /** Every entry. */
    @SuppressWarnings("unchecked")
    public CompletionStage<Map<K, V>> get() {
        return read().thenApply(v -> {
            Map<K, V> out = new LinkedHashMap<>();
            ((Map<Bytes, byte[]>) v).forEach((field, value) -> out.put(keys.decode(field.toArray()),
                    values.decode(value)));
            return out;
        });
    }

    /** The value under {@code k}, if any. */
    @SuppressWarnings("unchecked")
    public CompletionStage<Optional<V>> get(K k) {
        Bytes field = Bytes.of(keys.encode(k));
        return read().thenApply(v -> Optional.ofNullable(((Map<Bytes, byte[]>) v).get(field)).map(values::decode));
    }

    /** Creates or replaces the value under {@code k}. */
    public CompletionStage<Void> put(K k, V value) {
        return write(new Change.PutField(key, Bytes.of(keys.encode(k)), values.encode(value)));
    }

    /** Removes the value under {@code k}. */
    public CompletionStage<Void> remove(K k) {
        return write(new Change.RemoveField(key, Bytes.of(keys.encode(k))));
    }
}
