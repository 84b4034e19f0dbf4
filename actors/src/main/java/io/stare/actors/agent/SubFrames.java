package io.stare.actors.agent;

import io.stare.protocol.DecodeResult;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.header.StareHeader;
import io.stare.protocol.packet.Ethernet;
import io.stare.protocol.packet.InternetChecksum;
import java.nio.ByteBuffer;
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

    private static int ipHeaderLength(byte[] frame) {
        return (frame[IP] & 0x0f) * 4;
    }
}
