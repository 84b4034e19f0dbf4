package io.stare.protocol.segment;

import io.stare.protocol.DecodeError;
import io.stare.protocol.DecodeResult;
import io.stare.protocol.header.StareHeader;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Many segments as one byte array: how a batch of segments is persisted (the backlog's journal
 * events and snapshots) and sent between controller nodes, instead of one serialized object per
 * segment with a field name per value.
 *
 * <pre>
 *   block:   count (32) | segment ... (count times)
 *   segment: state (32) | vnf (16) | update (64) | tot-1 (8) | segm (8) | length (32) | payload
 * </pre>
 * Big-endian. {@link #decode} checks every length and every field against {@link Segment}'s
 * ranges and refuses the whole block if one is wrong: a journal or a peer is not trusted blindly.
 */
public final class SegmentBlock {

    /** Bytes of a segment's fields before its payload. */
    static final int SEGMENT_HEADER = 4 + 2 + 8 + 1 + 1 + 4;

    private SegmentBlock() {
    }

    /** The segments as one array. */
    public static byte[] encode(List<Segment> segments) {
        int length = 4;
        for (Segment segment : segments) {
            length += SEGMENT_HEADER + segment.payloadLength();
        }
        ByteBuffer out = ByteBuffer.allocate(length);
        out.putInt(segments.size());
        for (Segment segment : segments) {
            out.putInt(segment.stateId()).putShort((short) segment.vnfId()).putLong(segment.update())
                    .put((byte) (segment.totalSegments() - 1)).put((byte) segment.segmentNo())
                    .putInt(segment.payloadLength());
            segment.copyPayloadTo(out);
        }
        return out.array();
    }

    /** The segments of a block, or why it is not one. */
    public static DecodeResult<List<Segment>> decode(byte[] block) {
        ByteBuffer in = ByteBuffer.wrap(block);
        if (in.remaining() < 4) {
            return DecodeResult.fail(DecodeError.Kind.TRUNCATED, "a segment block starts with its count");
        }
        int count = in.getInt();
        if (count < 0 || count > block.length / SEGMENT_HEADER) {
            return DecodeResult.fail(DecodeError.Kind.MALFORMED, "a block of " + block.length + " bytes cannot hold "
                    + count + " segments");
        }
        List<Segment> segments = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            if (in.remaining() < SEGMENT_HEADER) {
                return DecodeResult.fail(DecodeError.Kind.TRUNCATED, "segment " + i + " is cut short");
            }
            int state = in.getInt();
            int vnf = in.getShort() & 0xffff;
            long update = in.getLong();
            int total = (in.get() & 0xff) + 1;
            int segmentNo = in.get() & 0xff;
            int length = in.getInt();
            if (length < 0 || length > in.remaining()) {
                return DecodeResult.fail(DecodeError.Kind.TRUNCATED, "segment " + i + " claims " + length
                        + " payload bytes, " + in.remaining() + " remain");
            }
            if (vnf > StareHeader.MAX_VNF_ID || total > StareHeader.MAX_SEGMENTS || segmentNo >= total || update < 0
                    || state < 0 || state > io.stare.protocol.address.StareAddress.MAX_STATE_ID) {
                return DecodeResult.fail(DecodeError.Kind.OUT_OF_RANGE, "segment " + i + " has a field out of range");
            }
            byte[] payload = new byte[length];
            in.get(payload);
            segments.add(new Segment(state, vnf, update, total, segmentNo, payload));
        }
        if (in.hasRemaining()) {
            return DecodeResult.fail(DecodeError.Kind.MALFORMED, in.remaining() + " bytes after the last segment");
        }
        return DecodeResult.ok(segments);
    }
}
