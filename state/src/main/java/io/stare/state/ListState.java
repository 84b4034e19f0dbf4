package io.stare.state;

import io.stare.client.StateCodec;
import io.stare.state.store.Change;
import io.stare.state.store.StateKey;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** Values in the order they were appended. */
public final class ListState<T> extends Structure {

    private final StateCodec<T> codec;

    ListState(StateSpace space, StateKey key, Mode mode, StateCodec<T> codec) {
        super(space, key, mode);
        this.codec = codec;
    }

    /** The values, in order. */
    @SuppressWarnings("unchecked")
    public CompletionStage<List<T>> get() {
        return read().thenApply(v -> ((List<byte[]>) v).stream().map(codec::decode).toList());
    }

    /** Appends {@code values}, in order. */
    @SafeVarargs
    public final CompletionStage<Void> append(T... values) {
        return appendAll(List.of(values));
    }

    /** Appends {@code values}, in order. */
    public CompletionStage<Void> appendAll(List<T> values) {
        return write(new Change.Append(key, values.stream().map(codec::encode).toList()));
    }
}
