package io.stare.protocol.segment;

import java.util.List;

/**
 * What a subscriber's reassembler asks the replica controller for: exactly the updates and
 * segments of one publisher's state that it lacks, lowest first.
 *
 * @param stateId the state
 * @param vnfId the publishing VNF
 * @param missing the missing updates, ascending, never empty
 */
public record RecoveryRequest(int stateId, int vnfId, List<MissingUpdate> missing) {

    public RecoveryRequest {
        missing = List.copyOf(missing);
        if (missing.isEmpty()) {
            throw new IllegalArgumentException("a recovery request names at least one missing update");
        }
    }
}
