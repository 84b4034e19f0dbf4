package io.stare.protocol.control;

/**
 * Sent by the controller to each subscriber's middleware of a state (the one request that flows
 * controller to middleware): how far have you received this state? Each answers with a
 * {@link TruncationReport}; the controller truncates the backlog up to the minimum of the reports.
 *
 * @param queryId chosen by the controller to match reports to this round of truncation
 * @param stateId the state, 0..4194303
 */
public record TruncationQuery(long queryId, int stateId) implements ControlRequest {

    public TruncationQuery {
        ControlChecks.stateId("stateId", stateId);
    }
}
