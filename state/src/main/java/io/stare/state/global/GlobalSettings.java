package io.stare.state.global;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/**
 * The {@code stare.state.global} block: how instances find each other and keep their replicas.
 *
 * @param prefix the STARE state of instance I of NF N is {@code <prefix>/<N>/<I>}
 * @param maxInstances instances are named 0 .. max-instances - 1; each looks for the others by name
 * @param snapshotPeriod how often an instance publishes all its shared items (also its heartbeat)
 * @param peerTimeout how long a peer may stay silent and still count
 * @param discoveryPeriod how often an instance looks for peers it has not found
 * @param maxMessageBytes the largest message published; larger snapshots go out in parts
 * @param requestTimeout request/reply: how long a peer's answer may take
 */
public record GlobalSettings(String prefix, int maxInstances, Duration snapshotPeriod, Duration peerTimeout,
                             Duration discoveryPeriod, int maxMessageBytes, Duration requestTimeout) {

    public GlobalSettings {
        if (maxInstances < 1 || maxInstances > 1024) {
            throw new IllegalArgumentException("stare.state.global.max-instances must be 1..1024, not " + maxInstances);
        }
        if (peerTimeout.compareTo(snapshotPeriod) <= 0) {
            throw new IllegalArgumentException("stare.state.global.peer-timeout (" + peerTimeout
                    + ") must be longer than snapshot-period (" + snapshotPeriod + "), the heartbeat");
        }
        if (maxMessageBytes < 1024) {
            throw new IllegalArgumentException("stare.state.global.max-message-bytes must be at least 1024");
        }
    }

    /** The settings of {@code config}'s {@code stare.state.global}. */
    public static GlobalSettings fromConfig(Config config) {
        try {
            Config c = config.getConfig("stare.state.global");
            return new GlobalSettings(c.getString("prefix"), c.getInt("max-instances"),
                    c.getDuration("snapshot-period"), c.getDuration("peer-timeout"), c.getDuration("discovery-period"),
                    c.getInt("max-message-bytes"), c.getDuration("request-timeout"));
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * Checks that {@code instance} is a name the others look for: 0 .. max-instances - 1.
     *
     * @throws IllegalArgumentException for any other name, which no peer would ever find
     */
    public void checkInstance(String instance) {
        int slot;
        try {
            slot = Integer.parseInt(instance);
        } catch (NumberFormatException e) {
            slot = -1;
        }
        if (slot < 0 || slot >= maxInstances || !Integer.toString(slot).equals(instance)) {
            throw new IllegalArgumentException("instance '" + instance + "': the global view over STARE finds its "
                    + "peers by name, 0 .. " + (maxInstances - 1) + " (stare.state.instance, "
                    + "stare.state.global.max-instances)");
        }
    }

    /** The STARE state instance {@code instance} of {@code nf} publishes on. */
    public String stateOf(String nf, String instance) {
        return prefix + "/" + nf + "/" + instance;
    }
}
