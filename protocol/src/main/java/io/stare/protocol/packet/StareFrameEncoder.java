package io.stare.protocol.packet;

import io.stare.protocol.address.MessageKind;
import io.stare.protocol.address.StareAddress;
import io.stare.protocol.auth.PublishKey;
import io.stare.protocol.header.StareHeader;
import io.stare.protocol.header.UpdateNumbers;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.util.Objects;

/**
 * Writes whole STARE frames (Ethernet II + IPv4 + UDP + STARE header + payload, layout in
 * {@link StareFrameFlyweight}) straight into a {@link ByteBuffer}, both checksums computed, without
 * allocating: the hot-path counterpart of
 * {@code Ethernet.wrapIpv4Multicast(sourceMac, PacketCodec.encode(new StarePacket(...)))}, and byte
 * for byte the same frame.
 *
 * <p>One encoder per sender holds what its frames share (source MAC, IPv4 address, UDP port, TTL),
 * checked once; each call gives the header fields and the payload. Writes use absolute puts in
 * network order whatever the buffer's order, and leave its position and limit alone. Arguments out
 * of range are caller bugs and throw before anything is written. Immutable, so shareable.
 */
public final class StareFrameEncoder {

    // Version 4, IHL 5; Don't Fragment, as PacketCodec writes them (Ipv4.writeHeader).
    private static final int VERSION_IHL = 0x45;
    private static final int FLAGS_DONT_FRAGMENT = 0x4000;
    private static final long IPV4_MULTICAST_MAC_BASE = 0x01005e000000L;
    private static final int LOW_23_BITS = 0x7fffff;

    private final long sourceMac;
    private final int sourceAddress;
    private final int sourcePort;
    private final int ttl;

    /**
     * An encoder for one sender's frames.
     *
     * @param sourceMac Ethernet source MAC, 48 bits
     * @param sourceAddress IPv4 source address as a 32-bit value
     * @param sourcePort UDP source port, 0..65535
     * @param ttl IPv4 time to live, 0..255
     * @throws IllegalArgumentException if a value is out of range
     */
    public StareFrameEncoder(long sourceMac, int sourceAddress, int sourcePort, int ttl) {
        if (sourceMac < 0 || sourceMac > Ethernet.MAX_MAC) {
            throw new IllegalArgumentException("source MAC 0x" + Long.toHexString(sourceMac) + " does not fit in 48 bits");
        }
        if (sourcePort < 0 || sourcePort > 0xffff) {
            throw new IllegalArgumentException("source port " + sourcePort + " is out of range 0..65535");
        }
        if (ttl < 0 || ttl > 255) {
            throw new IllegalArgumentException("TTL " + ttl + " is out of range 0..255");
        }
        this.sourceMac = sourceMac;
        this.sourceAddress = sourceAddress;
        this.sourcePort = sourcePort;
        this.ttl = ttl;
    }

    /** The length of a frame carrying {@code payloadLength} bytes: {@value StareFrameFlyweight#HEADER_LENGTH} more. */
    public static int frameLength(int payloadLength) {
        return StareFrameFlyweight.HEADER_LENGTH + payloadLength;
    }

    /**
     * Writes a frame at absolute index {@code offset} with the payload taken from
     * {@code payload[payloadOffset .. payloadOffset + payloadLength)}.
     *
     * @return the frame's length, {@link #frameLength(int) frameLength(payloadLength)}
     * @throws IllegalArgumentException if a header field or the payload length is out of range (as
     *     {@link StareHeader} and {@link StarePacket} refuse them)
     * @throws IndexOutOfBoundsException if the payload range or the frame does not fit its buffer
     */
    public int encode(ByteBuffer buffer, int offset, MessageKind kind, int stateId, int updateNo, int vnfId,
                      int totalSegments, int segmentNo, byte[] payload, int payloadOffset, int payloadLength) {
        Objects.checkFromIndexSize(payloadOffset, payloadLength, payload.length);
        int frameLength = prepare(buffer, offset, kind, stateId, updateNo, vnfId, totalSegments, segmentNo,
                payloadLength);
        buffer.put(offset + StareFrameFlyweight.PAYLOAD_OFFSET, payload, payloadOffset, payloadLength);
        return finish(buffer, offset, frameLength, destination(kind, stateId));
    }

    /**
     * Writes a frame at absolute index {@code offset} with the payload taken from absolute indexes
     * {@code payloadOffset .. payloadOffset + payloadLength) of {@code payload}, whose position is left
     * alone. The payload must not overlap the frame being written.
     *
     * @return the frame's length, {@link #frameLength(int) frameLength(payloadLength)}
     * @throws IllegalArgumentException if a header field or the payload length is out of range
     * @throws IndexOutOfBoundsException if the payload range or the frame does not fit its buffer
     */
    public int encode(ByteBuffer buffer, int offset, MessageKind kind, int stateId, int updateNo, int vnfId,
                      int totalSegments, int segmentNo, ByteBuffer payload, int payloadOffset, int payloadLength) {
        Objects.checkFromIndexSize(payloadOffset, payloadLength, payload.limit());
        int frameLength = prepare(buffer, offset, kind, stateId, updateNo, vnfId, totalSegments, segmentNo,
                payloadLength);
        buffer.put(offset + StareFrameFlyweight.PAYLOAD_OFFSET, payload, payloadOffset, payloadLength);
        return finish(buffer, offset, frameLength, destination(kind, stateId));
    }

