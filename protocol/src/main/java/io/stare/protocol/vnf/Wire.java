package io.stare.protocol.vnf;

import io.stare.protocol.address.StareAddress;
import io.stare.protocol.header.StareHeader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Field rules shared by the message records (which throw {@link IllegalArgumentException}) and
 * the codec (which turns the same rules into typed decode errors). One place, so a value the
 * records accept is always a value the wire can carry, and the other way round.
 */
final class Wire {

    /** The largest unsigned 32-bit value, 2^32 - 1. */
    static final long MAX_U32 = 0xFFFF_FFFFL;
    /** The largest unsigned 16-bit value. */
    static final int MAX_U16 = 0xFFFF;

    private Wire() {
    }

    static void checkRequestId(long requestId) {
        if (requestId < 0 || requestId > MAX_U32) {
            throw new IllegalArgumentException("request ID " + requestId + " is out of range 0.." + MAX_U32);
        }
    }

    static void checkStateId(int stateId) {
        StareAddress.checkStateId(stateId);
    }

    static void checkVnfId(int vnfId) {
        if (vnfId < 0 || vnfId > StareHeader.MAX_VNF_ID) {
            throw new IllegalArgumentException(
                    "VNF ID " + vnfId + " is out of range 0.." + StareHeader.MAX_VNF_ID);
        }
    }

    static void checkUpdateNo(long updateNo, String field) {
        if (updateNo < 0) {
            throw new IllegalArgumentException(field + " " + updateNo + " is negative");
        }
    }

    /** Protocol versions are u16 on the wire; 0 is reserved so a zeroed buffer never passes as one. */
    static void checkVersion(int version, String field) {
        if (version < 1 || version > MAX_U16) {
            throw new IllegalArgumentException(field + " " + version + " is out of range 1.." + MAX_U16);
        }
    }

    /** A name: 1..{@link VnfFrameCodec#MAX_NAME_BYTES} bytes of valid UTF-8. */
    static void checkName(String name, String field) {
        checkText(name, field, 1, VnfFrameCodec.MAX_NAME_BYTES);
    }

    static void checkText(String text, String field, int minBytes, int maxBytes) {
        if (text == null) {
            throw new IllegalArgumentException(field + " must not be null");
        }
        int length = utf8(text, field).length;
        if (length < minBytes || length > maxBytes) {
            throw new IllegalArgumentException(
                    field + " is " + length + " UTF-8 bytes, allowed " + minBytes + ".." + maxBytes);
        }
    }

    static <T> T checkNotNull(T value, String field) {
        if (value == null) {
            throw new IllegalArgumentException(field + " must not be null");
        }
        return value;
    }

    /**
     * Strict UTF-8 encoding. {@code String.getBytes} would silently turn an unpaired surrogate into
     * '?', so a name could change on the way out; we refuse it instead.
     */
    static byte[] utf8(String text, String field) {
        try {
            ByteBuffer encoded = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(text));
            byte[] bytes = new byte[encoded.remaining()];
            encoded.get(bytes);
            return bytes;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(field + " is not valid Unicode (unpaired surrogate)", e);
        }
    }

    /** Strict UTF-8 decoding: overlong forms, encoded surrogates and stray bytes all throw. */
    static String fromUtf8(ByteBuffer bytes) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(bytes)
                .toString();
    }
}
