package io.stare.protocol.segment;

import io.stare.protocol.address.MessageKind;
import io.stare.protocol.address.StareAddress;
import io.stare.protocol.header.StareHeader;
import io.stare.protocol.header.UpdateNumbers;
import java.util.Arrays;

/**
 * One segment of a published update, with its update number in extended (64-bit, non-wrapping)
 * form. This is the unit the publisher sends, the backlog keeps and RECOVER returns.
 *
 * @param stateId the state the update belongs to
 * @param vnfId the publishing VNF
 * @param update extended update number (its low 16 bits are the wire UPDATE_NO)
 * @param totalSegments how many segments the update has, 1..128
 * @param segmentNo this segment's index, 0..totalSegments-1
 * @param payload this segment's share of the update (copied in and out)
 */
public record Segment(int stateId, int vnfId, long update, int totalSegments, int segmentNo, byte[] payload) {

    public Segment {
        // Field-named messages: a Segment arrives from the network, the backlog and the cluster.
        if (stateId < 0 || stateId > StareAddress.MAX_STATE_ID) {
            throw new IllegalArgumentException("stateId " + stateId + " is out of range 0.." + StareAddress.MAX_STATE_ID);
        }
        if (vnfId < 0 || vnfId > StareHeader.MAX_VNF_ID) {
            throw new IllegalArgumentException("vnfId " + vnfId + " is out of range 0.." + StareHeader.MAX_VNF_ID);
        }
        if (update < 0) {
            throw new IllegalArgumentException("update " + update + " is negative");
        }
        if (totalSegments < 1 || totalSegments > StareHeader.MAX_SEGMENTS) {
            throw new IllegalArgumentException(
                    "totalSegments " + totalSegments + " is out of range 1.." + StareHeader.MAX_SEGMENTS);
        }
        if (segmentNo < 0 || segmentNo >= totalSegments) {
            throw new IllegalArgumentException(
                    "segmentNo " + segmentNo + " is out of range 0.." + (totalSegments - 1));
        }
        if (payload == null) {
            throw new IllegalArgumentException("payload must not be null");
        }
        payload = payload.clone();
    }

    /** Pairs a received header (16-bit update number) with its extended update number. */
    public static Segment of(StareHeader header, long extendedUpdate, byte[] payload) {
        if (UpdateNumbers.wire(extendedUpdate) != header.updateNo()) {
            throw new IllegalArgumentException("extended update " + extendedUpdate
                    + " does not match wire UPDATE_NO " + header.updateNo());
        }
        return new Segment(header.stateId(), header.vnfId(), extendedUpdate, header.totalSegments(),
                header.segmentNo(), payload);
    }

    /** The Publish header this segment travels under. */
    public StareHeader header() {
        return new StareHeader(MessageKind.PUBLISH, stateId, UpdateNumbers.wire(update), vnfId, totalSegments,
                segmentNo);
    }

    /** The Publish destination address of this segment. */
    public StareAddress address() {
        return new StareAddress(MessageKind.PUBLISH, stateId);
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    /**
     * The payload itself, not a copy: for this package's code that only reads it (the reassembler
     * keeps a recovered segment's part until its update is whole, then copies it out).
     */
    byte[] sharedPayload() {
        return payload;
    }

    /** The payload length without copying. */
    public int payloadLength() {
        return payload.length;
    }

    /** Writes the payload at {@code out}'s position (and moves it), without the copy {@link #payload()} makes. */
    public void copyPayloadTo(java.nio.ByteBuffer out) {
        out.put(payload);
    }

    /**
     * The value of one update from its segments in any order, or null unless they are exactly its
     * {@code totalSegments} segments, each once (null or empty: null).
     */
    public static byte[] join(java.util.List<Segment> segments) {
        if (segments == null || segments.isEmpty() || segments.size() != segments.get(0).totalSegments) {
            return null;
        }
        Segment[] ordered = new Segment[segments.size()];
        int length = 0;
        for (Segment segment : segments) {
            if (segment.totalSegments != ordered.length || segment.update != segments.get(0).update
                    || ordered[segment.segmentNo] != null) {
                return null;
            }
            ordered[segment.segmentNo] = segment;
            length += segment.payload.length;
        }
        byte[] value = new byte[length];
        int at = 0;
        for (Segment segment : ordered) {
            System.arraycopy(segment.payload, 0, value, at, segment.payload.length);
            at += segment.payload.length;
        }
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Segment s && stateId == s.stateId && vnfId == s.vnfId && update == s.update
                && totalSegments == s.totalSegments && segmentNo == s.segmentNo && Arrays.equals(payload, s.payload);
    }

    @Override
    public int hashCode() {
        int h = Integer.hashCode(stateId);
        h = 31 * h + vnfId;
        h = 31 * h + Long.hashCode(update);
        h = 31 * h + totalSegments;
        h = 31 * h + segmentNo;
        return 31 * h + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "Segment[state=" + stateId + ", vnf=" + vnfId + ", update=" + update + ", " + (segmentNo + 1) + "/"
                + totalSegments + ", payload=" + payload.length + " bytes]";
    }
}
