package io.stare.protocol.header;

/**
 * Serial-number arithmetic (RFC 1982) for the 16-bit UPDATE_NO, and its extension to an
 * unbounded 64-bit sequence.
 *
 * <p>Update numbers wrap from 65535 to 0, so "newer" is defined modulo 2^16: {@code b} is after
 * {@code a} when the forward distance from {@code a} to {@code b} is between 1 and 2^15 - 1. A
 * distance of exactly 2^15 is undefined by RFC 1982; we treat it as "not after" in both directions
 * so callers never act on an ambiguous comparison.
 */
public final class UpdateNumbers {

    /** Number of distinct update numbers, 2^16. */
    public static final int MODULUS = 1 << 16;
    /** Half the number space; distances of this size or more are not comparable. */
    public static final int HALF = MODULUS >>> 1;

    private UpdateNumbers() {
    }

    /** The update number that follows {@code n}. */
    public static int next(int n) {
        return (n + 1) & (MODULUS - 1);
    }

    /** Forward distance from {@code a} to {@code b}, 0..65535. */
    public static int distance(int a, int b) {
        return (b - a) & (MODULUS - 1);
    }

    /** Whether {@code b} is strictly after {@code a} in serial-number order. */
    public static boolean isAfter(int b, int a) {
        int d = distance(a, b);
        return d != 0 && d < HALF;
    }

    /** Whether {@code b} is strictly before {@code a} in serial-number order. */
    public static boolean isBefore(int b, int a) {
        return isAfter(a, b);
    }

    /** The 16-bit wire form of an extended (64-bit) update sequence number. */
    public static int wire(long extended) {
        return (int) (extended & (MODULUS - 1));
    }

    /**
     * Extends a 16-bit wire number to the 64-bit sequence by choosing the value closest to
     * {@code reference}, the extended number the receiver expects next (as RTP receivers do).
     * Wire numbers within 2^15 after the reference map forward, others map backward; results are
     * never negative.
     */
    public static long extend(int wire, long reference) {
        int refWire = wire(reference);
        int forward = distance(refWire, wire);
        long candidate = forward < HALF ? reference + forward : reference - (MODULUS - forward);
        return candidate < 0 ? candidate + MODULUS : candidate;
    }
}
