package io.stare.protocol.packet;

import io.stare.protocol.DecodeError;
import io.stare.protocol.DecodeResult;
import io.stare.protocol.address.StareAddress;
import io.stare.protocol.header.StareHeader;
import java.nio.ByteBuffer;

/**
 * Encodes and decodes whole STARE packets: IPv4 (20 bytes) + UDP (8) + STARE header (8) + payload,
 * with both checksums, as they travel between middlewares and switches and as they appear in
 * captures.
 *
 * <pre>
 *  0          20        28        36
 *  +----------+---------+---------+------------------------+
 *  |   IPv4   |   UDP   |  STARE  |   segment payload      |
 *  | dst=239. | dport   | M_K,    |   (0..65499 bytes)     |
 *  | M_K|STATE| 65432   | STATE.. |                        |
 *  +----------+---------+---------+------------------------+
 * </pre>
 *
 * Decoding checks, in order, and stops at the first failure: IPv4 validity and header checksum;
 * UDP to port 65432 towards 239.0.0.0/8 ({@code NOT_STARE} otherwise, so a switch can route it
 * as ordinary traffic); no fragmentation; consistent UDP length; the UDP checksum; the STARE
 * header; and that the header's M_K and STATE_ID agree with the destination address.
 */
public final class PacketCodec {

    /** Whether decoding verifies checksums. */
    public enum ChecksumPolicy {
        /** Refuse packets whose IPv4 or UDP checksum is wrong (the default, and what switches do). */
        VERIFY,
        /**
         * Accept wrong checksums: for reading captures taken before a NIC's checksum offload filled
         * them in. Never for live traffic.
         */
        IGNORE
    }

    private PacketCodec() {
    }

    /** The packet as bytes on a wire, checksums computed. */
    public static byte[] encode(StarePacket packet) {
        byte[] bytes = new byte[packet.totalLength()];
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        int destination = packet.destination().toInt();
        Ipv4.writeHeader(buffer, bytes.length, packet.ttl(), Ipv4.PROTOCOL_UDP, packet.sourceAddress(), destination);

        int udp = Ipv4.MIN_HEADER_LENGTH;
        int udpLength = bytes.length - udp;
        buffer.putShort(udp + Udp.SOURCE_PORT_OFFSET, (short) packet.sourcePort());
        buffer.putShort(udp + Udp.DESTINATION_PORT_OFFSET, (short) StareAddress.UDP_PORT);
        buffer.putShort(udp + Udp.LENGTH_OFFSET, (short) udpLength);
        buffer.putShort(udp + Udp.CHECKSUM_OFFSET, (short) 0);
        packet.header().writeTo(buffer, udp + Udp.HEADER_LENGTH);
        buffer.put(udp + Udp.HEADER_LENGTH + StareHeader.LENGTH, packet.payload());

        int checksum = Udp.checksum(buffer, udp, udpLength, packet.sourceAddress(), destination);
        buffer.putShort(udp + Udp.CHECKSUM_OFFSET, (short) (checksum == 0 ? 0xffff : checksum));
        return bytes;
    }

    /** Decodes a whole packet, verifying checksums. */
    public static DecodeResult<StarePacket> decode(byte[] bytes) {
        return decode(ByteBuffer.wrap(bytes), ChecksumPolicy.VERIFY);
    }

