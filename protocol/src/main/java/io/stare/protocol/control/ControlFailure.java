package io.stare.protocol.control;

/**
 * The answer to any {@link ControlRequest} that could not be served.
 *
 * @param code what went wrong, for the requester to act on
 * @param message a human-readable explanation, for logs; may be empty, not null
 */
public record ControlFailure(Code code, String message) implements ControlReply {

    /** Why a request failed. */
    public enum Code {
        /** No VNF or state ID is left to assign. */
        ID_SPACE_EXHAUSTED,
        /** The request names a state that was never declared. */
        UNKNOWN_STATE,
        /** The requester is not the publisher of the state (e.g. it declares another VNF's state). */
        NOT_PUBLISHER,
        /** The request is well-formed but makes no sense to the controller. */
        INVALID_ARGUMENT,
        /** The controller cannot serve the request now (e.g. the shard is moving); retry later. */
        UNAVAILABLE,
        /**
         * The state's backlog has more work queued than it takes (it is persisting and commands wait
         * behind it); retry after a pause. Said instead of dropping the request silently.
         */
        BUSY
    }

    public ControlFailure {
        ControlChecks.notNull("code", code);
        ControlChecks.notNull("message", message);
    }
}
