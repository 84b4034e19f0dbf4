package io.stare.protocol.control;

import io.stare.protocol.ErrorCode;

/**
 * A would-be subscriber asks for the ID of a state by name. Answered by {@link StateFound} or
 * {@link StateUnknown}, or {@link ControlFailure} with {@link ErrorCode#NOT_AUTHORIZED} when the
 * controller's subscribe policy does not let {@code subscriberVnf} subscribe to it.
 *
 * @param stateName the state's global name; 1..255 UTF-8 bytes, not blank
 * @param subscriberVnf the name of the VNF that subscribes, checked against the policy; "" for a
 *     plain lookup
 */
public record LookupState(String stateName, String subscriberVnf) implements ControlRequest {

    public LookupState {
        ControlChecks.name("stateName", stateName);
        if (subscriberVnf == null) {
            subscriberVnf = "";
        }
    }

    /** A lookup that subscribes nobody. */
    public LookupState(String stateName) {
        this(stateName, "");
    }
}
