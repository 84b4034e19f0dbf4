package io.stare.protocol;

import java.util.Objects;

/**
 * Why a piece of input was refused. The {@link Kind} is what listeners count; the detail is for
 * logs and operators and names the offending field and value.
 */
public record DecodeError(Kind kind, String detail) {

    /** The classes of bad input every STARE decoder distinguishes. */
    public enum Kind {
        /** Fewer bytes than the format requires. */
        TRUNCATED,
        /** A length, size or count above the configured or format limit. */
        OVERSIZE,
        /** A message kind or frame type this version does not know. */
        UNKNOWN_KIND,
        /** A field whose value is outside its allowed range. */
        OUT_OF_RANGE,
        /** Structurally wrong input: bad version, bad magic, inconsistent lengths. */
        MALFORMED,
        /** An IPv4 or UDP checksum that does not match the bytes. */
        BAD_CHECKSUM,
        /** A well-formed packet that is not STARE traffic (wrong protocol, port or address). */
        NOT_STARE,
        /** A peer speaking a protocol version we do not support. */
        UNSUPPORTED_VERSION
    }

    public DecodeError {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(detail, "detail");
    }

    @Override
    public String toString() {
        return kind + ": " + detail;
    }
}
