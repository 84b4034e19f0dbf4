package io.stare.protocol.packet;

import java.nio.ByteBuffer;

/**
 * The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of 16-bit
 * big-endian words. Used for the IPv4 header and, over a pseudo-header, for UDP.
 */
public final class InternetChecksum {

    private InternetChecksum() {
    }

    /**
     * Adds {@code length} bytes starting at {@code offset} to a running 32-bit sum; an odd trailing
     * byte is padded with zero as the RFC requires.
     */
    public static long add(long sum, ByteBuffer buffer, int offset, int length) {
        int end = offset + length;
        int i = offset;
        for (; i + 1 < end; i += 2) {
            sum += ((buffer.get(i) & 0xff) << 8) | (buffer.get(i + 1) & 0xff);
        }
        if (i < end) {
            sum += (buffer.get(i) & 0xff) << 8;
        }
        return sum;
    }

    /** Folds a running sum to 16 bits and complements it. */
    public static int finish(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }

    /** The checksum of a byte range. A range that already holds its correct checksum gives 0. */
    public static int of(ByteBuffer buffer, int offset, int length) {
        return finish(add(0, buffer, offset, length));
    }
}
