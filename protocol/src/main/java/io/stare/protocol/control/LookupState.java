package io.stare.protocol.control;

/**
 * A would-be subscriber asks for the ID of a state by name. Answered by {@link StateFound} or
 * {@link StateUnknown}.
 *
 * @param stateName the state's global name; 1..255 UTF-8 bytes, not blank
 */
public record LookupState(String stateName) implements ControlRequest {

    public LookupState {
        ControlChecks.name("stateName", stateName);
    }
}
