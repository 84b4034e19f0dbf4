package io.stare.actors.middleware;

import io.stare.protocol.address.MessageKind;
import io.stare.protocol.header.StareHeader;
import java.nio.ByteBuffer;

/**
 * One received STARE message as the {@link Transport} read it: the header's fields and where the
 * payload lies in the receive buffer. A flyweight the data path fills once per frame; only valid
 * while that frame is being handled.
 */
final class StareMessage {

    ByteBuffer buffer;
    int kind;
    int stateId;
    int updateNo;
    int vnfId;
    int totalSegments;
    int segmentNo;
    int payloadOffset;
    int payloadLength;

    /** Fills the fields from an 8-byte STARE header at {@code offset}; false if SEGM_NO is not below TOT_SEG. */
    boolean readHeader(ByteBuffer from, int offset) {
        int first = (from.get(offset) & 0xff) << 16 | (from.get(offset + 1) & 0xff) << 8 | (from.get(offset + 2) & 0xff);
        int last = (from.get(offset + 5) & 0xff) << 16 | (from.get(offset + 6) & 0xff) << 8 | (from.get(offset + 7) & 0xff);
        buffer = from;
        kind = first >>> 22;
        stateId = first & 0x3f_ffff;
        updateNo = (from.get(offset + 3) & 0xff) << 8 | (from.get(offset + 4) & 0xff);
        vnfId = last >>> 14;
        totalSegments = ((last >>> 7) & 0x7f) + 1;
        segmentNo = last & 0x7f;
        payloadOffset = offset + StareHeader.LENGTH;
        return segmentNo < totalSegments;
    }

    MessageKind kind() {
        return MessageKind.fromCode(kind);
    }

    /** The header as a value, for what leaves the data path (a SUB-ack to the EXT module). */
    StareHeader header() {
        return new StareHeader(kind(), stateId, updateNo, vnfId, totalSegments, segmentNo);
    }

    /** A copy of the payload, for what the reassembler keeps. */
    byte[] payloadCopy() {
        byte[] copy = new byte[payloadLength];
        buffer.get(payloadOffset, copy);
        return copy;
    }
}
