package io.stare.state.store;

import com.typesafe.config.Config;

/**
 * A kind of store, chosen by its label in {@code stare.state.store.driver}. Drivers are found with
 * {@link java.util.ServiceLoader}: a new one implements this and {@link StateStore} and lists its
 * class in {@code META-INF/services/io.stare.state.store.StateStoreDriver} (docs/state-api.md).
 */
public interface StateStoreDriver {

    /** The label that selects the driver. */
    String label();

    /**
     * Opens a store: connects and checks that it answers, so that a store down, wrong credentials
     * or a wrong setting are one clear error at start.
     *
     * @param settings the driver's block, {@code stare.state.store.<label>}
     * @throws StateStoreException if it cannot
     */
    StateStore open(Config settings);
}
