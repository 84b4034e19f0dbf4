package io.stare.protocol.control;

import io.stare.protocol.ErrorCode;
import io.stare.protocol.segment.MissingUpdate;
import java.util.List;

/**
 * RECOVER: a subscriber saw a gap in a state's (UPDATE_NO, SEGM_NO, TOT_SEG) sequence and asks the
 * controller for the missing segments from its backlog. Answered by {@link Recovered}, or
 * {@link ControlFailure} with {@link ErrorCode#UNKNOWN_STATE}.
 *
 * @param requestId chosen by the subscriber's middleware to match the reply to the request
 * @param stateId the state, 0..4194303
 * @param subscriberId the subscribing middleware; 1..255 UTF-8 bytes, not blank
 * @param missing what is missing, by extended (64-bit) update number; not empty
 */
public record Recover(long requestId, int stateId, String subscriberId, List<MissingUpdate> missing)
        implements ControlRequest {

    public Recover {
        ControlChecks.stateId("stateId", stateId);
        ControlChecks.name("subscriberId", subscriberId);
        missing = ControlChecks.list("missing", missing);
        if (missing.isEmpty()) {
            throw new IllegalArgumentException("missing must not be empty: a RECOVER names what to recover");
        }
    }
}
