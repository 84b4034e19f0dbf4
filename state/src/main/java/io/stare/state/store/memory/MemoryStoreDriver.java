package io.stare.state.store.memory;

import com.typesafe.config.Config;
import io.stare.state.store.StateStore;
import io.stare.state.store.StateStoreDriver;

/** {@code stare.state.store.driver = memory}: {@link MemoryStore}, no settings. */
public final class MemoryStoreDriver implements StateStoreDriver {

    @Override
    public String label() {
        return "memory";
    }

    @Override
    public StateStore open(Config settings) {
        return new MemoryStore();
    }
}
