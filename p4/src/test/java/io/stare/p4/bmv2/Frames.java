package io.stare.p4.bmv2;

import io.stare.protocol.address.MessageKind;
import io.stare.protocol.header.StareHeader;
import io.stare.protocol.packet.Ethernet;
import io.stare.protocol.packet.InternetChecksum;
import io.stare.protocol.packet.PacketCodec;
import io.stare.protocol.packet.StarePacket;
import io.stare.protocol.packet.Udp;
import java.nio.ByteBuffer;
import java.util.HexFormat;

/** The frames the conformance tests send, built with the protocol module (checksums valid). */
final class Frames {

    static final int IP = Ethernet.HEADER_LENGTH;
    static final int UDP = IP + 20;
    static final int STARE = UDP + 8;

    private Frames() {
    }

    /** Host {@code id}'s MAC, locally administered 02:00:00:00:00:id. */
    static long mac(int id) {
        return 0x020000000000L | id;
    }

    /**
     * Host {@code id}'s IPv4 source address, 192.0.2.id (TEST-NET-1, documentation only). The
     * frames never leave the test's namespace; nothing is ever sent to this address.
     */
    static int ip(int id) {
        return 0xc0000200 | id;
    }

    /** A SUB-register, SUB-remove or SUB-ack from host {@code host}. */
    static byte[] sub(MessageKind kind, int state, int sequence, int host, int ttl) {
        return Ethernet.wrapIpv4Multicast(mac(host), PacketCodec.encode(new StarePacket(ip(host), 65432, ttl,
                new StareHeader(kind, state, sequence, host, 1, 0), new byte[0])));
    }

    /** A single-segment Publish from host {@code host} with {@code payload}. */
    static byte[] publish(int state, int update, int host, byte[] payload) {
        return Ethernet.wrapIpv4Multicast(mac(host), PacketCodec.encode(new StarePacket(ip(host), 40000,
                StarePacket.DEFAULT_TTL, new StareHeader(MessageKind.PUBLISH, state, update, host, 1, 0), payload)));
    }

    /** A UDP datagram that is not STARE traffic (TTL 64, checksums valid), for {@code ipv4_lpm}. */
    static byte[] udp(int source, int destination, byte[] payload) {
        byte[] ip = new byte[20 + 8 + payload.length];
        ByteBuffer b = ByteBuffer.wrap(ip);
        b.put(0, (byte) 0x45).putShort(2, (short) ip.length).putShort(6, (short) 0x4000);
        b.put(8, (byte) 64).put(9, (byte) 17).putInt(12, source).putInt(16, destination);
        b.putShort(20, (short) 1234).putShort(22, (short) 5678).putShort(24, (short) (8 + payload.length));
        b.put(28, payload);
        b.putShort(10, (short) InternetChecksum.of(b, 0, 20));
        int sum = Udp.checksum(b, 20, 8 + payload.length, source, destination);
        b.putShort(26, (short) (sum == 0 ? 0xffff : sum));
        return Ethernet.wrap(mac(0x99), mac(1), Ethernet.ETHERTYPE_IPV4, ip);
    }

    /**
     * A copy of {@code frame} changed by {@code edit} (absolute puts on the whole frame), with the
     * IPv4 header checksum recomputed over {@code ipHeaderBytes} when that is positive.
     */
    static byte[] edit(byte[] frame, java.util.function.Consumer<ByteBuffer> edit, int ipHeaderBytes) {
        byte[] copy = frame.clone();
        ByteBuffer b = ByteBuffer.wrap(copy);
        edit.accept(b);
        if (ipHeaderBytes > 0) {
            b.putShort(IP + 10, (short) 0);
            b.putShort(IP + 10, (short) InternetChecksum.of(b, IP, ipHeaderBytes));
        }
        return copy;
    }

    /** {@code frame} followed by {@code extra} zero bytes (as Ethernet pads short frames to 60 bytes). */
    static byte[] padded(byte[] frame, int extra) {
        return java.util.Arrays.copyOf(frame, frame.length + extra);
    }

    /**
     * {@code frame} with {@code options} (a multiple of 4 bytes, e.g. NOPs) inserted after the 20-byte
     * IPv4 header; IHL, total length and the IPv4 checksum adjusted, the UDP checksum kept.
     */
    static byte[] withIpOptions(byte[] frame, byte[] options) {
        byte[] copy = new byte[frame.length + options.length];
        System.arraycopy(frame, 0, copy, 0, UDP);
        System.arraycopy(options, 0, copy, UDP, options.length);
        System.arraycopy(frame, UDP, copy, UDP + options.length, frame.length - UDP);
        int headerBytes = 20 + options.length;
        return edit(copy, b -> b.put(IP, (byte) (0x40 | headerBytes / 4))
                .putShort(IP + 2, (short) ((b.getShort(IP + 2) & 0xffff) + options.length)), headerBytes);
    }

    /** The frame as hex, for failure messages. */
    static String hex(byte[] frame) {
        return HexFormat.of().formatHex(frame);
    }
}
