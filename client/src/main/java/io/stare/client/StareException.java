package io.stare.client;

import io.stare.protocol.ErrorCode;
import java.util.Objects;

/** A request the middleware or the replica controller refused: {@link #code()} says why. */
public final class StareException extends RuntimeException {

    private static final long serialVersionUID = 1L;
    private final transient ErrorCode code;

    /** @param message what was asked and why it failed, for people; the code is for programs */
    public StareException(ErrorCode code, String message) {
        super(message);
        this.code = Objects.requireNonNull(code, "code");
    }

    /** @param message what was asked and why it failed; {@code cause} what failed underneath */
    public StareException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    /** Why the request failed; {@link ErrorCode#retryable()} says whether asking again may help. */
    public ErrorCode code() {
        return code;
    }
}
