package io.stare.protocol.control;

/**
 * The answer to {@link LookupState} when no publisher has declared the state (yet); the subscriber
 * may ask again later.
 *
 * @param stateName the name that was looked up
 */
public record StateUnknown(String stateName) implements ControlReply {

    public StateUnknown {
        ControlChecks.name("stateName", stateName);
    }
}
