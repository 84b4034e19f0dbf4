package io.stare.protocol.control;

import io.stare.protocol.address.StareAddress;
import io.stare.protocol.header.StareHeader;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The argument checks shared by the control messages, public so a sender can validate input
 * (a name typed by an operator, say) before building a message.
 *
 * <p>Every check throws {@link IllegalArgumentException} with a message that starts with the name
 * of the offending field.
 */
public final class ControlChecks {

    /** The longest name (VNF, state, middleware, subscriber), in UTF-8 bytes. */
    public static final int MAX_NAME_BYTES = 255;
    /** The update number that stands for "no update at all". */
    public static final long NO_UPDATE = -1;

    private ControlChecks() {
    }

    /**
     * Checks that {@code value} is a non-blank name of 1..{@value #MAX_NAME_BYTES} UTF-8 bytes.
     * Unpaired surrogates are refused: they have no UTF-8 form, so the name would arrive altered.
     */
    public static String name(String field, String value) {
        if (value == null) {
            throw new IllegalArgumentException(field + " must not be null");
        }
        if (value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank");
        }
        int bytes;
        try {
            // A fresh encoder reports malformed input, where String.getBytes would substitute '?'.
            bytes = StandardCharsets.UTF_8.newEncoder().encode(CharBuffer.wrap(value)).remaining();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(field + " is not valid Unicode (unpaired surrogate)");
        }
        if (bytes > MAX_NAME_BYTES) {
            throw new IllegalArgumentException(
                    field + " is " + bytes + " UTF-8 bytes long, more than " + MAX_NAME_BYTES);
        }
        return value;
    }

    /** Checks that {@code value} is a VNF ID, 0..{@link StareHeader#MAX_VNF_ID}. */
    public static int vnfId(String field, int value) {
        if (value < 0 || value > StareHeader.MAX_VNF_ID) {
            throw new IllegalArgumentException(
                    field + " " + value + " is out of range 0.." + StareHeader.MAX_VNF_ID);
        }
        return value;
    }

    /** Checks that {@code value} is a state ID, 0..{@link StareAddress#MAX_STATE_ID}. */
    public static int stateId(String field, int value) {
        if (value < 0 || value > StareAddress.MAX_STATE_ID) {
            throw new IllegalArgumentException(
                    field + " " + value + " is out of range 0.." + StareAddress.MAX_STATE_ID);
        }
        return value;
    }

    /** Checks that {@code value} is an extended update number, or {@value #NO_UPDATE} for none. */
    public static long updateOrNone(String field, long value) {
        if (value < NO_UPDATE) {
            throw new IllegalArgumentException(
                    field + " " + value + " is below " + NO_UPDATE + " (which means no update)");
        }
        return value;
    }

    /** Checks that {@code value} is an extended update number, 0 or more. */
    public static long update(String field, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(field + " " + value + " is negative");
        }
        return value;
    }

    /** Checks that {@code value} is not null. */
    public static <T> T notNull(String field, T value) {
        if (value == null) {
            throw new IllegalArgumentException(field + " must not be null");
        }
        return value;
    }

    /**
     * Returns an unmodifiable copy of {@code value}, refusing a null list or null elements with
     * an {@link IllegalArgumentException} (rather than the {@link NullPointerException} of
     * {@link List#copyOf}).
     */
    public static <T> List<T> list(String field, List<T> value) {
        notNull(field, value);
        for (int i = 0; i < value.size(); i++) {
            if (value.get(i) == null) {
                throw new IllegalArgumentException(field + "[" + i + "] must not be null");
            }
        }
        return List.copyOf(value);
    }
}
