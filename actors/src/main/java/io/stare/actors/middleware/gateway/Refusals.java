package io.stare.actors.middleware.gateway;

import io.stare.client.PublishResult;
import io.stare.client.StareClient;
import io.stare.client.StareException;
import io.stare.protocol.DecodeError;
import io.stare.protocol.ErrorCode;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Which wire {@link ErrorCode} a refusal becomes: pure functions, tested alone.
 *
 * <p>Refusals arrive typed ({@code Middleware.Failed} and {@code StareException} carry an
 * {@link ErrorCode}, the replica controller's own when it refused); nothing here reads message text.
 */
final class Refusals {

    private Refusals() {
    }

    /** A frame the decoder refused: an oversize length is a payload above our limit, the rest bad requests. */
    static ErrorCode of(DecodeError error) {
        return error.kind() == DecodeError.Kind.OVERSIZE ? ErrorCode.PAYLOAD_TOO_LARGE : ErrorCode.BAD_REQUEST;
    }

    /** A refused publish. */
    static ErrorCode of(PublishResult.Reason reason) {
        return switch (reason) {
            case NOT_DECLARED -> ErrorCode.NOT_PUBLISHER;
            case TOO_LARGE -> ErrorCode.PAYLOAD_TOO_LARGE;
            case BACK_PRESSURED -> ErrorCode.BACK_PRESSURED;
            case UNAVAILABLE -> ErrorCode.UNAVAILABLE;
        };
    }

    /** A failed StareClient request: its {@link StareException#code()}, a timeout, or a bug. */
    static ErrorCode of(Throwable failure) {
        Throwable cause = unwrap(failure);
        if (cause instanceof StareException refused) {
            return refused.code();
        }
        return cause instanceof TimeoutException ? ErrorCode.UNAVAILABLE : ErrorCode.INTERNAL;
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