    /**
     * Writes a Publish segment like {@link #encode(ByteBuffer, int, MessageKind, int, int, int, int, int,
     * ByteBuffer, int, int)}, followed, when {@code key} is not null, by its
     * {@value PublishKey#TAG_LENGTH}-byte tag (big-endian) inside the UDP payload.
     *
     * @param update the segment's extended update number: its low 16 bits go on the wire, all of it into the tag
     * @param key the state's key, or null for an untagged segment
     * @return the frame's length, {@link #frameLength(int) frameLength(payloadLength)} plus the tag
     */
    public int encodePublish(ByteBuffer buffer, int offset, int stateId, long update, int vnfId, int totalSegments,
                             int segmentNo, ByteBuffer payload, int payloadOffset, int payloadLength, PublishKey key) {
        if (key == null) {
            return encode(buffer, offset, MessageKind.PUBLISH, stateId, UpdateNumbers.wire(update), vnfId,
                    totalSegments, segmentNo, payload, payloadOffset, payloadLength);
        }
        Objects.checkFromIndexSize(payloadOffset, payloadLength, payload.limit());
        int frameLength = prepare(buffer, offset, MessageKind.PUBLISH, stateId, UpdateNumbers.wire(update), vnfId,
                totalSegments, segmentNo, payloadLength + PublishKey.TAG_LENGTH);
        int at = offset + StareFrameFlyweight.PAYLOAD_OFFSET;
        buffer.put(at, payload, payloadOffset, payloadLength);
        long tag = key.tag(update, stateId, vnfId, totalSegments, segmentNo, payload, payloadOffset, payloadLength);
        put32(buffer, at + payloadLength, (int) (tag >>> 32));
        put32(buffer, at + payloadLength + 4, (int) tag);
        return finish(buffer, offset, frameLength, destination(MessageKind.PUBLISH, stateId));
    }

    /**
     * Writes a single-segment SUB-register, SUB-remove or SUB-ack with no payload, numbered for the
     * ARQ, as {@link StareHeader#subscription} heads it.
     *
     * @return the frame's length, {@value StareFrameFlyweight#HEADER_LENGTH}
     * @throws IllegalArgumentException if {@code kind} is Publish or a field is out of range
     * @throws IndexOutOfBoundsException if the frame does not fit the buffer
     */
    public int encodeSubscription(ByteBuffer buffer, int offset, MessageKind kind, int stateId, int sequenceNo,
                                  int senderId) {
        if (kind == null || !kind.isSubscription()) {
            throw new IllegalArgumentException(kind + " is not a subscription message kind");
        }
        int frameLength = prepare(buffer, offset, kind, stateId, sequenceNo, senderId, 1, 0, 0);
        return finish(buffer, offset, frameLength, destination(kind, stateId));
    }

