package io.stare.protocol.control;

import io.stare.protocol.ErrorCode;

/**
 * A registered VNF declares a state it will publish, and asks for its state ID. Answered by
 * {@link StateDeclared}; {@link ControlFailure} with {@link ErrorCode#NOT_PUBLISHER} when
 * another VNF already publishes a state of that name, or
 * {@link ErrorCode#ID_SPACE_EXHAUSTED} when all state IDs are taken.
 *
 * @param publisherVnfId the declaring VNF's ID, 0..1023
 * @param stateName the state's global name; 1..255 UTF-8 bytes, not blank
 */
public record DeclareState(int publisherVnfId, String stateName) implements ControlRequest {

    public DeclareState {
        ControlChecks.vnfId("publisherVnfId", publisherVnfId);
        ControlChecks.name("stateName", stateName);
    }
}
