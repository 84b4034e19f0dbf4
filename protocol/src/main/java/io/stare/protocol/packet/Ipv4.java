package io.stare.protocol.packet;

import io.stare.protocol.DecodeError;
import io.stare.protocol.DecodeResult;
import io.stare.protocol.address.StareAddress;
import java.nio.ByteBuffer;

/**
 * IPv4 header layout and validation (RFC 791), enough for a switch to forward any IPv4 packet and
 * for STARE to find its UDP payload.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |Version|  IHL  |    DSCP/ECN   |          Total Length         |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |         Identification        |Flags|     Fragment Offset     |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |      TTL      |    Protocol   |         Header Checksum       |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                         Source Address                        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                      Destination Address                      |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Options (IHL > 5 only)                     |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class Ipv4 {

    public static final int MIN_HEADER_LENGTH = 20;
    public static final int MAX_TOTAL_LENGTH = 0xffff;
    public static final int PROTOCOL_UDP = 17;

    static final int VERSION_IHL_OFFSET = 0;
    static final int TOS_OFFSET = 1;
    static final int TOTAL_LENGTH_OFFSET = 2;
    static final int IDENTIFICATION_OFFSET = 4;
    static final int FLAGS_FRAGMENT_OFFSET = 6;
    static final int TTL_OFFSET = 8;
    static final int PROTOCOL_OFFSET = 9;
    static final int CHECKSUM_OFFSET = 10;
    static final int SOURCE_OFFSET = 12;
    static final int DESTINATION_OFFSET = 16;

    /** The "more fragments" flag and the 13-bit fragment offset: non-zero means a fragment. */
    private static final int FRAGMENT_MASK = 0x3fff;

    private Ipv4() {
    }

    /**
     * The fields of a validated IPv4 header.
     *
     * @param headerLength header length in bytes (20..60)
     * @param totalLength total packet length from the header
     * @param ttl time to live
     * @param protocol upper-layer protocol number
     * @param source source address
     * @param destination destination address
     * @param fragment whether the packet is a fragment (MF set or non-zero offset)
     */
    public record Header(int headerLength, int totalLength, int ttl, int protocol, int source, int destination,
                         boolean fragment) {

        /** Whether the destination is in 239.0.0.0/8, STARE's range. */
        public boolean isStareDestination() {
            return StareAddress.isStare(destination);
        }
    }

    /**
     * Validates the IPv4 header of the packet that starts at {@code buffer}'s position 0 and ends at
     * its limit: version, header length, total length against the bytes present, and the header
     * checksum. Trailing bytes beyond the total length (Ethernet padding) are allowed.
     */
    public static DecodeResult<Header> parse(ByteBuffer buffer) {
        int available = buffer.limit();
        if (available < MIN_HEADER_LENGTH) {
            return DecodeResult.fail(DecodeError.Kind.TRUNCATED,
                    "IPv4 header needs " + MIN_HEADER_LENGTH + " bytes, have " + available);
        }
        int versionIhl = buffer.get(VERSION_IHL_OFFSET) & 0xff;
        if ((versionIhl >>> 4) != 4) {
            return DecodeResult.fail(DecodeError.Kind.MALFORMED, "IP version " + (versionIhl >>> 4) + " is not 4");
        }
        int headerLength = (versionIhl & 0x0f) * 4;
        if (headerLength < MIN_HEADER_LENGTH) {
            return DecodeResult.fail(DecodeError.Kind.MALFORMED, "IPv4 IHL " + headerLength / 4 + " is below 5");
        }
        int totalLength = buffer.getShort(TOTAL_LENGTH_OFFSET) & 0xffff;
        if (totalLength < headerLength) {
            return DecodeResult.fail(DecodeError.Kind.MALFORMED,
                    "IPv4 total length " + totalLength + " is shorter than its header (" + headerLength + ")");
        }
        if (totalLength > available) {
            return DecodeResult.fail(DecodeError.Kind.TRUNCATED,
                    "IPv4 total length " + totalLength + " exceeds the " + available + " bytes received");
        }
        if (InternetChecksum.of(buffer, 0, headerLength) != 0) {
            return DecodeResult.fail(DecodeError.Kind.BAD_CHECKSUM, "IPv4 header checksum does not match");
        }
        boolean fragment = (buffer.getShort(FLAGS_FRAGMENT_OFFSET) & FRAGMENT_MASK) != 0;
        return DecodeResult.ok(new Header(headerLength, totalLength, buffer.get(TTL_OFFSET) & 0xff,
                buffer.get(PROTOCOL_OFFSET) & 0xff, buffer.getInt(SOURCE_OFFSET), buffer.getInt(DESTINATION_OFFSET),
                fragment));
    }

    /**
     * Writes a 20-byte header (no options, DF set, identification 0) at position 0 of {@code buffer},
     * checksum included.
     */
    static void writeHeader(ByteBuffer buffer, int totalLength, int ttl, int protocol, int source, int destination) {
        buffer.put(VERSION_IHL_OFFSET, (byte) 0x45);
        buffer.put(TOS_OFFSET, (byte) 0);
        buffer.putShort(TOTAL_LENGTH_OFFSET, (short) totalLength);
        buffer.putShort(IDENTIFICATION_OFFSET, (short) 0);
        // Don't Fragment: STARE segments in the application so that switches never see fragments.
        buffer.putShort(FLAGS_FRAGMENT_OFFSET, (short) 0x4000);
        buffer.put(TTL_OFFSET, (byte) ttl);
        buffer.put(PROTOCOL_OFFSET, (byte) protocol);
        buffer.putShort(CHECKSUM_OFFSET, (short) 0);
        buffer.putInt(SOURCE_OFFSET, source);
        buffer.putInt(DESTINATION_OFFSET, destination);
        buffer.putShort(CHECKSUM_OFFSET, (short) InternetChecksum.of(buffer, 0, MIN_HEADER_LENGTH));
    }

    /**
     * A copy of an already validated packet with a new TTL and the header checksum recomputed, as a
     * router rewrites it when forwarding.
     */
    public static byte[] withTtl(byte[] packet, int ttl) {
        if (ttl < 0 || ttl > 255) {
            throw new IllegalArgumentException("TTL " + ttl + " is out of range 0..255");
        }
        byte[] copy = packet.clone();
        ByteBuffer buffer = ByteBuffer.wrap(copy);
        int headerLength = (copy[VERSION_IHL_OFFSET] & 0x0f) * 4;
        buffer.put(TTL_OFFSET, (byte) ttl);
        buffer.putShort(CHECKSUM_OFFSET, (short) 0);
        buffer.putShort(CHECKSUM_OFFSET, (short) InternetChecksum.of(buffer, 0, headerLength));
        return copy;
    }
}
