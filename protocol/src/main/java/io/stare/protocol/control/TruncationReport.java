package io.stare.protocol.control;

import io.stare.protocol.header.StareHeader;

/**
 * A subscriber's answer to {@link TruncationQuery}: it has received every segment of the state up to
 * and including segment {@code highestSegment} of update {@code highestUpdate}, without a gap.
 *
 * <p>"Nothing yet" is {@code highestUpdate = -1} with {@code highestSegment = -1}; see
 * {@link #nothingYet}.
 *
 * @param queryId the query's ID
 * @param stateId the state, 0..4194303
 * @param subscriberId the reporting middleware; 1..255 UTF-8 bytes, not blank
 * @param highestUpdate the extended update number received contiguously up to, -1 if none
 * @param highestSegment the segment of {@code highestUpdate} received contiguously up to,
 *     0..127; -1 exactly when {@code highestUpdate} is -1
 */
public record TruncationReport(
        long queryId, int stateId, String subscriberId, long highestUpdate, int highestSegment)
        implements ControlReply {

    public TruncationReport {
        ControlChecks.stateId("stateId", stateId);
        ControlChecks.name("subscriberId", subscriberId);
        ControlChecks.updateOrNone("highestUpdate", highestUpdate);
        if (highestUpdate == ControlChecks.NO_UPDATE) {
            if (highestSegment != -1) {
                throw new IllegalArgumentException(
                        "highestSegment " + highestSegment + " must be -1 when highestUpdate is -1");
            }
        } else if (highestSegment < 0 || highestSegment >= StareHeader.MAX_SEGMENTS) {
            throw new IllegalArgumentException("highestSegment " + highestSegment
                    + " is out of range 0.." + (StareHeader.MAX_SEGMENTS - 1));
        }
    }

    /** The report of a subscriber that has received nothing of the state yet. */
    public static TruncationReport nothingYet(long queryId, int stateId, String subscriberId) {
        return new TruncationReport(queryId, stateId, subscriberId, ControlChecks.NO_UPDATE, -1);
    }
}
