package io.stare.protocol.packet;

import io.stare.protocol.address.StareAddress;
import io.stare.protocol.header.StareHeader;
import java.util.Arrays;

/**
 * A whole STARE packet as it crosses a link: IPv4, UDP to port 65432, the STARE header and the
 * segment payload. The IPv4 destination is derived from the header (the switches forward on it).
 *
 * @param sourceAddress IPv4 source address as a 32-bit value
 * @param sourcePort UDP source port, 0..65535
 * @param ttl IPv4 time to live, 0..255
 * @param header the STARE header
 * @param payload segment bytes after the STARE header (copied in and out)
 */
public record StarePacket(int sourceAddress, int sourcePort, int ttl, StareHeader header, byte[] payload) {

    /** TTL our senders use: enough for any tree the switches build, small enough to end loops. */
    public static final int DEFAULT_TTL = 64;
    /** IPv4 (20, no options) + UDP (8) + STARE (8): the paper's fixed overhead of 36 bytes. */
    public static final int OVERHEAD = Ipv4.MIN_HEADER_LENGTH + Udp.HEADER_LENGTH + StareHeader.LENGTH;
    /** The largest payload one packet can carry: IPv4's 65535-byte total length less the overhead. */
    public static final int MAX_PAYLOAD = Ipv4.MAX_TOTAL_LENGTH - OVERHEAD;

    public StarePacket {
        if (sourcePort < 0 || sourcePort > 0xffff) {
            throw new IllegalArgumentException("source port " + sourcePort + " is out of range 0..65535");
        }
        if (ttl < 0 || ttl > 255) {
            throw new IllegalArgumentException("TTL " + ttl + " is out of range 0..255");
        }
        if (header == null) {
            throw new IllegalArgumentException("header must not be null");
        }
        if (payload.length > MAX_PAYLOAD) {
            throw new IllegalArgumentException(
                    "payload of " + payload.length + " bytes exceeds the " + MAX_PAYLOAD + "-byte packet limit");
        }
        payload = payload.clone();
    }

    /** The destination address, fixed by the header's kind and state. */
    public StareAddress destination() {
        return header.address();
    }

    /** Length of the whole packet on the wire. */
    public int totalLength() {
        return OVERHEAD + payload.length;
    }

    /** The same packet with another TTL (switches decrement it). */
    public StarePacket withTtl(int newTtl) {
        return new StarePacket(sourceAddress, sourcePort, newTtl, header, payload);
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    /** The payload length without copying it. */
    public int payloadLength() {
        return payload.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StarePacket p && sourceAddress == p.sourceAddress && sourcePort == p.sourcePort
                && ttl == p.ttl && header.equals(p.header) && Arrays.equals(payload, p.payload);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * (31 * sourceAddress + sourcePort) + ttl) + header.hashCode()) + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "StarePacket[" + StareAddress.dottedQuad(sourceAddress) + ":" + sourcePort + " -> "
                + destination().toDottedQuad() + ":" + StareAddress.UDP_PORT + ", ttl=" + ttl + ", " + header
                + ", payload=" + payload.length + " bytes]";
    }
}
