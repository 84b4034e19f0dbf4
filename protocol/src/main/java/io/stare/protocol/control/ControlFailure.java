package io.stare.protocol.control;

import io.stare.protocol.ErrorCode;

/**
 * The answer to any {@link ControlRequest} that could not be served.
 *
 * @param code what went wrong, for the requester to act on (the same code reaches the VNF)
 * @param message a human-readable explanation, for logs; may be empty, not null
 */
public record ControlFailure(ErrorCode code, String message) implements ControlReply {

    public ControlFailure {
        ControlChecks.notNull("code", code);
        ControlChecks.notNull("message", message);
    }
}
