package io.stare.p4.pipeline;

import io.stare.protocol.DecodeError;
import io.stare.protocol.DecodeResult;
import io.stare.protocol.packet.Ethernet;
import io.stare.protocol.packet.Ipv4;
import io.stare.protocol.packet.PacketCodec;
import io.stare.protocol.packet.StarePacket;
import java.nio.ByteBuffer;

/**
 * The parser both pipelines (and the embedded controller) share: sorts a frame into a STARE
 * packet, other IPv4 traffic, or a drop. Never throws on any bytes.
 */
final class Ingress {

    /** What a frame turned out to be. */
    sealed interface Parsed permits Bad, Stare, OtherIpv4 {
    }

    /** Not forwardable: drop and count. */
    record Bad(DropReason reason) implements Parsed {
    }

    /** A STARE packet that decoded with both checksums verified. */
    record Stare(StarePacket packet) implements Parsed {
    }

    /** A valid IPv4 packet that is not STARE traffic: routed by {@code ipv4_lpm}. */
    record OtherIpv4(Ipv4.Header header) implements Parsed {
    }

    private Ingress() {
    }

    static Parsed parse(byte[] frame) {
        DecodeResult<Ethernet.Frame> ethernet = Ethernet.unwrap(frame);
        if (!ethernet.isOk()) {
            return new Bad(DropReason.BAD_ETHERNET);
        }
        if (!ethernet.orElseThrow().isIpv4()) {
            return new Bad(DropReason.NOT_IPV4);
        }
        ByteBuffer ip = ByteBuffer.wrap(frame, Ethernet.HEADER_LENGTH, frame.length - Ethernet.HEADER_LENGTH).slice();
        DecodeResult<StarePacket> stare = PacketCodec.decode(ip, PacketCodec.ChecksumPolicy.VERIFY);
        if (stare.isOk()) {
            return new Stare(stare.orElseThrow());
        }
        // NOT_STARE comes only after the IPv4 header validated: such a packet is ordinary traffic.
        // Every other failure is a broken packet, STARE or not, and the switch will not forward it.
        if (stare.errorOrNull().kind() == DecodeError.Kind.NOT_STARE) {
            DecodeResult<Ipv4.Header> header = Ipv4.parse(ip);
            if (header.isOk()) {
                return new OtherIpv4(header.orElseThrow());
            }
        }
        return new Bad(DropReason.MALFORMED);
    }
}
