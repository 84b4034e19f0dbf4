package io.stare.state.store.postgres;

import com.typesafe.config.Config;
import io.stare.state.store.StateStore;
import io.stare.state.store.StateStoreDriver;

/**
 * {@code stare.state.store.driver = postgres}: {@link PostgresStore}, with the settings of
 * {@code stare.state.store.postgres} (url, user, password, schema, pool-size, timeout); what the
 * block lacks comes from {@code reference.conf}.
 */
public final class PostgresStoreDriver implements StateStoreDriver {

    /** For {@link java.util.ServiceLoader}. */
    public PostgresStoreDriver() {
    }

    @Override
    public String label() {
        return "postgres";
    }

    @Override
    public StateStore open(Config settings) {
        return PostgresStore.open(PostgresSettings.of(settings));
    }
}
