package io.stare.protocol.control;

/**
 * The answer to {@link LatestUpdateQuery}.
 *
 * @param stateId the state, 0..4194303
 * @param latestUpdate the newest extended update number the backlog knows, -1 if none
 */
public record LatestUpdate(int stateId, long latestUpdate) implements ControlReply {

    public LatestUpdate {
        ControlChecks.stateId("stateId", stateId);
        ControlChecks.updateOrNone("latestUpdate", latestUpdate);
    }
}
