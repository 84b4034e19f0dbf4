package io.stare.protocol;

import java.util.Objects;
import java.util.function.Function;

/**
 * The outcome of decoding untrusted bytes: either a value or a typed {@link DecodeError}.
 *
 * <p>Every decoder in this module returns one of these and never throws for bad input, so a
 * listener can count a malformed frame and carry on with the next one.
 *
 * @param <T> the decoded value's type
 */
public sealed interface DecodeResult<T> permits DecodeResult.Ok, DecodeResult.Failure {

    /** A successfully decoded value. */
    record Ok<T>(T value) implements DecodeResult<T> {
        public Ok {
            Objects.requireNonNull(value, "value");
        }
    }

    /** Input that could not be decoded, and why. */
    record Failure<T>(DecodeError error) implements DecodeResult<T> {
        public Failure {
            Objects.requireNonNull(error, "error");
        }
    }

    static <T> DecodeResult<T> ok(T value) {
        return new Ok<>(value);
    }

    static <T> DecodeResult<T> fail(DecodeError.Kind kind, String detail) {
        return new Failure<>(new DecodeError(kind, detail));
    }

    static <T> DecodeResult<T> fail(DecodeError error) {
        return new Failure<>(error);
    }

    default boolean isOk() {
        return this instanceof Ok;
    }

    /** The value; throws {@link IllegalStateException} on a failure (for tests and module edges). */
    default T orElseThrow() {
        if (this instanceof Ok<T> ok) {
            return ok.value();
        }
        throw new IllegalStateException(((Failure<T>) this).error().toString());
    }

    /** The error, or {@code null} when this is a success. */
    default DecodeError errorOrNull() {
        return this instanceof Failure<T> failure ? failure.error() : null;
    }

    /** Applies {@code f} to a success and passes a failure through unchanged. */
    default <R> DecodeResult<R> map(Function<? super T, ? extends R> f) {
        if (this instanceof Ok<T> ok) {
            return new Ok<>(f.apply(ok.value()));
        }
        return new Failure<>(((Failure<T>) this).error());
    }

    /** Chains a second decoding step onto a success. */
    default <R> DecodeResult<R> flatMap(Function<? super T, DecodeResult<R>> f) {
        if (this instanceof Ok<T> ok) {
            return f.apply(ok.value());
        }
        return new Failure<>(((Failure<T>) this).error());
    }
}
