package io.stare.protocol.packet;

import java.nio.ByteBuffer;

/**
 * UDP header layout (RFC 768) and its checksum over the IPv4 pseudo-header.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |          Source Port          |        Destination Port       |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |             Length            |            Checksum           |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 */
public final class Udp {

    public static final int HEADER_LENGTH = 8;

    static final int SOURCE_PORT_OFFSET = 0;
    static final int DESTINATION_PORT_OFFSET = 2;
    static final int LENGTH_OFFSET = 4;
    static final int CHECKSUM_OFFSET = 6;

    private Udp() {
    }

    /**
     * The UDP checksum of the datagram at {@code offset} (header with its checksum field as it
     * stands, plus data) under the IPv4 pseudo-header. A datagram carrying a correct checksum gives
     * 0; to compute one, zero the field first. The result 0 is sent as 0xffff (RFC 768).
     */
    public static int checksum(ByteBuffer buffer, int offset, int udpLength, int source, int destination) {
        long sum = 0;
        sum += (source >>> 16) + (source & 0xffff);
        sum += (destination >>> 16) + (destination & 0xffff);
        sum += Ipv4.PROTOCOL_UDP;
        sum += udpLength;
        sum = InternetChecksum.add(sum, buffer, offset, udpLength);
        return InternetChecksum.finish(sum);
    }
}
