package io.stare.state.store;

import io.stare.state.store.memory.MemoryStore;

class MemoryStoreTest extends StateStoreContract {

    @Override
    protected StateStore open() {
        return new MemoryStore();
    }
}
