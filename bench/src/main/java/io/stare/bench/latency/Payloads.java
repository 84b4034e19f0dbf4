package io.stare.bench.latency;

/**
 * The harness's payload layout: bytes 0..7 the intended send time ({@link System#nanoTime()}, big
 * endian; publisher and subscribers share the JVM, so the clocks agree), bytes 8..15 the sequence
 * number, the rest filler.
 */
public final class Payloads {

    /** Bytes the harness needs at the head of a payload. */
    public static final int HEADER = 16;

    private Payloads() {
    }

    /** A new payload of {@code size} bytes (at least {@link #HEADER}), filler included. */
    public static byte[] allocate(int size) {
        if (size < HEADER) {
            throw new IllegalArgumentException("payload " + size + " B is smaller than the " + HEADER + " B header");
        }
        byte[] payload = new byte[size];
        for (int i = HEADER; i < size; i++) {
            payload[i] = (byte) i;
        }
        return payload;
    }

    /** Writes the stamp into {@code payload}. */
    public static void stamp(byte[] payload, long intendedNanos, long sequence) {
        putLong(payload, 0, intendedNanos);
        putLong(payload, 8, sequence);
    }

    public static long intendedNanos(byte[] buffer, int offset) {
        return getLong(buffer, offset);
    }

    public static long sequence(byte[] buffer, int offset) {
        return getLong(buffer, offset + 8);
    }

    private static void putLong(byte[] b, int at, long v) {
        for (int i = 7; i >= 0; i--) {
            b[at + i] = (byte) v;
            v >>>= 8;
        }
    }

    private static long getLong(byte[] b, int at) {
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (b[at + i] & 0xFF);
        }
        return v;
    }
}
