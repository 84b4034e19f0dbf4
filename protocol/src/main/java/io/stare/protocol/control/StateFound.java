package io.stare.protocol.control;

/**
 * The answer to {@link LookupState} when the state has been declared.
 *
 * @param stateName the state's global name
 * @param stateId its ID, 0..4194303
 * @param publisherVnfId its publisher's VNF ID, 0..1023
 */
public record StateFound(String stateName, int stateId, int publisherVnfId) implements ControlReply {

    public StateFound {
        ControlChecks.name("stateName", stateName);
        ControlChecks.stateId("stateId", stateId);
        ControlChecks.vnfId("publisherVnfId", publisherVnfId);
    }
}
