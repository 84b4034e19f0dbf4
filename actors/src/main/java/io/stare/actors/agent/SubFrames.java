package io.stare.actors.agent;

import io.stare.actors.arq.SubRetransmissions;
import io.stare.p4.pipeline.CpuHeaders;
import io.stare.p4.pipeline.PortMask;
import io.stare.p4.pipeline.Propagation;
import io.stare.protocol.DecodeResult;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.header.StareHeader;
import io.stare.protocol.packet.Ethernet;
import io.stare.protocol.packet.InternetChecksum;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The little the agent reads from and changes in the frames a switch hands it (SUB messages and
 * SUB-acks): the STARE header, and the TTL decrement a switch applies to every copy it sends on.
 * The switch validated the frames already (Ethernet II + IPv4 + UDP + STARE), so this only guards
 * against truncation. Pure.
 */
final class SubFrames {

    private static final int IP = Ethernet.HEADER_LENGTH;
    private static final int TTL = IP + 8;
    private static final int IP_CHECKSUM = IP + 10;
    private static final int UDP_LENGTH = 8;

    private SubFrames() {
    }

    /** The STARE header of a frame, if it has one where a STARE frame has it. */
    static Optional<StareHeader> header(byte[] frame) {
        if (frame.length < IP + 20) {
            return Optional.empty();
        }
        int offset = IP + ipHeaderLength(frame) + UDP_LENGTH;
        if (frame.length < offset + StareHeader.LENGTH) {
            return Optional.empty();
        }
        DecodeResult<StareHeader> header = StareHeader.read(ByteBuffer.wrap(frame), offset);
        return header.isOk() ? Optional.of(header.orElseThrow()) : Optional.empty();
    }

    /** Whether the header is a SUB-register or SUB-remove. */
    static boolean isSubscription(StareHeader header) {
        return header.kind() == MessageKind.SUB_REGISTER || header.kind() == MessageKind.SUB_REMOVE;
    }

    /**
     * The frame as the switch sent it on: TTL one lower, IPv4 header checksum recomputed (the
     * SUB_PROPAGATED packet-in carries the frame as it was received).
     */
    static byte[] forwarded(byte[] frame) {
        byte[] copy = frame.clone();
        copy[TTL] = (byte) ((frame[TTL] & 0xff) - 1);
        ByteBuffer buffer = ByteBuffer.wrap(copy);
        buffer.putShort(IP_CHECKSUM, (short) 0);
        buffer.putShort(IP_CHECKSUM, (short) InternetChecksum.of(buffer, IP, ipHeaderLength(copy)));
        return copy;
    }

    /**
     * Register mode: the copies of a SUB message the switch propagated (a SUB_PROPAGATED
     * packet-in). Its {@code value} is the state's new mask, so the old one is
     * {@code new ^ bit(ingress)} and the propagation follows from the rule; each copy is the
     * received frame with its TTL decremented. None for a frame that is not a SUB message or came
     * in by a port beyond {@code portCount}.
     */
    static List<SubRetransmissions.Copy> propagated(CpuHeaders.PacketIn header, byte[] frame, int portCount,
                                                    long treePorts) {
        Optional<StareHeader> stare = header(frame);
        if (stare.isEmpty() || !isSubscription(stare.get()) || header.ingressPort() >= portCount) {
            return List.of();
        }
        long old = header.value() ^ PortMask.bit(header.ingressPort());
        long propagation = Propagation.propagate(stare.get().kind(), old, header.ingressPort(), treePorts,
                PortMask.all(portCount));
        byte[] forwarded = forwarded(frame);
        List<SubRetransmissions.Copy> copies = new ArrayList<>();
        for (int port : PortMask.ports(propagation)) {
            copies.add(new SubRetransmissions.Copy(port, (int) header.index(), stare.get().updateNo(),
                    stare.get().vnfId(), forwarded));
        }
        return copies;
    }

    private static int ipHeaderLength(byte[] frame) {
        return (frame[IP] & 0x0f) * 4;
    }
}
