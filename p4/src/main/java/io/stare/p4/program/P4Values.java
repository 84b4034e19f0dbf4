package io.stare.p4.program;

import com.google.protobuf.ByteString;
import java.util.OptionalLong;

/**
 * P4Runtime binary strings for unsigned integers up to 63 bits: big-endian, and canonical (the
 * shortest string, a single zero byte for 0) on the way out. On the way in, leading zero bytes are
 * accepted, since older clients and BMv2 pad to the field width; a value that does not fit the
 * field's width is refused.
 */
public final class P4Values {

    private P4Values() {
    }

    /** The canonical binary string of {@code value}. */
    public static ByteString canonical(long value) {
        if (value < 0) {
            throw new IllegalArgumentException("value " + value + " is negative");
        }
        int length = Math.max(1, (64 - Long.numberOfLeadingZeros(value) + 7) / 8);
        byte[] bytes = new byte[length];
        for (int i = length - 1; i >= 0; i--) {
            bytes[i] = (byte) value;
            value >>>= 8;
        }
        return ByteString.copyFrom(bytes);
    }

    /** The value of a binary string if it fits in {@code bitWidth} bits (1..63), else empty. */
    public static OptionalLong parse(ByteString bytes, int bitWidth) {
        if (bytes.isEmpty() || bitWidth < 1 || bitWidth > 63) {
            return OptionalLong.empty();
        }
        long value = 0;
        for (int i = 0; i < bytes.size(); i++) {
            if (value >>> 55 != 0) {
                return OptionalLong.empty();
            }
            value = (value << 8) | (bytes.byteAt(i) & 0xff);
        }
        return value >>> bitWidth == 0 ? OptionalLong.of(value) : OptionalLong.empty();
    }
}
