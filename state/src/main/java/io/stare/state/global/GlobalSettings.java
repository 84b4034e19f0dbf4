package io.stare.state.global;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/**
 * The {@code stare.state.global} block: how instances find each other and keep their replicas.
 *
 * @param prefix the STARE state of instance I of NF N is {@code <prefix>/<N>/<I>}
 * @param maxInstances the most instances of the NF one instance counts at once (itself included;
 *     silent ones take no place); more are not subscribed to, and a warning says so
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

    /** The STARE state instance {@code instance} of {@code nf} publishes on. */
    public String stateOf(String nf, String instance) {
        return prefix + "/" + nf + "/" + instance;
    }
}
