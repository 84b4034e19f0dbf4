package io.stare.bench.scale;

import java.nio.ByteBuffer;

/**
 * A benchmark update's payload: its sequence number and intended send time up front, filler after,
 * so that both the subscribers' listeners and the link observers (which see raw frames) can tell
 * which update a packet carries.
 */
final class StampedPayload {

    /** The smallest payload: sequence (8 bytes) and intended send time (8 bytes). */
    static final int MIN_BYTES = 16;

    private StampedPayload() {
    }

    /** A payload of {@code size} bytes for update {@code seq} due at {@code intendedNanos}. */
    static byte[] of(long seq, long intendedNanos, int size) {
        if (size < MIN_BYTES) {
            throw new IllegalArgumentException("payload " + size + " B is shorter than " + MIN_BYTES + " B");
        }
        return ByteBuffer.allocate(size).putLong(seq).putLong(intendedNanos).array();
    }

    /** The sequence number of a payload made by {@link #of}, or -1 if it is too short to be one. */
    static long seq(byte[] payload) {
        return payload.length < MIN_BYTES ? -1 : ByteBuffer.wrap(payload).getLong(0);
    }
}
