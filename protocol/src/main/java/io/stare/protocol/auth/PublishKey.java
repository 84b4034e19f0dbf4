package io.stare.protocol.auth;

import io.stare.protocol.CborSerializable;
import java.nio.ByteBuffer;
import java.security.SecureRandom;

/**
 * The secret key of one state's Publish segments: the replica controller draws it when the state is
 * declared and gives it only to the publisher's middleware and to middlewares whose VNFs may
 * subscribe. The publisher's middleware appends a {@value #TAG_LENGTH}-byte tag to every Publish
 * segment it sends; a subscriber's middleware drops a segment whose tag does not verify before it
 * can take a genuine update's place.
 *
 * <p>The tag is SipHash-2-4 under this key of the segment's full (64-bit) update number, its header
 * fields and its payload. The full number, which the wire carries only as its low 16 bits, makes a
 * segment recorded one 65,536-update wrap earlier fail to verify when replayed.
 *
 * @param k0 the key's first half
 * @param k1 the key's second half
 */
public record PublishKey(long k0, long k1) implements CborSerializable {

    /** Bytes of the tag after a Publish segment's payload. */
    public static final int TAG_LENGTH = 8;

    private static final SecureRandom RANDOM = new SecureRandom();

    /** A key drawn from a strong random source. */
    public static PublishKey random() {
        return new PublishKey(RANDOM.nextLong(), RANDOM.nextLong());
    }

    /**
     * The tag of a Publish segment whose payload lies at absolute indexes
     * {@code payload[offset, offset + length)}.
     *
     * @param update the segment's update number, extended (not only the wire's low 16 bits)
     */
    public long tag(long update, int stateId, int vnfId, int totalSegments, int segmentNo, ByteBuffer payload,
                    int offset, int length) {
        long fields = (long) stateId << 32 | (long) vnfId << 16 | (long) (totalSegments - 1) << 8 | segmentNo;
        return SipHash.hash(k0, k1, update, fields, payload, offset, length);
    }

    /**
     * Whether {@code tag} is the tag of the segment (the comparison of two longs takes the same time
     * whatever they are, so it leaks nothing about how close a forged tag came).
     */
    public boolean verifies(long tag, long update, int stateId, int vnfId, int totalSegments, int segmentNo,
                            ByteBuffer payload, int offset, int length) {
        return tag == tag(update, stateId, vnfId, totalSegments, segmentNo, payload, offset, length);
    }

    /** Never the key itself: this record is logged with the messages that carry it. */
    @Override
    public String toString() {
        return "PublishKey[hidden]";
    }
}