    /** Checks everything, then writes all but the payload and the UDP checksum. */
    private int prepare(ByteBuffer buffer, int offset, MessageKind kind, int stateId, int updateNo, int vnfId,
                        int totalSegments, int segmentNo, int payloadLength) {
        checkHeader(kind, stateId, updateNo, vnfId, totalSegments, segmentNo);
        if (payloadLength > StarePacket.MAX_PAYLOAD) {
            throw new IllegalArgumentException(
                    "payload of " + payloadLength + " bytes exceeds the " + StarePacket.MAX_PAYLOAD + "-byte packet limit");
        }
        int frameLength = frameLength(payloadLength);
        if (buffer.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        Objects.checkFromIndexSize(offset, frameLength, buffer.limit());

        int destination = destination(kind, stateId);
        put48(buffer, offset + StareFrameFlyweight.ETHERNET_DESTINATION_OFFSET,
                IPV4_MULTICAST_MAC_BASE | (destination & LOW_23_BITS));
        put48(buffer, offset + StareFrameFlyweight.ETHERNET_SOURCE_OFFSET, sourceMac);
        put16(buffer, offset + StareFrameFlyweight.ETHER_TYPE_OFFSET, Ethernet.ETHERTYPE_IPV4);

        int ip = offset + StareFrameFlyweight.IPV4_OFFSET;
        int totalLength = frameLength - StareFrameFlyweight.IPV4_OFFSET;
        buffer.put(ip + Ipv4.VERSION_IHL_OFFSET, (byte) VERSION_IHL);
        buffer.put(ip + Ipv4.TOS_OFFSET, (byte) 0);
        put16(buffer, ip + Ipv4.TOTAL_LENGTH_OFFSET, totalLength);
        put16(buffer, ip + Ipv4.IDENTIFICATION_OFFSET, 0);
        put16(buffer, ip + Ipv4.FLAGS_FRAGMENT_OFFSET, FLAGS_DONT_FRAGMENT);
        buffer.put(ip + Ipv4.TTL_OFFSET, (byte) ttl);
        buffer.put(ip + Ipv4.PROTOCOL_OFFSET, (byte) Ipv4.PROTOCOL_UDP);
        put16(buffer, ip + Ipv4.CHECKSUM_OFFSET, 0);
        put32(buffer, ip + Ipv4.SOURCE_OFFSET, sourceAddress);
        put32(buffer, ip + Ipv4.DESTINATION_OFFSET, destination);
        put16(buffer, ip + Ipv4.CHECKSUM_OFFSET,
                InternetChecksum.finish(InternetChecksum.addWide(0, buffer, ip, Ipv4.MIN_HEADER_LENGTH)));

        int udp = offset + StareFrameFlyweight.UDP_OFFSET;
        put16(buffer, udp + Udp.SOURCE_PORT_OFFSET, sourcePort);
        put16(buffer, udp + Udp.DESTINATION_PORT_OFFSET, StareAddress.UDP_PORT);
        put16(buffer, udp + Udp.LENGTH_OFFSET, totalLength - Ipv4.MIN_HEADER_LENGTH);
        put16(buffer, udp + Udp.CHECKSUM_OFFSET, 0);

        int stare = offset + StareFrameFlyweight.STARE_OFFSET;
        put24(buffer, stare + StareFrameFlyweight.KIND_STATE_FIELD_OFFSET, destination);
        put16(buffer, stare + StareFrameFlyweight.UPDATE_NO_FIELD_OFFSET, updateNo);
        put24(buffer, stare + StareFrameFlyweight.VNF_SEGMENTS_FIELD_OFFSET,
                vnfId << (2 * StareHeader.SEGMENT_BITS) | (totalSegments - 1) << StareHeader.SEGMENT_BITS | segmentNo);
        return frameLength;
    }

    /** The UDP checksum over the written datagram, payload included; 0 goes out as 0xffff (RFC 768). */
    private int finish(ByteBuffer buffer, int offset, int frameLength, int destination) {
        int udp = offset + StareFrameFlyweight.UDP_OFFSET;
        int checksum = StareFrameFlyweight.udpChecksum(buffer, udp, frameLength - StareFrameFlyweight.UDP_OFFSET,
                sourceAddress, destination);
        put16(buffer, udp + Udp.CHECKSUM_OFFSET, checksum == 0 ? 0xffff : checksum);
        return frameLength;
    }

    /** The IPv4 destination, as {@link StareAddress#toInt()} makes it. */
    private static int destination(MessageKind kind, int stateId) {
        return (StareAddress.PROTO_ID << 24) | (kind.code() << StareAddress.STATE_ID_BITS) | stateId;
    }

    // The same ranges, in the same words, as StareHeader's constructor refuses.
    private static void checkHeader(MessageKind kind, int stateId, int updateNo, int vnfId, int totalSegments,
                                    int segmentNo) {
        if (kind == null) {
            throw new IllegalArgumentException("kind must not be null");
        }
        StareAddress.checkStateId(stateId);
        if (updateNo < 0 || updateNo > StareHeader.MAX_UPDATE_NO) {
            throw new IllegalArgumentException(
                    "update number " + updateNo + " is out of range 0.." + StareHeader.MAX_UPDATE_NO);
        }
        if (vnfId < 0 || vnfId > StareHeader.MAX_VNF_ID) {
            throw new IllegalArgumentException("VNF ID " + vnfId + " is out of range 0.." + StareHeader.MAX_VNF_ID);
        }
        if (totalSegments < 1 || totalSegments > StareHeader.MAX_SEGMENTS) {
            throw new IllegalArgumentException(
                    "total segments " + totalSegments + " is out of range 1.." + StareHeader.MAX_SEGMENTS);
        }
        if (segmentNo < 0 || segmentNo >= totalSegments) {
            throw new IllegalArgumentException(
                    "segment number " + segmentNo + " is out of range 0.." + (totalSegments - 1));
        }
    }

    private static void put16(ByteBuffer buffer, int index, int value) {
        buffer.put(index, (byte) (value >>> 8));
        buffer.put(index + 1, (byte) value);
    }

    private static void put24(ByteBuffer buffer, int index, int value) {
        buffer.put(index, (byte) (value >>> 16));
        put16(buffer, index + 1, value);
    }

    private static void put32(ByteBuffer buffer, int index, int value) {
        put16(buffer, index, value >>> 16);
        put16(buffer, index + 2, value);
    }

    private static void put48(ByteBuffer buffer, int index, long value) {
        put16(buffer, index, (int) (value >>> 32));
        put32(buffer, index + 2, (int) value);
    }
}
