package io.stare.state.store;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** Opens the store the configuration's label chooses, among the drivers on the class path. */
public final class StateStores {

    private StateStores() {
    }

    /** The drivers on the class path, by label. */
    public static Map<String, StateStoreDriver> drivers() {
        Map<String, StateStoreDriver> drivers = new TreeMap<>();
        for (StateStoreDriver driver : ServiceLoader.load(StateStoreDriver.class)) {
            drivers.put(driver.label(), driver);
        }
        return drivers;
    }

    /**
     * Opens the store {@code store.driver} names, with the settings of {@code store.<label>}.
     *
     * @param store the {@code stare.state.store} block
     * @throws StateStoreException for an unknown label, missing settings, or a store that cannot be opened
     */
    public static StateStore open(Config store) {
        String label;
        try {
            label = store.getString("driver").trim();
        } catch (ConfigException e) {
            throw new StateStoreException(StateStoreException.Kind.CONFIGURATION,
                    "stare.state.store.driver: " + e.getMessage(), e);
        }
        Map<String, StateStoreDriver> drivers = drivers();
        StateStoreDriver driver = drivers.get(label);
        if (driver == null) {
            throw new StateStoreException(StateStoreException.Kind.CONFIGURATION, "no state store driver '" + label
                    + "' (stare.state.store.driver); there are: " + String.join(", ", drivers.keySet()));
        }
        Config settings;
        try {
            settings = store.hasPath(label) ? store.getConfig(label) : com.typesafe.config.ConfigFactory.empty();
        } catch (ConfigException e) {
            throw new StateStoreException(StateStoreException.Kind.CONFIGURATION,
                    "stare.state.store." + label + ": " + e.getMessage(), e);
        }
        return driver.open(settings);
    }
}
