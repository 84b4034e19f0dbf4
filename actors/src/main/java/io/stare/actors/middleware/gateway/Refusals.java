package io.stare.actors.middleware.gateway;

import io.stare.actors.middleware.PublishResult;
import io.stare.actors.middleware.StareClient;
import io.stare.protocol.DecodeError;
import io.stare.protocol.vnf.VnfMessage.Error.Code;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Which wire {@link Code} a refusal becomes: pure functions, tested alone.
 *
 * <p>The middleware refuses with text ({@code Middleware.Failed} reasons, which carry the replica
 * controller's failure code name when it was the controller that refused); we recognize those words.
 */
final class Refusals {

    private Refusals() {
    }

    /** A frame the decoder refused: an oversize length is a payload above our limit, the rest bad requests. */
    static Code of(DecodeError error) {
        return error.kind() == DecodeError.Kind.OVERSIZE ? Code.PAYLOAD_TOO_LARGE : Code.BAD_REQUEST;
    }

    /** A refused publish. */
    static Code of(PublishResult.Reason reason) {
        return switch (reason) {
            case NOT_DECLARED -> Code.NOT_PUBLISHER;
            case TOO_LARGE -> Code.PAYLOAD_TOO_LARGE;
            case BACK_PRESSURED, UNAVAILABLE -> Code.UNAVAILABLE;
        };
    }

    /** A failed StareClient request (a {@link StareClient.StareException}, a timeout, or a bug). */
    static Code of(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof TimeoutException || cause.getClass().getSimpleName().contains("Timeout")) {
            return Code.UNAVAILABLE;
        }
        if (!(cause instanceof StareClient.StareException)) {
            return Code.INTERNAL;
        }
        return ofReason(String.valueOf(cause.getMessage()));
    }

    /** A middleware refusal's reason text. */
    static Code ofReason(String reason) {
        if (reason.contains("ID_SPACE_EXHAUSTED")) {
            return Code.ID_SPACE_EXHAUSTED;
        }
        if (reason.contains("UNKNOWN_STATE") || reason.contains("no VNF declared the state")) {
            return Code.UNKNOWN_STATE;
        }
        if (reason.contains("NOT_PUBLISHER") || reason.contains("another local VNF publishes it")) {
            return Code.NOT_PUBLISHER;
        }
        if (reason.contains("UNAVAILABLE") || reason.contains("did not answer") || reason.contains("no SUB-ack")) {
            return Code.UNAVAILABLE;
        }
        return Code.BAD_REQUEST;
    }

    /** The message of a failure, without the wrapping of futures. */
    static String describe(Throwable failure) {
        Throwable cause = unwrap(failure);
        return cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
