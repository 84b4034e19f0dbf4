package io.stare.actors.controller;

import com.typesafe.config.Config;
import io.stare.actors.backlog.BacklogLimits;
import io.stare.protocol.address.StareAddress;
import io.stare.protocol.header.StareHeader;
import java.time.Duration;

/**
 * The replica controller's tunables, read from the {@code stare.controller} section of the
 * configuration (see the actors module's {@code reference.conf} for each key's meaning).
 *
 * @param backlogLimits the hard cap on each state's backlog
 * @param truncationInterval how often each state's backlog queries its subscribers and truncates
 * @param subscriberTimeout how long a subscriber may stay silent before it stops holding the
 *     backlog back (and must resync)
 * @param maxVnfId the largest VNF ID handed out; {@link StareHeader#MAX_VNF_ID} unless a test
 *     wants a small space
 * @param maxStateId the largest state ID handed out; {@link StareAddress#MAX_STATE_ID} unless a
 *     test wants a small space
 * @param snapshotEvery events between two snapshots of a backlog or of the registry (older events
 *     are then deleted)
 * @param recoverMaxBytes the most segment payload one RECOVER answer carries (the subscriber asks
 *     again for the rest), so an answer fits one cluster message
 * @param subscribePolicy which VNFs may subscribe to which states
 * @param publishAuthentication whether the controller hands every state's publisher and subscribers a
 *     key, with which their middlewares tag Publish segments and drop those whose tag does not verify
 */
public record ControllerSettings(
        BacklogLimits backlogLimits, Duration truncationInterval, Duration subscriberTimeout,
        int maxVnfId, int maxStateId, int snapshotEvery, long recoverMaxBytes, SubscribePolicy subscribePolicy,
        boolean publishAuthentication) {

    /** With the default snapshot period (1000 events), RECOVER answers of at most 256 KiB and no policy. */
    public ControllerSettings(BacklogLimits backlogLimits, Duration truncationInterval, Duration subscriberTimeout,
                              int maxVnfId, int maxStateId) {
        this(backlogLimits, truncationInterval, subscriberTimeout, maxVnfId, maxStateId, 1000, 256 * 1024);
    }

    /** With no subscribe policy (every VNF may subscribe to every state), Publish segments authenticated. */
    public ControllerSettings(BacklogLimits backlogLimits, Duration truncationInterval, Duration subscriberTimeout,
                              int maxVnfId, int maxStateId, int snapshotEvery, long recoverMaxBytes) {
        this(backlogLimits, truncationInterval, subscriberTimeout, maxVnfId, maxStateId, snapshotEvery, recoverMaxBytes,
                SubscribePolicy.OPEN, true);
    }

    public ControllerSettings {
        if (backlogLimits == null) {
            throw new IllegalArgumentException("backlogLimits must not be null");
        }
        positive("truncation interval", truncationInterval);
        positive("subscriber timeout", subscriberTimeout);
        if (maxVnfId < 0 || maxVnfId > StareHeader.MAX_VNF_ID) {
            throw new IllegalArgumentException(
                    "maxVnfId " + maxVnfId + " is out of range 0.." + StareHeader.MAX_VNF_ID);
        }
        if (maxStateId < 0 || maxStateId > StareAddress.MAX_STATE_ID) {
            throw new IllegalArgumentException(
                    "maxStateId " + maxStateId + " is out of range 0.." + StareAddress.MAX_STATE_ID);
        }
        if (snapshotEvery < 1) {
            throw new IllegalArgumentException("snapshot-every must be positive: " + snapshotEvery);
        }
        if (recoverMaxBytes < 1) {
            throw new IllegalArgumentException("recover-max-bytes must be positive: " + recoverMaxBytes);
        }
        if (subscribePolicy == null) {
            throw new IllegalArgumentException("subscribePolicy must not be null (SubscribePolicy.OPEN for none)");
        }
    }

    /** Reads {@code stare.controller} from a full configuration (e.g. the actor system's). */
    public static ControllerSettings fromConfig(Config config) {
        Config c = config.getConfig("stare.controller");
        return new ControllerSettings(
                new BacklogLimits(c.getBytes("backlog.max-bytes"), c.getLong("backlog.max-segments")),
                c.getDuration("truncation.interval"),
                c.getDuration("truncation.subscriber-timeout"),
                c.getInt("ids.max-vnf-id"),
                c.getInt("ids.max-state-id"),
                c.getInt("persistence.snapshot-every"),
                c.getBytes("recover-max-bytes"),
                SubscribePolicy.fromConfig(c),
                c.getBoolean("publish-authentication"));
    }

    /** These settings with smaller ID spaces, for tests of exhaustion. */
    public ControllerSettings withIdSpaces(int maxVnfId, int maxStateId) {
        return new ControllerSettings(backlogLimits, truncationInterval, subscriberTimeout, maxVnfId, maxStateId,
                snapshotEvery, recoverMaxBytes, subscribePolicy, publishAuthentication);
    }

    /** These settings with another subscribe policy. */
    public ControllerSettings withSubscribePolicy(SubscribePolicy policy) {
        return new ControllerSettings(backlogLimits, truncationInterval, subscriberTimeout, maxVnfId, maxStateId,
                snapshotEvery, recoverMaxBytes, policy, publishAuthentication);
    }

    /** These settings with Publish segments authenticated or not. */
    public ControllerSettings withPublishAuthentication(boolean on) {
        return new ControllerSettings(backlogLimits, truncationInterval, subscriberTimeout, maxVnfId, maxStateId,
                snapshotEvery, recoverMaxBytes, subscribePolicy, on);
    }

    /** These settings with another backlog cap. */
    public ControllerSettings withBacklogLimits(BacklogLimits limits) {
        return new ControllerSettings(limits, truncationInterval, subscriberTimeout, maxVnfId, maxStateId,
                snapshotEvery, recoverMaxBytes, subscribePolicy, publishAuthentication);
    }

    /** These settings with another snapshot period (in events). */
    public ControllerSettings withSnapshotEvery(int events) {
        return new ControllerSettings(backlogLimits, truncationInterval, subscriberTimeout, maxVnfId, maxStateId,
                events, recoverMaxBytes, subscribePolicy, publishAuthentication);
    }

    private static void positive(String what, Duration duration) {
        if (duration == null || duration.isZero() || duration.isNegative()) {
            throw new IllegalArgumentException(what + " must be positive: " + duration);
        }
    }
}
