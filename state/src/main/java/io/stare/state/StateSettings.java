package io.stare.state;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.stare.state.store.StateKey;
import io.stare.state.store.StructureType;
import java.time.Duration;

/**
 * The {@code stare.state} block of reference.conf: whose structures, how writes reach the store,
 * and which store.
 *
 * @param nf the network function's ID
 * @param instance this instance's ID
 * @param mode the structures' default {@link Mode}
 * @param flushPeriod the async flusher's period
 * @param buffer units the async flusher holds before refusing writes
 * @param store the {@code store} block: {@code driver} and each driver's settings
 */
public record StateSettings(String nf, String instance, Mode mode, Duration flushPeriod, int buffer, Config store) {

    /** Checks the settings: a bad one is one clear error at start. */
    public StateSettings {
        new StateKey(nf, instance, 0, StructureType.COUNTER, "check"); // the IDs fit in keys
        if (flushPeriod.isNegative() || flushPeriod.isZero()) {
            throw new IllegalArgumentException("stare.state.flush-period must be positive, not " + flushPeriod);
        }
        if (buffer < 1) {
            throw new IllegalArgumentException("stare.state.buffer must be at least 1, not " + buffer);
        }
    }

    /**
     * The settings of {@code config}'s {@code stare.state} block.
     *
     * @throws IllegalArgumentException naming the bad key
     */
    public static StateSettings fromConfig(Config config) {
        try {
            Config c = config.getConfig("stare.state");
            return new StateSettings(c.getString("nf"), c.getString("instance"), Mode.parse(c.getString("mode")),
                    c.getDuration("flush-period"), c.getInt("buffer"), c.getConfig("store"));
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** The same, for another instance of the network function. */
    public StateSettings withInstance(String other) {
        return new StateSettings(nf, other, mode, flushPeriod, buffer, store);
    }

    /** The same, with another default mode. */
    public StateSettings withMode(Mode other) {
        return new StateSettings(nf, instance, other, flushPeriod, buffer, store);
    }
}
