package io.stare.state;

import io.stare.state.store.Change;
import io.stare.state.store.StateKey;
import java.util.concurrent.CompletionStage;

/** A 64-bit counter: read, set, add, delete. */
public final class CounterState extends Structure {

    CounterState(StateSpace space, StateKey key, Mode mode) {
        super(space, key, mode);
    }

    /** The counter, 0 when absent. */
    public CompletionStage<Long> get() {
        return read().thenApply(v -> (Long) v);
    }

    /** Sets it. */
    public CompletionStage<Void> set(long value) {
        return write(new Change.SetCounter(key, value));
    }

    /** Adds {@code delta} (negative subtracts). */
    public CompletionStage<Void> add(long delta) {
        return write(new Change.AddToCounter(key, delta));
    }
}
