package io.stare.state;

import io.stare.client.StateCodec;
import io.stare.state.store.Bytes;
import io.stare.state.store.Change;
import io.stare.state.store.StateKey;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

/** Distinct values. Members are equal when their encodings are. */
public final class SetState<T> extends Structure {

    private final StateCodec<T> codec;

    SetState(StateSpace space, StateKey key, Mode mode, StateCodec<T> codec) {
        super(space, key, mode);
        this.codec = codec;
    }

    /** The members. */
    @SuppressWarnings("unchecked")
    public CompletionStage<Set<T>> get() {
        return read().thenApply(v -> ((Set<Bytes>) v).stream().map(b -> codec.decode(b.toArray()))
                .collect(Collectors.toSet()));
    }

    /** Whether {@code member} is in. */
    @SuppressWarnings("unchecked")
    public CompletionStage<Boolean> contains(T member) {
        Bytes encoded = Bytes.of(codec.encode(member));
        return read().thenApply(v -> ((Set<Bytes>) v).contains(encoded));
    }

    /** Adds {@code member}. */
    public CompletionStage<Void> add(T member) {
        return write(new Change.AddMember(key, Bytes.of(codec.encode(member))));
    }

    /** Removes {@code member}. */
    public CompletionStage<Void> remove(T member) {
        return write(new Change.RemoveMember(key, Bytes.of(codec.encode(member))));
    }
}
