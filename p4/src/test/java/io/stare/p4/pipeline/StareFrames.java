package io.stare.p4.pipeline;

import io.stare.protocol.DecodeResult;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.header.StareHeader;
import io.stare.protocol.packet.Ethernet;
import io.stare.protocol.packet.InternetChecksum;
import io.stare.protocol.packet.PacketCodec;
import io.stare.protocol.packet.StarePacket;
import io.stare.protocol.packet.Udp;
import java.nio.ByteBuffer;
import java.util.Arrays;

/** Builds and reads the Ethernet frames the pipeline tests send, independently of the pipelines. */
final class StareFrames {

    static final int IP = Ethernet.HEADER_LENGTH;
    static final int UDP = IP + 20;
    static final int STARE = UDP + 8;

    private StareFrames() {
    }

    /** Host {@code id}'s MAC: locally administered 02:00:00:00:00:id. */
    static long mac(int id) {
        return 0x020000000000L | id;
    }

    /** Host {@code id}'s IPv4 address, 10.0.x.y. */
    static int ip(int id) {
        return 0x0a000000 | id;
    }

    static byte[] frame(int hostId, StarePacket packet) {
        return Ethernet.wrapIpv4Multicast(mac(hostId), PacketCodec.encode(packet));
    }

    /** A SUB message from a middleware, TTL 64, as it leaves the host. */
    static byte[] sub(MessageKind kind, int state, int sequence, int hostId) {
        return frame(hostId, new StarePacket(ip(hostId), 65432, StarePacket.DEFAULT_TTL,
                StareHeader.subscription(kind, state, sequence, hostId), new byte[0]));
    }

    /** A single-segment Publish, TTL 64. */
    static byte[] publish(int state, int update, int hostId, byte[] payload) {
        return frame(hostId, new StarePacket(ip(hostId), 40000, StarePacket.DEFAULT_TTL,
                new StareHeader(MessageKind.PUBLISH, state, update, hostId, 1, 0), payload));
    }

    /** A UDP datagram that is not STARE traffic, checksums valid. */
    static byte[] udp(int source, int destination, int destinationPort, byte[] payload) {
        byte[] ip = new byte[20 + 8 + payload.length];
        ByteBuffer b = ByteBuffer.wrap(ip);
        b.put(0, (byte) 0x45).putShort(2, (short) ip.length).putShort(6, (short) 0x4000);
        b.put(8, (byte) 64).put(9, (byte) 17).putInt(12, source).putInt(16, destination);
        b.putShort(20, (short) 1234).putShort(22, (short) destinationPort).putShort(24, (short) (8 + payload.length));
        b.put(28, payload);
        byte[] frame = Ethernet.wrap(0x020000000099L, mac(1), Ethernet.ETHERTYPE_IPV4, ip);
        return fixChecksums(frame);
    }

    /** Recomputes the IPv4 header and UDP checksums of a frame (to craft wrong-but-consistent packets). */
    static byte[] fixChecksums(byte[] frame) {
        byte[] copy = frame.clone();
        ByteBuffer b = ByteBuffer.wrap(copy);
        b.putShort(IP + 10, (short) 0);
        b.putShort(IP + 10, (short) InternetChecksum.of(b, IP, 20));
        int udpLength = b.getShort(UDP + 4) & 0xffff;
        if (UDP + udpLength <= copy.length) {
            b.putShort(UDP + 6, (short) 0);
            int sum = Udp.checksum(b, UDP, udpLength, b.getInt(IP + 12), b.getInt(IP + 16));
            b.putShort(UDP + 6, (short) (sum == 0 ? 0xffff : sum));
        }
        return copy;
    }

    /** A copy with another TTL, IPv4 checksum valid. */
    static byte[] withTtl(byte[] frame, int ttl) {
        byte[] copy = frame.clone();
        copy[IP + 8] = (byte) ttl;
        ByteBuffer b = ByteBuffer.wrap(copy);
        b.putShort(IP + 10, (short) 0);
        b.putShort(IP + 10, (short) InternetChecksum.of(b, IP, 20));
        return copy;
    }

    static DecodeResult<StarePacket> tryDecode(byte[] frame) {
        DecodeResult<Ethernet.Frame> ethernet = Ethernet.unwrap(frame);
        if (!ethernet.isOk()) {
            return DecodeResult.fail(ethernet.errorOrNull());
        }
        if (!ethernet.orElseThrow().isIpv4()) {
            return DecodeResult.fail(io.stare.protocol.DecodeError.Kind.NOT_STARE, "not IPv4");
        }
        return PacketCodec.decode(ethernet.orElseThrow().payload());
    }

    /** Decodes a frame with both checksums verified; fails the test otherwise. */
    static StarePacket decode(byte[] frame) {
        return tryDecode(frame).orElseThrow();
    }

    /** What a switch sends on for {@code frame}: the same frame, TTL one lower. */
    static byte[] forwarded(byte[] frame) {
        return withTtl(frame, (frame[IP + 8] & 0xff) - 1);
    }

    /**
     * The SUB-ack for a SUB frame, built from the spec rather than by the pipeline's code: the
     * packet re-encoded with M_K 01 and TTL - 1, UDP checksum 0, and the original Ethernet header.
     */
    static byte[] expectedAck(byte[] subFrame) {
        StarePacket sub = decode(subFrame);
        StareHeader h = sub.header();
        StarePacket ack = new StarePacket(sub.sourceAddress(), sub.sourcePort(), sub.ttl() - 1,
                new StareHeader(MessageKind.SUB_ACK, h.stateId(), h.updateNo(), h.vnfId(), h.totalSegments(),
                        h.segmentNo()), sub.payload());
        byte[] ip = PacketCodec.encode(ack);
        ip[26] = 0;
        ip[27] = 0;
        byte[] frame = Arrays.copyOf(subFrame, IP + ip.length);
        System.arraycopy(ip, 0, frame, IP, ip.length);
        // The ack goes to the multicast MAC of its own (SUB-ack) address.
        long mac = Ethernet.ipv4MulticastMac(ack.destination().toInt());
        for (int i = 0; i < 6; i++) {
            frame[i] = (byte) (mac >>> (8 * (5 - i)));
        }
        return frame;
    }
}
