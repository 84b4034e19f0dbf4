package io.stare.protocol.header;

import io.stare.protocol.DecodeError;
import io.stare.protocol.DecodeResult;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.address.StareAddress;
import java.nio.ByteBuffer;

/**
 * The 8-byte STARE header that sits right above UDP, big-endian so a P4 parser reads it as is.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |M_K|              STATE_ID (22)                |  UPDATE_NO    |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  | UPDATE_NO (lo)|     VNF_ID (10)   | TOT_SEG-1 (7)| SEGM_NO (7) |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * <ul>
 *   <li>M_K and STATE_ID repeat the low 24 bits of the IPv4 destination, because endpoints lose
 *       the IP header when a socket hands them the UDP payload.</li>
 *   <li>UPDATE_NO (16 bits) counts a publisher's updates of one state and wraps; compare with
 *       {@link UpdateNumbers} (RFC 1982 serial-number arithmetic). In SUB messages it is the
 *       sender's subscription sequence number, echoed in the SUB-ack so the ack names the request.</li>
 *   <li>VNF_ID (10 bits, 0..1023) names the publishing VNF (the sending middleware in SUB messages).</li>
 *   <li>TOT_SEG (1..128) is stored minus one; SEGM_NO is 0..TOT_SEG-1.</li>
 * </ul>
 *
 * @param kind message kind (M_K)
 * @param stateId state the message concerns, 0..{@link StareAddress#MAX_STATE_ID}
 * @param updateNo 16-bit wrapping update (or subscription) number, 0..65535
 * @param vnfId VNF (or middleware) identifier, 0..{@link #MAX_VNF_ID}
 * @param totalSegments number of segments of the update, 1..{@link #MAX_SEGMENTS}
 * @param segmentNo this segment's index, 0..totalSegments-1
 */
public record StareHeader(
        MessageKind kind, int stateId, int updateNo, int vnfId, int totalSegments, int segmentNo) {

    /** Header length in bytes; with IPv4 (20) and UDP (8) this gives the paper's 36 bytes. */
    public static final int LENGTH = 8;
    /** Bits of VNF_ID. */
    public static final int VNF_ID_BITS = 10;
    /** The largest VNF identifier, 1023. */
    public static final int MAX_VNF_ID = (1 << VNF_ID_BITS) - 1;
    /** Bits of TOT_SEG and of SEGM_NO. */
    public static final int SEGMENT_BITS = 7;
    /** The most segments one update may have, 128. */
    public static final int MAX_SEGMENTS = 1 << SEGMENT_BITS;
    /** The largest UPDATE_NO before it wraps to 0. */
    public static final int MAX_UPDATE_NO = UpdateNumbers.MODULUS - 1;

    public StareHeader {
        if (kind == null) {
            throw new IllegalArgumentException("kind must not be null");
        }
        StareAddress.checkStateId(stateId);
        if (updateNo < 0 || updateNo > MAX_UPDATE_NO) {
            throw new IllegalArgumentException("update number " + updateNo + " is out of range 0.." + MAX_UPDATE_NO);
        }
        if (vnfId < 0 || vnfId > MAX_VNF_ID) {
            throw new IllegalArgumentException("VNF ID " + vnfId + " is out of range 0.." + MAX_VNF_ID);
        }
        if (totalSegments < 1 || totalSegments > MAX_SEGMENTS) {
            throw new IllegalArgumentException(
                    "total segments " + totalSegments + " is out of range 1.." + MAX_SEGMENTS);
        }
        if (segmentNo < 0 || segmentNo >= totalSegments) {
            throw new IllegalArgumentException(
                    "segment number " + segmentNo + " is out of range 0.." + (totalSegments - 1));
        }
    }

    /** A single-segment SUB-* message from a middleware, numbered for its ARQ. */
    public static StareHeader subscription(MessageKind kind, int stateId, int sequenceNo, int senderId) {
        if (!kind.isSubscription()) {
            throw new IllegalArgumentException(kind + " is not a subscription message kind");
        }
        return new StareHeader(kind, stateId, sequenceNo, senderId, 1, 0);
    }

    /** The destination address this header's message is sent to. */
    public StareAddress address() {
        return new StareAddress(kind, stateId);
    }

    /** Whether this is the last segment of its update. */
    public boolean isLastSegment() {
        return segmentNo == totalSegments - 1;
    }

    /** Writes the header at {@code offset} of {@code buffer} (absolute puts, big-endian). */
    public void writeTo(ByteBuffer buffer, int offset) {
        int first = (kind.code() << 22) | stateId;
        buffer.put(offset, (byte) (first >>> 16));
        buffer.put(offset + 1, (byte) (first >>> 8));
        buffer.put(offset + 2, (byte) first);
        buffer.put(offset + 3, (byte) (updateNo >>> 8));
        buffer.put(offset + 4, (byte) updateNo);
        int last = (vnfId << 14) | ((totalSegments - 1) << 7) | segmentNo;
        buffer.put(offset + 5, (byte) (last >>> 16));
        buffer.put(offset + 6, (byte) (last >>> 8));
        buffer.put(offset + 7, (byte) last);
    }

    /** The header as 8 bytes. */
    public byte[] toBytes() {
        byte[] bytes = new byte[LENGTH];
        writeTo(ByteBuffer.wrap(bytes), 0);
        return bytes;
    }

    /**
     * Reads a header at {@code offset} of {@code buffer}, between {@code offset} and the buffer's
     * limit. Every bit pattern of the right length names a valid kind and in-range IDs except a
     * SEGM_NO at or beyond TOT_SEG, which is refused as {@code OUT_OF_RANGE}.
     */
    public static DecodeResult<StareHeader> read(ByteBuffer buffer, int offset) {
        if (offset < 0 || buffer.limit() - offset < LENGTH) {
            return DecodeResult.fail(DecodeError.Kind.TRUNCATED,
                    "STARE header needs " + LENGTH + " bytes, have " + Math.max(0, buffer.limit() - offset));
        }
        int first = u8(buffer, offset) << 16 | u8(buffer, offset + 1) << 8 | u8(buffer, offset + 2);
        int updateNo = u8(buffer, offset + 3) << 8 | u8(buffer, offset + 4);
        int last = u8(buffer, offset + 5) << 16 | u8(buffer, offset + 6) << 8 | u8(buffer, offset + 7);
        int totalSegments = ((last >>> 7) & 0x7f) + 1;
        int segmentNo = last & 0x7f;
        if (segmentNo >= totalSegments) {
            return DecodeResult.fail(DecodeError.Kind.OUT_OF_RANGE,
                    "SEGM_NO " + segmentNo + " is not below TOT_SEG " + totalSegments);
        }
        return DecodeResult.ok(new StareHeader(MessageKind.fromCode(first >>> 22), first & StareAddress.MAX_STATE_ID,
                updateNo, last >>> 14, totalSegments, segmentNo));
    }

    /** Reads a header from the first 8 bytes of {@code bytes}. */
    public static DecodeResult<StareHeader> read(byte[] bytes) {
        return read(ByteBuffer.wrap(bytes), 0);
    }

    private static int u8(ByteBuffer buffer, int index) {
        return buffer.get(index) & 0xff;
    }
}
