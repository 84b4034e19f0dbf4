package io.stare.protocol.control;

import io.stare.protocol.auth.PublishKey;

/**
 * The answer to {@link LookupState} when the state has been declared.
 *
 * @param stateName the state's global name
 * @param stateId its ID, 0..4194303
 * @param publisherVnfId its publisher's VNF ID, 0..1023
 * @param key the key of the state's Publish segments, or null when the controller does not authenticate them
 */
public record StateFound(String stateName, int stateId, int publisherVnfId, PublishKey key) implements ControlReply {

    public StateFound {
        ControlChecks.name("stateName", stateName);
        ControlChecks.stateId("stateId", stateId);
        ControlChecks.vnfId("publisherVnfId", publisherVnfId);
    }

    /** An answer without a key: Publish segments of the state go untagged. */
    public StateFound(String stateName, int stateId, int publisherVnfId) {
        this(stateName, stateId, publisherVnfId, null);
    }
}
