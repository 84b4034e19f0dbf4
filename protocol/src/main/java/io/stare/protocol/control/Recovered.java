package io.stare.protocol.control;

import io.stare.protocol.segment.Segment;

import io.stare.protocol.segment.MissingUpdate;
import java.util.List;

/**
 * The answer to {@link Recover}: what the backlog still had, what it no longer has, and how far it
 * reaches.
 *
 * <p>Every missing piece of the request appears either in {@code segments} or in {@code truncated},
 * so the subscriber can report an unrecoverable gap rather than leave a silent hole.
 *
 * @param requestId the request's ID
 * @param stateId the state, 0..4194303
 * @param segments the recovered segments, all of {@code stateId} and none newer than
 *     {@code latestUpdate}
 * @param truncated what the request asked for that the backlog no longer holds (already truncated,
 *     or never seen by it)
 * @param latestUpdate the newest extended update number the backlog knows, -1 if none; a subscriber
 *     whose newest update is older has lost the last update(s) and should recover them too
 */
public record Recovered(
        long requestId, int stateId, List<Segment> segments, List<MissingUpdate> truncated,
        long latestUpdate) implements ControlReply {

    public Recovered {
        ControlChecks.stateId("stateId", stateId);
        segments = ControlChecks.list("segments", segments);
        truncated = ControlChecks.list("truncated", truncated);
        ControlChecks.updateOrNone("latestUpdate", latestUpdate);
        for (int i = 0; i < segments.size(); i++) {
            Segment segment = segments.get(i);
            if (segment.stateId() != stateId) {
                throw new IllegalArgumentException("segments[" + i + "] is of state " + segment.stateId()
                        + ", not of stateId " + stateId);
            }
            if (segment.update() > latestUpdate) {
                throw new IllegalArgumentException("segments[" + i + "] has update " + segment.update()
                        + ", newer than latestUpdate " + latestUpdate);
            }
        }
    }
}
