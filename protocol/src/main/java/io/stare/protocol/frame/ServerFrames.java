package io.stare.protocol.frame;

import io.stare.protocol.DecodeError;
import io.stare.protocol.DecodeResult;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.address.StareAddress;
import io.stare.protocol.header.StareHeader;
import io.stare.protocol.packet.Ethernet;
import io.stare.protocol.packet.PacketCodec;
import io.stare.protocol.packet.StarePacket;
import io.stare.protocol.segment.Segment;
import java.util.Locale;

/**
 * Whole Ethernet frames of one server's middleware: Publish segments and SUB messages out, any
 * frame in. Pure; the source MAC and IPv4 address name the server (02:00:00:00:xx:xx, 127.0.0.1).
 * The middleware sends SUB messages with it; tests, relays and benchmarks build and read frames
 * exactly as the middleware does.
 */
public final class ServerFrames {

    private static final int LOOPBACK = 0x7f000001;
    private static final long LOCAL_MAC_BASE = 0x02_00_00_00_00_00L;

    private final long sourceMac;

    /** The frames of the server whose messages carry {@code senderId} (its source MAC). */
    public ServerFrames(int senderId) {
        this.sourceMac = LOCAL_MAC_BASE | senderId;
    }

    /** One Publish segment as a frame. */
    public byte[] publish(Segment segment) {
        return frame(segment.header(), segment.payload());
    }

    /** A SUB-register or SUB-remove, numbered for the ARQ. */
    public byte[] subscription(MessageKind kind, int stateId, int sequenceNo, int senderId) {
        return frame(StareHeader.subscription(kind, stateId, sequenceNo, senderId), new byte[0]);
    }

    private byte[] frame(StareHeader header, byte[] payload) {
        StarePacket packet = new StarePacket(LOOPBACK, StareAddress.UDP_PORT, StarePacket.DEFAULT_TTL, header, payload);
        return Ethernet.wrapIpv4Multicast(sourceMac, PacketCodec.encode(packet));
    }

    /** Decodes a received frame: Ethernet II, IPv4 EtherType, then the whole STARE packet. */
    public static DecodeResult<StarePacket> decode(byte[] frame) {
        DecodeResult<Ethernet.Frame> ethernet = Ethernet.unwrap(frame);
        if (!ethernet.isOk()) {
            return DecodeResult.fail(ethernet.errorOrNull());
        }
        Ethernet.Frame f = ethernet.orElseThrow();
        if (!f.isIpv4()) {
            return DecodeResult.fail(DecodeError.Kind.NOT_STARE,
                    String.format(Locale.ROOT, "EtherType 0x%04x is not IPv4", f.etherType()));
        }
        return PacketCodec.decode(f.payload());
    }

    /** Whether a decoded packet is a SUB-ack. */
    public static boolean isAck(StarePacket packet) {
        return packet.header().kind() == MessageKind.SUB_ACK;
    }
}
