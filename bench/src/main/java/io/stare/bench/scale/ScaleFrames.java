package io.stare.bench.scale;

import io.stare.protocol.address.MessageKind;
import io.stare.protocol.header.StareHeader;
import io.stare.protocol.packet.Ethernet;
import io.stare.protocol.packet.PacketCodec;
import io.stare.protocol.packet.StarePacket;

/**
 * The frames the scale benchmark drives a pipeline with, byte for byte what a middleware sends
 * (Ethernet II, IPv4 to the STARE multicast address, UDP 65432, the 8-byte STARE header).
 */
final class ScaleFrames {

    private static final long MAC = 0x02_00_00_00_00_01L;
    private static final int LOOPBACK = 0x7f000001;
    private static final int UDP_SOURCE = 40000;
    private static final int TTL = 64;

    private ScaleFrames() {
    }

    /** A SUB-register for {@code stateId}, as a middleware's first (sequence 1) attempt. */
    static byte[] subRegister(int stateId) {
        return frame(StareHeader.subscription(MessageKind.SUB_REGISTER, stateId, 1, 1), new byte[0]);
    }

    /** A one-segment Publish of {@code stateId} with a payload of {@code payloadBytes} zero bytes. */
    static byte[] publish(int stateId, int updateNo, int payloadBytes) {
        return frame(new StareHeader(MessageKind.PUBLISH, stateId, updateNo, 1, 1, 0), new byte[payloadBytes]);
    }

    private static byte[] frame(StareHeader header, byte[] payload) {
        return Ethernet.wrapIpv4Multicast(MAC, PacketCodec.encode(new StarePacket(LOOPBACK, UDP_SOURCE, TTL, header, payload)));
    }
}
