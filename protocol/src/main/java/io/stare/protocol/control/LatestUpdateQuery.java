package io.stare.protocol.control;

import io.stare.protocol.ErrorCode;

/**
 * Asks the controller for the newest update number its backlog knows for a state, e.g. so a
 * subscriber that joined late or went silent learns whether it missed the last update(s). Answered
 * by {@link LatestUpdate}, or {@link ControlFailure} with {@link ErrorCode#UNKNOWN_STATE}.
 *
 * @param stateId the state, 0..4194303
 */
public record LatestUpdateQuery(int stateId) implements ControlRequest {

    public LatestUpdateQuery {
        ControlChecks.stateId("stateId", stateId);
    }
}