    /**
     * Decodes the packet between position 0 and the limit of {@code buffer}; the buffer is read
     * with absolute gets and left unchanged.
     */
    public static DecodeResult<StarePacket> decode(ByteBuffer buffer, ChecksumPolicy policy) {
        DecodeResult<Ipv4.Header> ip = Ipv4.parse(buffer);
        if (ip instanceof DecodeResult.Failure<Ipv4.Header> failure) {
            if (policy == ChecksumPolicy.IGNORE && failure.error().kind() == DecodeError.Kind.BAD_CHECKSUM) {
                ip = Ipv4.parse(withValidIpChecksum(buffer));
            }
            if (!ip.isOk()) {
                return DecodeResult.fail(ip.errorOrNull());
            }
        }
        Ipv4.Header header = ip.orElseThrow();
        if (header.protocol() != Ipv4.PROTOCOL_UDP) {
            return DecodeResult.fail(DecodeError.Kind.NOT_STARE, "IP protocol " + header.protocol() + " is not UDP");
        }
        if (!header.isStareDestination()) {
            return DecodeResult.fail(DecodeError.Kind.NOT_STARE,
                    "destination " + StareAddress.dottedQuad(header.destination()) + " is outside 239.0.0.0/8");
        }
        if (header.fragment()) {
            return DecodeResult.fail(DecodeError.Kind.MALFORMED, "STARE packets are never fragmented");
        }
        int udp = header.headerLength();
        int ipPayload = header.totalLength() - udp;
        if (ipPayload < Udp.HEADER_LENGTH) {
            return DecodeResult.fail(DecodeError.Kind.TRUNCATED,
                    "UDP header needs " + Udp.HEADER_LENGTH + " bytes, have " + ipPayload);
        }
        int destinationPort = buffer.getShort(udp + Udp.DESTINATION_PORT_OFFSET) & 0xffff;
        if (destinationPort != StareAddress.UDP_PORT) {
            return DecodeResult.fail(DecodeError.Kind.NOT_STARE,
                    "UDP destination port " + destinationPort + " is not " + StareAddress.UDP_PORT);
        }
        int udpLength = buffer.getShort(udp + Udp.LENGTH_OFFSET) & 0xffff;
        if (udpLength != ipPayload) {
            return DecodeResult.fail(DecodeError.Kind.MALFORMED,
                    "UDP length " + udpLength + " disagrees with the IPv4 payload length " + ipPayload);
        }
        int udpChecksum = buffer.getShort(udp + Udp.CHECKSUM_OFFSET) & 0xffff;
        // A zero UDP checksum means "not computed" in IPv4 (RFC 768); our senders always compute it.
        if (policy == ChecksumPolicy.VERIFY && udpChecksum != 0
                && Udp.checksum(buffer, udp, udpLength, header.source(), header.destination()) != 0) {
            return DecodeResult.fail(DecodeError.Kind.BAD_CHECKSUM, "UDP checksum does not match");
        }
        int stare = udp + Udp.HEADER_LENGTH;
        int stareLength = udpLength - Udp.HEADER_LENGTH;
        if (stareLength < StareHeader.LENGTH) {
            return DecodeResult.fail(DecodeError.Kind.TRUNCATED,
                    "STARE header needs " + StareHeader.LENGTH + " bytes, UDP carries " + stareLength);
        }
        DecodeResult<StareHeader> parsed = StareHeader.read(buffer.duplicate().limit(stare + stareLength), stare);
        if (!parsed.isOk()) {
            return DecodeResult.fail(parsed.errorOrNull());
        }
        StareHeader stareHeader = parsed.orElseThrow();
        StareAddress destination = StareAddress.fromInt(header.destination()).orElseThrow();
        if (stareHeader.kind() != destination.kind() || stareHeader.stateId() != destination.stateId()) {
            return DecodeResult.fail(DecodeError.Kind.MALFORMED, "STARE header (" + stareHeader.kind() + ", state "
                    + stareHeader.stateId() + ") disagrees with destination " + destination);
        }
        byte[] payload = new byte[stareLength - StareHeader.LENGTH];
        buffer.get(stare + StareHeader.LENGTH, payload);
        int sourcePort = buffer.getShort(udp + Udp.SOURCE_PORT_OFFSET) & 0xffff;
        return DecodeResult.ok(new StarePacket(header.source(), sourcePort, header.ttl(), stareHeader, payload));
    }

    private static ByteBuffer withValidIpChecksum(ByteBuffer buffer) {
        byte[] copy = new byte[buffer.limit()];
        buffer.get(0, copy);
        ByteBuffer fixed = ByteBuffer.wrap(copy);
        int headerLength = Math.min((copy[0] & 0x0f) * 4, copy.length);
        fixed.putShort(Ipv4.CHECKSUM_OFFSET, (short) 0);
        fixed.putShort(Ipv4.CHECKSUM_OFFSET, (short) InternetChecksum.of(fixed, 0, headerLength));
        return fixed;
    }
}
