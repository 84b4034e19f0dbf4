package io.stare.p4.pipeline;

import io.stare.protocol.address.MessageKind;
import io.stare.protocol.packet.Ethernet;
import io.stare.protocol.packet.InternetChecksum;
import java.nio.ByteBuffer;

/**
 * The byte rewrites a switch makes to a frame it has already validated (Ethernet II + IPv4, and
 * for the SUB-ack, UDP + STARE): each returns a new array and leaves the input alone.
 */
final class FrameRewrite {

    private static final int IP = Ethernet.HEADER_LENGTH;
    private static final int TTL = IP + 8;
    private static final int IP_CHECKSUM = IP + 10;
    // Second octet of the destination address: its top two bits are M_K.
    private static final int DESTINATION_KIND_OCTET = IP + 17;
    private static final int KIND_MASK = 0xc0;

    private FrameRewrite() {
    }

    /** The TTL of the frame's IPv4 header. */
    static int ttl(byte[] frame) {
        return frame[TTL] & 0xff;
    }

    /** A copy with the TTL one lower and the IPv4 header checksum recomputed, as every forwarded copy. */
    static byte[] decrementTtl(byte[] frame) {
        byte[] copy = frame.clone();
        copy[TTL] = (byte) (ttl(frame) - 1);
        fixIpChecksum(copy);
        return copy;
    }

    /**
     * The SUB-ack answering a SUB message: M_K set to 01 in the destination address and in the
     * STARE header, UDP checksum 0 (RFC 768 allows it; switches do not recompute UDP checksums) and
     * the IPv4 checksum recomputed, and the destination MAC set to the multicast MAC of the new
     * address (so a NIC filtering on it accepts the ack). Everything else, the TTL included, is kept
     * as it is in {@code frame}.
     */
    static byte[] toSubAck(byte[] frame) {
        byte[] ack = frame.clone();
        int udp = IP + ipHeaderLength(frame);
        int stare = udp + 8;
        int kindBits = MessageKind.SUB_ACK.code() << 6;
        ack[DESTINATION_KIND_OCTET] = (byte) (ack[DESTINATION_KIND_OCTET] & ~KIND_MASK | kindBits);
        ack[stare] = (byte) (ack[stare] & ~KIND_MASK | kindBits);
        ack[udp + 6] = 0;
        ack[udp + 7] = 0;
        fixIpChecksum(ack);
        long mac = Ethernet.ipv4MulticastMac(ByteBuffer.wrap(ack).getInt(IP + 16));
        for (int i = 0; i < 6; i++) {
            ack[i] = (byte) (mac >>> (8 * (5 - i)));
        }
        return ack;
    }

    private static int ipHeaderLength(byte[] frame) {
        return (frame[IP] & 0x0f) * 4;
    }

    private static void fixIpChecksum(byte[] frame) {
        ByteBuffer buffer = ByteBuffer.wrap(frame);
        buffer.putShort(IP_CHECKSUM, (short) 0);
        buffer.putShort(IP_CHECKSUM, (short) InternetChecksum.of(buffer, IP, ipHeaderLength(frame)));
    }
}
