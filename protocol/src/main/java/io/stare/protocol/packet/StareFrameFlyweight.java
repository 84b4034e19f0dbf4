package io.stare.protocol.packet;

import io.stare.protocol.DecodeError;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.address.StareAddress;
import io.stare.protocol.header.StareHeader;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A flyweight over one Ethernet II frame carrying a STARE packet, read and rewritten where it lies
 * in a {@link ByteBuffer} (heap or direct): the hot-path counterpart of {@link Ethernet#unwrap},
 * {@link PacketCodec#decode(ByteBuffer, PacketCodec.ChecksumPolicy)} and the records they build.
 *
 * <pre>
 *  frame   0              14                    34          42          50
 *  offset  +--------------+---------------------+-----------+-----------+--------------------+
 *          | Ethernet II  | IPv4 (20, or 24..60 | UDP (8)   | STARE (8) | segment payload    |
 *          | (14)         |  with options)      |           |           | (0..65499)         |
 *          +--------------+---------------------+-----------+-----------+--------------------+
 *
 *   0               6              12      14
 *  +---------------+---------------+-------+
 *  | dst MAC (6)   | src MAC (6)   | type  |  type 0x0800; dst MAC 01:00:5e + low 23 bits of dst IP
 *  +---------------+---------------+-------+
 *  14      15      16      18      20      22      23      24      26              30          34
 *  +-------+-------+-------+-------+-------+-------+-------+-------+---------------+-----------+
 *  |ver|IHL| DSCP  | total | ident | flags | TTL   | proto | hdr   | source        | dest      |
 *  | 0x45  | /ECN  | length|       | /frag |       | 17    | cksum | address       | 239.M_K|ST|
 *  +-------+-------+-------+-------+-------+-------+-------+-------+---------------+-----------+
 *  34        36        38        40        42 (UDP at 14 + 4 * IHL in general)
 *  +---------+---------+---------+---------+
 *  | src port| dst port| length  | checksum|  dst port 65432; length = IPv4 total length - 4 * IHL
 *  +---------+---------+---------+---------+
 *  42                        45               47                                          50
 *  +-------------------------+----------------+-------------------------------------------+
 *  | M_K (2) | STATE_ID (22) | UPDATE_NO (16) | VNF_ID (10) | TOT_SEG-1 (7) | SEGM_NO (7) |
 *  +-------------------------+----------------+-------------------------------------------+
 * </pre>
 *
 * Every multi-byte field is big-endian (network order), as a P4 parser reads it, whatever the
 * buffer's {@link ByteBuffer#order() order}. The {@code *_OFFSET} constants are from the start of the
 * frame for a 20-byte IPv4 header; the accessors follow the IHL, so frames with IPv4 options work.
 *
 * <p>Usage: allocate one flyweight, then per frame {@link #wrap}, {@link #validate()}, and only on
 * {@link Verdict#VALID} read the fields (on anything else they may read past the frame). Nothing
 * here allocates, moves the buffer's position or limit, or reads outside the wrapped range.
 * {@code validate} decides exactly as {@link Ethernet#unwrap}, {@link Ethernet.Frame#isIpv4()} and
 * {@code PacketCodec.decode} with {@link PacketCodec.ChecksumPolicy#VERIFY} do, failure kind included.
 * Not thread-safe: one flyweight per thread.
 */
public final class StareFrameFlyweight {

    /** Ethernet destination MAC, 6 bytes. */
    public static final int ETHERNET_DESTINATION_OFFSET = 0;
    /** Ethernet source MAC, 6 bytes. */
    public static final int ETHERNET_SOURCE_OFFSET = 6;
    /** EtherType, 2 bytes. */
    public static final int ETHER_TYPE_OFFSET = 12;
    /** Start of the IPv4 header. */
    public static final int IPV4_OFFSET = Ethernet.HEADER_LENGTH;
    /** IPv4 version (high nibble) and IHL (low nibble, in 32-bit words). */
    public static final int VERSION_IHL_OFFSET = IPV4_OFFSET + Ipv4.VERSION_IHL_OFFSET;
    /** IPv4 total length, 2 bytes. */
    public static final int TOTAL_LENGTH_OFFSET = IPV4_OFFSET + Ipv4.TOTAL_LENGTH_OFFSET;
    /** IPv4 flags and fragment offset, 2 bytes. */
    public static final int FLAGS_FRAGMENT_OFFSET = IPV4_OFFSET + Ipv4.FLAGS_FRAGMENT_OFFSET;
    /** IPv4 time to live, 1 byte: the high byte of the 16-bit word it shares with the protocol. */
    public static final int TTL_OFFSET = IPV4_OFFSET + Ipv4.TTL_OFFSET;
    /** IPv4 protocol, 1 byte. */
    public static final int PROTOCOL_OFFSET = IPV4_OFFSET + Ipv4.PROTOCOL_OFFSET;
    /** IPv4 header checksum, 2 bytes. */
    public static final int IPV4_CHECKSUM_OFFSET = IPV4_OFFSET + Ipv4.CHECKSUM_OFFSET;
    /** IPv4 source address, 4 bytes. */
    public static final int SOURCE_ADDRESS_OFFSET = IPV4_OFFSET + Ipv4.SOURCE_OFFSET;
    /** IPv4 destination address, 4 bytes: 239, then M_K and STATE_ID. */
    public static final int DESTINATION_ADDRESS_OFFSET = IPV4_OFFSET + Ipv4.DESTINATION_OFFSET;
    /** Start of the UDP header when the IPv4 header has no options. */
    public static final int UDP_OFFSET = IPV4_OFFSET + Ipv4.MIN_HEADER_LENGTH;
    /** Start of the STARE header when the IPv4 header has no options. */
    public static final int STARE_OFFSET = UDP_OFFSET + Udp.HEADER_LENGTH;
    /** Start of the payload when the IPv4 header has no options. */
    public static final int PAYLOAD_OFFSET = STARE_OFFSET + StareHeader.LENGTH;
    /** Bytes before the payload in a frame without IPv4 options: 14 + 36 = 50. */
    public static final int HEADER_LENGTH = PAYLOAD_OFFSET;

    /** UDP source port, from the start of the UDP header. */
    public static final int UDP_SOURCE_PORT_FIELD_OFFSET = Udp.SOURCE_PORT_OFFSET;
    /** UDP destination port, from the start of the UDP header. */
    public static final int UDP_DESTINATION_PORT_FIELD_OFFSET = Udp.DESTINATION_PORT_OFFSET;
    /** UDP length, from the start of the UDP header. */
    public static final int UDP_LENGTH_FIELD_OFFSET = Udp.LENGTH_OFFSET;
    /** UDP checksum, from the start of the UDP header. */
    public static final int UDP_CHECKSUM_FIELD_OFFSET = Udp.CHECKSUM_OFFSET;
    /** M_K (2 bits) and STATE_ID (22 bits), 3 bytes from the start of the STARE header. */
    public static final int KIND_STATE_FIELD_OFFSET = 0;
    /** UPDATE_NO, 2 bytes from the start of the STARE header. */
    public static final int UPDATE_NO_FIELD_OFFSET = 3;
    /** VNF_ID (10 bits), TOT_SEG - 1 (7) and SEGM_NO (7), 3 bytes from the start of the STARE header. */
    public static final int VNF_SEGMENTS_FIELD_OFFSET = 5;

    /** The "more fragments" flag and the 13-bit fragment offset: non-zero means a fragment. */
    private static final int FRAGMENT_MASK = 0x3fff;
    private static final int SEGMENT_MASK = (1 << StareHeader.SEGMENT_BITS) - 1;
    private static final int ADDRESS_KIND_STATE_MASK = 0xff_ffff;

    /**
     * What {@link #validate()} found: {@link #VALID}, or the first check that failed, in the order
     * the slow path makes them. {@link #errorKind()} is the {@link DecodeError.Kind} the slow path
     * reports for it.
     */
    public enum Verdict {
        /** A STARE packet in an Ethernet II frame, both checksums verified (or the UDP one zero). */
        VALID(null),
        /** Fewer than 14 bytes. */
        ETHERNET_TRUNCATED(DecodeError.Kind.TRUNCATED),
        /** A type field below 0x0600: an 802.3 length, not Ethernet II. */
        NOT_ETHERNET_II(DecodeError.Kind.MALFORMED),
        /** An Ethernet II frame whose EtherType is not IPv4. */
        NOT_IPV4(DecodeError.Kind.NOT_STARE),
        /** Fewer than 20 bytes after the Ethernet header. */
        IPV4_TRUNCATED(DecodeError.Kind.TRUNCATED),
        /** IP version other than 4. */
        IP_VERSION(DecodeError.Kind.MALFORMED),
        /** IHL below 5. */
        IHL_TOO_SMALL(DecodeError.Kind.MALFORMED),
        /** IPv4 total length shorter than the IPv4 header. */
        TOTAL_LENGTH_TOO_SMALL(DecodeError.Kind.MALFORMED),
        /** IPv4 total length beyond the bytes present. */
        TOTAL_LENGTH_EXCEEDS_FRAME(DecodeError.Kind.TRUNCATED),
        /** IPv4 header checksum does not match. */
        IPV4_CHECKSUM(DecodeError.Kind.BAD_CHECKSUM),
        /** A valid IPv4 packet that is not UDP. */
        NOT_UDP(DecodeError.Kind.NOT_STARE),
        /** A valid IPv4 packet outside 239.0.0.0/8. */
        NOT_STARE_DESTINATION(DecodeError.Kind.NOT_STARE),
        /** An IPv4 fragment towards 239.0.0.0/8. */
        FRAGMENT(DecodeError.Kind.MALFORMED),
        /** IPv4 payload shorter than a UDP header. */
        UDP_TRUNCATED(DecodeError.Kind.TRUNCATED),
        /** A valid IPv4 UDP datagram to another port than 65432. */
        NOT_STARE_PORT(DecodeError.Kind.NOT_STARE),
        /** UDP length disagrees with the IPv4 payload length. */
        UDP_LENGTH(DecodeError.Kind.MALFORMED),
        /** Non-zero UDP checksum that does not match. */
        UDP_CHECKSUM(DecodeError.Kind.BAD_CHECKSUM),
        /** UDP carries fewer than 8 bytes. */
        STARE_TRUNCATED(DecodeError.Kind.TRUNCATED),
        /** SEGM_NO at or above TOT_SEG. */
        SEGMENT_OUT_OF_RANGE(DecodeError.Kind.OUT_OF_RANGE),
        /** M_K or STATE_ID in the STARE header disagree with the destination address. */
        HEADER_ADDRESS_MISMATCH(DecodeError.Kind.MALFORMED);

        private final DecodeError.Kind errorKind;

        Verdict(DecodeError.Kind errorKind) {
            this.errorKind = errorKind;
        }

        /** Whether the frame is a valid STARE packet. */
        public boolean isValid() {
            return this == VALID;
        }

        /** The kind the slow path's {@link DecodeError} has for this failure; {@code null} for {@link #VALID}. */
        public DecodeError.Kind errorKind() {
            return errorKind;
        }

        /**
         * Whether the IPv4 header validated and the packet is simply not STARE traffic: what a switch
         * routes as ordinary IPv4 rather than drops.
         */
        public boolean isOtherIpv4() {
            return this == NOT_UDP || this == NOT_STARE_DESTINATION || this == NOT_STARE_PORT;
        }
    }

    private ByteBuffer buffer;
    private int offset;
    private int length;

    /** Points the flyweight at an empty heap buffer until the first {@link #wrap}. */
    public StareFrameFlyweight() {
        this.buffer = ByteBuffer.allocate(0);
    }

    /**
     * Points the flyweight at the frame of {@code length} bytes at absolute index {@code offset}.
     * The buffer's position, limit and order are left alone.
     *
     * @return this flyweight
     * @throws IndexOutOfBoundsException if the range is not within the buffer's limit
     */
    public StareFrameFlyweight wrap(ByteBuffer buffer, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, buffer.limit());
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
        return this;
    }

    /** The wrapped buffer. */
    public ByteBuffer buffer() {
        return buffer;
    }

    /** Absolute index of the frame's first byte. */
    public int offset() {
        return offset;
    }

    /** The frame's length as wrapped (trailing Ethernet padding included). */
    public int length() {
        return length;
    }

    /**
     * Checks the frame, in the slow path's order, and stops at the first failure: Ethernet II, IPv4
     * EtherType, IPv4 length and header checksum, UDP to 65432 towards 239.0.0.0/8, no fragment, UDP
     * length, UDP checksum (zero means not computed), the STARE header, and its agreement with the
     * destination address. Bytes after the IPv4 total length (padding) are allowed.
     */
    public Verdict validate() {
        if (length < Ethernet.HEADER_LENGTH) {
            return Verdict.ETHERNET_TRUNCATED;
        }
        int etherType = u16(ETHER_TYPE_OFFSET);
        if (etherType < Ethernet.MIN_ETHERTYPE) {
            return Verdict.NOT_ETHERNET_II;
        }
        if (etherType != Ethernet.ETHERTYPE_IPV4) {
            return Verdict.NOT_IPV4;
        }
        int available = length - IPV4_OFFSET;
        if (available < Ipv4.MIN_HEADER_LENGTH) {
            return Verdict.IPV4_TRUNCATED;
        }
        int versionIhl = u8(VERSION_IHL_OFFSET);
        if ((versionIhl >>> 4) != 4) {
            return Verdict.IP_VERSION;
        }
        int ipHeaderLength = (versionIhl & 0x0f) * 4;
        if (ipHeaderLength < Ipv4.MIN_HEADER_LENGTH) {
            return Verdict.IHL_TOO_SMALL;
        }
        int totalLength = u16(TOTAL_LENGTH_OFFSET);
        if (totalLength < ipHeaderLength) {
            return Verdict.TOTAL_LENGTH_TOO_SMALL;
        }
        if (totalLength > available) {
            return Verdict.TOTAL_LENGTH_EXCEEDS_FRAME;
        }
        if (InternetChecksum.finish(InternetChecksum.addWide(0, buffer, offset + IPV4_OFFSET, ipHeaderLength)) != 0) {
            return Verdict.IPV4_CHECKSUM;
        }
        if (u8(PROTOCOL_OFFSET) != Ipv4.PROTOCOL_UDP) {
            return Verdict.NOT_UDP;
        }
        int destination = s32(DESTINATION_ADDRESS_OFFSET);
        if (!StareAddress.isStare(destination)) {
            return Verdict.NOT_STARE_DESTINATION;
        }
        if ((u16(FLAGS_FRAGMENT_OFFSET) & FRAGMENT_MASK) != 0) {
            return Verdict.FRAGMENT;
        }
        int udp = IPV4_OFFSET + ipHeaderLength;
        int ipPayload = totalLength - ipHeaderLength;
        if (ipPayload < Udp.HEADER_LENGTH) {
            return Verdict.UDP_TRUNCATED;
        }
        if (u16(udp + Udp.DESTINATION_PORT_OFFSET) != StareAddress.UDP_PORT) {
            return Verdict.NOT_STARE_PORT;
        }
        int udpLength = u16(udp + Udp.LENGTH_OFFSET);
        if (udpLength != ipPayload) {
            return Verdict.UDP_LENGTH;
        }
        // A zero UDP checksum means "not computed" in IPv4 (RFC 768), as PacketCodec accepts it.
        if (u16(udp + Udp.CHECKSUM_OFFSET) != 0
                && udpChecksum(buffer, offset + udp, udpLength, s32(SOURCE_ADDRESS_OFFSET), destination) != 0) {
            return Verdict.UDP_CHECKSUM;
        }
        int stare = udp + Udp.HEADER_LENGTH;
        if (udpLength - Udp.HEADER_LENGTH < StareHeader.LENGTH) {
            return Verdict.STARE_TRUNCATED;
        }
        int segments = u24(stare + VNF_SEGMENTS_FIELD_OFFSET);
        if ((segments & SEGMENT_MASK) > ((segments >>> StareHeader.SEGMENT_BITS) & SEGMENT_MASK)) {
            return Verdict.SEGMENT_OUT_OF_RANGE;
        }
        if (u24(stare + KIND_STATE_FIELD_OFFSET) != (destination & ADDRESS_KIND_STATE_MASK)) {
            return Verdict.HEADER_ADDRESS_MISMATCH;
        }
        return Verdict.VALID;
    }

    /** The Ethernet destination MAC, 48 bits. */
    public long destinationMac() {
        return (long) u16(ETHERNET_DESTINATION_OFFSET) << 32 | Integer.toUnsignedLong(s32(ETHERNET_DESTINATION_OFFSET + 2));
    }

    /** The Ethernet source MAC, 48 bits. */
    public long sourceMac() {
        return (long) u16(ETHERNET_SOURCE_OFFSET) << 32 | Integer.toUnsignedLong(s32(ETHERNET_SOURCE_OFFSET + 2));
    }

    /** The EtherType. */
    public int etherType() {
        return u16(ETHER_TYPE_OFFSET);
    }

    /** The IPv4 header length in bytes, 4 * IHL. */
    public int ipv4HeaderLength() {
        return (u8(VERSION_IHL_OFFSET) & 0x0f) * 4;
    }

    /** The IPv4 total length. */
    public int ipv4TotalLength() {
        return u16(TOTAL_LENGTH_OFFSET);
    }

    /** The IPv4 time to live, 0..255. */
    public int ttl() {
        return u8(TTL_OFFSET);
    }

    /** The IPv4 source address as a 32-bit value. */
    public int sourceAddress() {
        return s32(SOURCE_ADDRESS_OFFSET);
    }

    /** The IPv4 destination address as a 32-bit value. */
    public int destinationAddress() {
        return s32(DESTINATION_ADDRESS_OFFSET);
    }

    /** The UDP source port, 0..65535. */
    public int sourcePort() {
        return u16(udp() + Udp.SOURCE_PORT_OFFSET);
    }

    /** The two-bit M_K code of the STARE header. */
    public int kindCode() {
        return u8(stare() + KIND_STATE_FIELD_OFFSET) >>> 6;
    }

    /** The message kind (M_K). */
    public MessageKind kind() {
        return MessageKind.fromCode(kindCode());
    }

    /** STATE_ID, 0..{@link StareAddress#MAX_STATE_ID}. */
    public int stateId() {
        return u24(stare() + KIND_STATE_FIELD_OFFSET) & StareAddress.MAX_STATE_ID;
    }

    /** UPDATE_NO (the subscription sequence number in SUB messages), 0..65535. */
    public int updateNo() {
        return u16(stare() + UPDATE_NO_FIELD_OFFSET);
    }

    /** VNF_ID, 0..{@link StareHeader#MAX_VNF_ID}. */
    public int vnfId() {
        return u24(stare() + VNF_SEGMENTS_FIELD_OFFSET) >>> (2 * StareHeader.SEGMENT_BITS);
    }

    /** TOT_SEG, 1..{@link StareHeader#MAX_SEGMENTS} (stored minus one). */
    public int totalSegments() {
        return ((u24(stare() + VNF_SEGMENTS_FIELD_OFFSET) >>> StareHeader.SEGMENT_BITS) & SEGMENT_MASK) + 1;
    }

    /** SEGM_NO, 0..TOT_SEG - 1. */
    public int segmentNo() {
        return u24(stare() + VNF_SEGMENTS_FIELD_OFFSET) & SEGMENT_MASK;
    }

    /** Absolute index in {@link #buffer()} of the payload's first byte. */
    public int payloadOffset() {
        return offset + stare() + StareHeader.LENGTH;
    }

    /** The payload's length: the UDP length less the UDP and STARE headers (padding excluded). */
    public int payloadLength() {
        return u16(udp() + Udp.LENGTH_OFFSET) - Udp.HEADER_LENGTH - StareHeader.LENGTH;
    }

    /**
     * Copies the payload into {@code destination} from {@code destinationOffset}.
     *
     * @return the number of bytes copied, {@link #payloadLength()}
     */
    public int getPayload(byte[] destination, int destinationOffset) {
        int payloadLength = payloadLength();
        buffer.get(payloadOffset(), destination, destinationOffset, payloadLength);
        return payloadLength;
    }

    /**
     * Copies the payload into {@code destination} at absolute index {@code destinationIndex}; the
     * destination's position is left alone.
     *
     * @return the number of bytes copied, {@link #payloadLength()}
     */
    public int getPayload(ByteBuffer destination, int destinationIndex) {
        int payloadLength = payloadLength();
        destination.put(destinationIndex, buffer, payloadOffset(), payloadLength);
        return payloadLength;
    }

    /**
     * Decrements the TTL in place and updates the IPv4 header checksum incrementally, as a switch
     * forwards the frame. The result is byte for byte what recomputing the checksum gives on a
     * frame that validated.
     *
     * @throws IllegalStateException if the TTL is 0
     */
    public void decrementTtl() {
        decrementTtl(buffer, offset);
    }

    /**
     * {@link #decrementTtl()} for the frame at absolute index {@code frameOffset}, without a
     * flyweight: for hot loops over frames known to be valid.
     *
     * @throws IllegalStateException if the TTL is 0
     */
    public static void decrementTtl(ByteBuffer buffer, int frameOffset) {
        int ttlIndex = frameOffset + TTL_OFFSET;
        int checksumIndex = frameOffset + IPV4_CHECKSUM_OFFSET;
        int ttl = buffer.get(ttlIndex) & 0xff;
        if (ttl == 0) {
            throw new IllegalStateException("TTL 0 cannot be decremented");
        }
        // TTL is the high byte of the 16-bit word it shares with the protocol (RFC 1624, section 4).
        int protocol = buffer.get(ttlIndex + 1) & 0xff;
        int checksum = (buffer.get(checksumIndex) & 0xff) << 8 | (buffer.get(checksumIndex + 1) & 0xff);
        int updated = InternetChecksum.update(checksum, ttl << 8 | protocol, (ttl - 1) << 8 | protocol);
        buffer.put(ttlIndex, (byte) (ttl - 1));
        buffer.put(checksumIndex, (byte) (updated >>> 8));
        buffer.put(checksumIndex + 1, (byte) updated);
    }

    /** The UDP checksum of the datagram at absolute {@code udpIndex}, as {@link Udp#checksum} sums it. */
    static int udpChecksum(ByteBuffer buffer, int udpIndex, int udpLength, int source, int destination) {
        long sum = (source >>> 16) + (source & 0xffff) + (destination >>> 16) + (destination & 0xffff)
                + Ipv4.PROTOCOL_UDP + udpLength;
        return InternetChecksum.finish(InternetChecksum.addWide(sum, buffer, udpIndex, udpLength));
    }

    @Override
    public String toString() {
        return "StareFrameFlyweight[offset=" + offset + ", length=" + length + "]";
    }

    private int udp() {
        return IPV4_OFFSET + ipv4HeaderLength();
    }

    private int stare() {
        return udp() + Udp.HEADER_LENGTH;
    }

    // Byte-wise reads keep every field big-endian whatever order the caller's buffer is set to.
    private int u8(int frameIndex) {
        return buffer.get(offset + frameIndex) & 0xff;
    }

    private int u16(int frameIndex) {
        return u8(frameIndex) << 8 | u8(frameIndex + 1);
    }

    private int u24(int frameIndex) {
        return u8(frameIndex) << 16 | u8(frameIndex + 1) << 8 | u8(frameIndex + 2);
    }

    private int s32(int frameIndex) {
        return u16(frameIndex) << 16 | u16(frameIndex + 2);
    }
}
