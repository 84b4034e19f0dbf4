package io.stare.state.flush;

import io.stare.state.store.StateKey;
import io.stare.state.store.StateStore;
import java.util.concurrent.CompletionStage;

/** Reads an item of any type, as the type's own read gives it (what {@link Delta#applyTo} takes). */
public final class StateReads {

    private StateReads() {
    }

    /** The item under {@code key}: Optional of bytes, Long, List, Set or Map by its type. */
    public static CompletionStage<Object> read(StateStore store, StateKey key) {
        switch (key.type()) {
            case VALUE:
                return store.value(key).thenApply(v -> v);
            case COUNTER:
                return store.counter(key).thenApply(v -> v);
            case LIST:
                return store.list(key).thenApply(v -> v);
            case SET:
                return store.set(key).thenApply(v -> v);
            case MAP:
                return store.map(key).thenApply(v -> v);
            case COUNTERMAP:
                return store.counterMap(key).thenApply(v -> v);
            default:
                throw new IllegalArgumentException("no read for " + key.type());
        }
    }
}
