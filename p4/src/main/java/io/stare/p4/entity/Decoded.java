package io.stare.p4.entity;

import io.grpc.Status;
import java.util.function.Function;

/**
 * What decoding one P4Runtime entity gave: the value, or why the program cannot take it, as the
 * P4Runtime status code a server answers with and a message.
 *
 * @param <T> the decoded value
 */
public sealed interface Decoded<T> {

    /** The entity stands for {@code value}. */
    record Ok<T>(T value) implements Decoded<T> {
    }

    /** The entity is refused with {@code code} (never OK) and a message saying why. */
    record Refused<T>(Status.Code code, String message) implements Decoded<T> {
        public Refused {
            if (code == Status.Code.OK) {
                throw new IllegalArgumentException("a refusal needs a code other than OK");
            }
        }
    }

    static <T> Decoded<T> ok(T value) {
        return new Ok<>(value);
    }

    static <T> Decoded<T> refused(Status.Code code, String message) {
        return new Refused<>(code, message);
    }

    /** INVALID_ARGUMENT: the entity is malformed or a value does not fit its field. */
    static <T> Decoded<T> invalid(String message) {
        return new Refused<>(Status.Code.INVALID_ARGUMENT, message);
    }

    /** Whether this is a value. */
    default boolean isOk() {
        return this instanceof Ok;
    }

    /** The value; an {@link IllegalStateException} with the refusal's message if there is none. */
    default T orElseThrow() {
        if (this instanceof Ok<T> ok) {
            return ok.value();
        }
        Refused<T> refused = (Refused<T>) this;
        throw new IllegalStateException(refused.code() + ": " + refused.message());
    }

    /** The value mapped, or the same refusal. */
    default <R> Decoded<R> map(Function<T, R> f) {
        if (this instanceof Ok<T> ok) {
            return new Ok<>(f.apply(ok.value()));
        }
        Refused<T> refused = (Refused<T>) this;
        return new Refused<>(refused.code(), refused.message());
    }
}
