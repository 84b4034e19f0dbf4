package io.stare.protocol.packet;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

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

    /**
     * The checksum after one 16-bit word it covers changed from {@code oldWord} to {@code newWord},
     * without reading the rest (RFC 1624, eqn. 3: {@code HC' = ~(~HC + ~m + m')}).
     *
     * <p>For a range that verified before the change and still holds a non-zero word after it (an
     * IPv4 header always does: its first octet is 0x4n), the result is exactly what zeroing the
     * field and recomputing with {@link #of} gives, 0x0000 and 0xffff included: both are the same
     * value modulo 0xffff and both fold a non-zero sum. The one exception is {@code checksum} and
     * {@code oldWord} both 0xffff with {@code newWord} 0, where this gives 0xffff and a recompute 0;
     * a TTL decrement never meets it (the new word is the old one less 0x0100).
     *
     * @param checksum the checksum field as it stands, 0..0xffff
     * @param oldWord the word before the change, 0..0xffff
     * @param newWord the word after the change, 0..0xffff
     * @return the new checksum field, 0..0xffff
     */
    public static int update(int checksum, int oldWord, int newWord) {
        return finish((~checksum & 0xffff) + (~oldWord & 0xffff) + (long) (newWord & 0xffff));
    }

    /**
     * {@link #add} eight bytes at a time, for long ranges on the fast path: the running sum it
     * returns differs from {@code add}'s but is the same modulo 0xffff (2^32 = 1 modulo 0xffff, so a
     * 32-bit word adds as its two 16-bit halves), and it is zero only when all bytes are, so
     * {@link #finish} gives the same checksum. Reads with absolute gets in network order whatever
     * the buffer's {@link ByteBuffer#order() order}; at most 2^30 bytes per call.
     */
    static long addWide(long sum, ByteBuffer buffer, int offset, int length) {
        int end = offset + length;
        int i = offset;
        boolean swap = buffer.order() != ByteOrder.BIG_ENDIAN;
        for (; i + Long.BYTES <= end; i += Long.BYTES) {
            long word = swap ? Long.reverseBytes(buffer.getLong(i)) : buffer.getLong(i);
            sum += (word >>> 32) + (word & 0xffff_ffffL);
        }
        return add(sum, buffer, i, end - i);
    }
}
