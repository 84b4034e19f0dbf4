package io.stare.protocol.control;

import io.stare.protocol.auth.PublishKey;

/**
 * The state ID assigned in answer to {@link DeclareState}. A repeated declaration of the same name by
 * the same publisher (a retry) is expected to be answered with the same ID.
 *
 * @param stateName the state's global name
 * @param stateId the assigned ID, 0..4194303 (the 22-bit STATE_ID of the address)
 * @param publisherVnfId the publishing VNF's ID, 0..1023
 * @param key the key of the state's Publish segments, or null when the controller does not authenticate them
 */
public record StateDeclared(String stateName, int stateId, int publisherVnfId, PublishKey key) implements ControlReply {

    public StateDeclared {
        ControlChecks.name("stateName", stateName);
        ControlChecks.stateId("stateId", stateId);
        ControlChecks.vnfId("publisherVnfId", publisherVnfId);
    }

    /** An answer without a key: Publish segments of the state go untagged. */
    public StateDeclared(String stateName, int stateId, int publisherVnfId) {
        this(stateName, stateId, publisherVnfId, null);
    }
}
