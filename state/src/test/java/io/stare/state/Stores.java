package io.stare.state;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.stare.state.store.StateStore;
import io.stare.state.store.StateStoreException;
import io.stare.state.store.StateStores;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/** The drivers every test of the API runs against: the services this machine runs, skipped where absent. */
final class Stores {

    /** Every built-in driver's label. */
    static final List<String> DRIVERS = List.of("memory", "redis", "postgres");

    private Stores() {
    }

    /** The reference configuration's store block with {@code driver} chosen. */
    static Config block(String driver) {
        return ConfigFactory.parseString("driver = " + driver)
                .withFallback(ConfigFactory.load().getConfig("stare.state.store"));
    }

    /** Opens {@code driver}'s store at its default (loopback) address; skips the test if the service is absent. */
    static StateStore open(String driver) {
        try {
            return StateStores.open(block(driver));
        } catch (StateStoreException e) {
            Assumptions.assumeTrue(e.kind() != StateStoreException.Kind.UNAVAILABLE,
                    driver + " is not running here: " + e.getMessage());
            throw e;
        }
    }
}
