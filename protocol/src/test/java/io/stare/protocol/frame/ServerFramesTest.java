package io.stare.protocol.frame;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.stare.protocol.DecodeError;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.packet.Ethernet;
import io.stare.protocol.packet.PacketCodec;
import io.stare.protocol.packet.StarePacket;
import io.stare.protocol.segment.Segment;
import org.junit.jupiter.api.Test;

class ServerFramesTest {

    private final ServerFrames frames = new ServerFrames(3);

    @Test
    void aPublishSegmentRoundTrips() {
        Segment segment = new Segment(12345, 7, 70_000, 3, 1, new byte[] {1, 2, 3});
        byte[] frame = frames.publish(segment);
        assertEquals(14 + StarePacket.OVERHEAD + 3, frame.length);
        StarePacket packet = ServerFrames.decode(frame).orElseThrow();
        assertEquals(segment.header(), packet.header());
        assertEquals(70_000 & 0xffff, packet.header().updateNo()); // UPDATE_NO is the low 16 bits
        assertArrayEquals(new byte[] {1, 2, 3}, packet.payload());
    }

    @Test
    void aSubscriptionCarriesItsSequenceAndSender() {
        StarePacket packet = ServerFrames.decode(frames.subscription(MessageKind.SUB_REGISTER, 9, 513, 3)).orElseThrow();
        assertEquals(MessageKind.SUB_REGISTER, packet.header().kind());
        assertEquals(513, packet.header().updateNo());
        assertEquals(3, packet.header().vnfId());
        assertEquals(0, packet.payloadLength());
    }

    @Test
    void badFramesAreRefusedWithAReason() {
        assertEquals(DecodeError.Kind.TRUNCATED, ServerFrames.decode(new byte[3]).errorOrNull().kind());
        byte[] ipv6 = new byte[60];
        ipv6[12] = (byte) 0x86;
        ipv6[13] = (byte) 0xdd;
        assertEquals(DecodeError.Kind.NOT_STARE, ServerFrames.decode(ipv6).errorOrNull().kind());
        byte[] frame = frames.publish(new Segment(1, 1, 0, 1, 0, new byte[] {5}));
        frame[frame.length - 1] ^= 1;
        assertFalse(ServerFrames.decode(frame).isOk());
    }
}
