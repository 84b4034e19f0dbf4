package io.stare.protocol.address;

import io.stare.protocol.DecodeError;
import io.stare.protocol.DecodeResult;
import java.util.Locale;

/**
 * The STARE message kind (M_K): two bits carried both in the IPv4 destination address and in the
 * STARE header. Codes are the paper's Table I.
 */
public enum MessageKind {
    PUBLISH(0b00, "publish"),
    SUB_ACK(0b01, "sub-ack"),
    SUB_REMOVE(0b10, "sub-remove"),
    SUB_REGISTER(0b11, "sub-register");

    private static final MessageKind[] BY_CODE = {PUBLISH, SUB_ACK, SUB_REMOVE, SUB_REGISTER};

    private final int code;
    private final String cliName;

    MessageKind(int code, String cliName) {
        this.code = code;
        this.cliName = cliName;
    }

    /** The two-bit M_K code. */
    public int code() {
        return code;
    }

    /** The lower-case, dash-separated name used on command lines and in docs ("sub-register"). */
    public String cliName() {
        return cliName;
    }

    /** Whether this kind is one of the subscription messages (SUB-ack, SUB-remove, SUB-register). */
    public boolean isSubscription() {
        return this != PUBLISH;
    }

    /** The kind for a two-bit code; only the low two bits are looked at. */
    public static MessageKind fromCode(int code) {
        return BY_CODE[code & 0b11];
    }

    /**
     * Parses a kind by its CLI name ("sub-register") or enum name ("SUB_REGISTER"), case-insensitively.
     */
    public static DecodeResult<MessageKind> parse(String text) {
        String normalized = text.trim().toLowerCase(Locale.ROOT).replace('_', '-');
        for (MessageKind kind : values()) {
            if (kind.cliName.equals(normalized)) {
                return DecodeResult.ok(kind);
            }
        }
        return DecodeResult.fail(DecodeError.Kind.UNKNOWN_KIND,
                "unknown message kind '" + text + "' (expected publish, sub-ack, sub-remove or sub-register)");
    }
}
