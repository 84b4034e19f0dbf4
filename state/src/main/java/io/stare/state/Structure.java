package io.stare.state;

import io.stare.state.store.Change;
import io.stare.state.store.StateKey;
import java.util.concurrent.CompletionStage;

/** What every structure handle shares: its item's key, its mode, and the space that writes it. */
public abstract class Structure {

    final StateSpace space;
    final StateKey key;
    final Mode mode;

    Structure(StateSpace space, StateKey key, Mode mode) {
        this.space = space;
        this.key = key;
        this.mode = mode;
    }

    /** The item's key: {@code nf@instance@partition@type@id}. */
    public StateKey key() {
        return key;
    }

    /** How its writes reach the store. */
    public Mode mode() {
        return mode;
    }

    /** Removes the item: a counter reads 0 after, a collection empty, a value absent. */
    public CompletionStage<Void> delete() {
        return write(new Change.Delete(key));
    }

    CompletionStage<Void> write(Change change) {
        return space.write(mode, change);
    }

    CompletionStage<Object> read() {
        return space.read(mode, key);
    }

    @Override
    public String toString() {
        return key + " (" + mode.name().toLowerCase(java.util.Locale.ROOT) + ")";
    }
}
