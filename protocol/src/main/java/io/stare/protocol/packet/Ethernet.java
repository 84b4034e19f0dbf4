package io.stare.protocol.packet;

import io.stare.protocol.DecodeError;
import io.stare.protocol.DecodeResult;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Ethernet II framing (DIX), as every switch port carries it. STARE packets ride in it with
 * EtherType 0x0800 (IPv4) and, being multicast, with the IPv4 multicast MAC of their destination.
 *
 * <pre>
 *   0               6              12      14
 *  +---------------+---------------+-------+----------------------------+
 *  |  destination  |    source     | type  |  payload (IPv4 packet ...) |
 *  |  MAC (6)      |    MAC (6)    |  (2)  |                            |
 *  +---------------+---------------+-------+----------------------------+
 * </pre>
 *
 * Frames are handled as they appear to software: no preamble, no frame check sequence, and no
 * padding to the 60-byte minimum is added (receivers ignore trailing padding anyway, because the
 * IPv4 total length says where the packet ends). MAC addresses are 48-bit values in a {@code long},
 * most significant octet first on the wire.
 */
public final class Ethernet {

    /** Destination MAC, source MAC and EtherType. */
    public static final int HEADER_LENGTH = 14;
    /** The EtherType of IPv4. */
    public static final int ETHERTYPE_IPV4 = 0x0800;
    /**
     * The smallest EtherType. A smaller value in the type field is an IEEE 802.3 length, i.e. the
     * frame is not Ethernet II.
     */
    public static final int MIN_ETHERTYPE = 0x0600;
    /** The largest 48-bit MAC address. */
    public static final long MAX_MAC = (1L << 48) - 1;

    /** RFC 1112: IPv4 multicast maps to 01:00:5e:00:00:00 plus the low 23 bits of the group. */
    private static final long IPV4_MULTICAST_MAC_BASE = 0x01005e000000L;
    private static final int LOW_23_BITS = 0x7fffff;

    private Ethernet() {
    }

    /**
     * A decoded Ethernet II frame.
     *
     * @param destination destination MAC, 48 bits
     * @param source source MAC, 48 bits
     * @param etherType EtherType, {@link #MIN_ETHERTYPE}..0xffff
     * @param payload the bytes after the header (copied in and out)
     */
    public record Frame(long destination, long source, int etherType, byte[] payload) {

        public Frame {
            checkMac(destination, "destination");
            checkMac(source, "source");
            if (etherType < MIN_ETHERTYPE || etherType > 0xffff) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "EtherType 0x%04x is out of range 0x%04x..0xffff", etherType, MIN_ETHERTYPE));
            }
            payload = payload.clone();
        }

        /** Whether the payload is an IPv4 packet. */
        public boolean isIpv4() {
            return etherType == ETHERTYPE_IPV4;
        }

        @Override
        public byte[] payload() {
            return payload.clone();
        }

        /** The frame as bytes on a wire. */
        public byte[] toBytes() {
            return wrap(destination, source, etherType, payload);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Frame f && destination == f.destination && source == f.source
                    && etherType == f.etherType && Arrays.equals(payload, f.payload);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * (31 * Long.hashCode(destination) + Long.hashCode(source)) + etherType)
                    + Arrays.hashCode(payload);
        }

        @Override
        public String toString() {
            return "Frame[" + formatMac(source) + " -> " + formatMac(destination)
                    + String.format(Locale.ROOT, ", type 0x%04x, ", etherType) + payload.length + " bytes]";
        }
    }

    /** Puts an Ethernet II header in front of {@code payload}. */
    public static byte[] wrap(long destination, long source, int etherType, byte[] payload) {
        checkMac(destination, "destination");
        checkMac(source, "source");
        if (etherType < MIN_ETHERTYPE || etherType > 0xffff) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "EtherType 0x%04x is out of range 0x%04x..0xffff", etherType, MIN_ETHERTYPE));
        }
        byte[] frame = new byte[HEADER_LENGTH + payload.length];
        putMac(frame, 0, destination);
        putMac(frame, 6, source);
        frame[12] = (byte) (etherType >>> 8);
        frame[13] = (byte) etherType;
        System.arraycopy(payload, 0, frame, HEADER_LENGTH, payload.length);
        return frame;
    }

    /**
     * Frames an IPv4 multicast packet (a STARE packet, say): EtherType IPv4 and the destination MAC
     * derived from the packet's destination address by {@link #ipv4MulticastMac(int)}.
     *
     * @throws IllegalArgumentException if the packet is shorter than an IPv4 header or its
     *     destination is not multicast
     */
    public static byte[] wrapIpv4Multicast(long source, byte[] ipv4Packet) {
        if (ipv4Packet.length < Ipv4.MIN_HEADER_LENGTH) {
            throw new IllegalArgumentException(
                    "an IPv4 packet has at least " + Ipv4.MIN_HEADER_LENGTH + " bytes, got " + ipv4Packet.length);
        }
        int destination = (ipv4Packet[Ipv4.DESTINATION_OFFSET] & 0xff) << 24
                | (ipv4Packet[Ipv4.DESTINATION_OFFSET + 1] & 0xff) << 16
                | (ipv4Packet[Ipv4.DESTINATION_OFFSET + 2] & 0xff) << 8
                | (ipv4Packet[Ipv4.DESTINATION_OFFSET + 3] & 0xff);
        return wrap(ipv4MulticastMac(destination), source, ETHERTYPE_IPV4, ipv4Packet);
    }

    /**
     * Decodes a frame. Fewer than {@value #HEADER_LENGTH} bytes is {@code TRUNCATED}; a type field
     * below {@link #MIN_ETHERTYPE} (an 802.3 length, not Ethernet II) is {@code MALFORMED}. Any
     * EtherType at or above it decodes: whether the payload is IPv4 is the caller's question.
     */
    public static DecodeResult<Frame> unwrap(byte[] frame) {
        if (frame.length < HEADER_LENGTH) {
            return DecodeResult.fail(DecodeError.Kind.TRUNCATED,
                    "Ethernet header needs " + HEADER_LENGTH + " bytes, have " + frame.length);
        }
        int etherType = (frame[12] & 0xff) << 8 | (frame[13] & 0xff);
        if (etherType < MIN_ETHERTYPE) {
            return DecodeResult.fail(DecodeError.Kind.MALFORMED, String.format(Locale.ROOT,
                    "type field 0x%04x is an 802.3 length, not an Ethernet II EtherType", etherType));
        }
        return DecodeResult.ok(new Frame(getMac(frame, 0), getMac(frame, 6), etherType,
                Arrays.copyOfRange(frame, HEADER_LENGTH, frame.length)));
    }

    /**
     * The multicast MAC of an IPv4 multicast group (RFC 1112 section 6.4): 01:00:5e followed by the
     * low 23 bits of the address. For example 239.192.48.57 maps to 01:00:5e:40:30:39.
     *
     * @throws IllegalArgumentException if the address is not in 224.0.0.0/4
     */
    public static long ipv4MulticastMac(int ipv4) {
        if ((ipv4 >>> 28) != 0b1110) {
            throw new IllegalArgumentException(
                    Integer.toUnsignedString(ipv4 >>> 24) + ".x.x.x is not an IPv4 multicast address (224.0.0.0/4)");
        }
        return IPV4_MULTICAST_MAC_BASE | (ipv4 & LOW_23_BITS);
    }

    /** Formats a MAC as six lower-case hex octets separated by colons, e.g. {@code 01:00:5e:40:30:39}. */
    public static String formatMac(long mac) {
        checkMac(mac, "MAC");
        byte[] octets = new byte[6];
        putMac(octets, 0, mac);
        return HexFormat.ofDelimiter(":").formatHex(octets);
    }

    /** Parses six hex octets separated by colons or dashes; anything else is {@code MALFORMED}. */
    public static DecodeResult<Long> parseMac(String text) {
        String[] parts = text.trim().split("[:-]", -1);
        if (parts.length != 6) {
            return DecodeResult.fail(DecodeError.Kind.MALFORMED, "'" + text + "' is not a MAC address (need six octets)");
        }
        long mac = 0;
        for (String part : parts) {
            if (part.length() != 2 || !HexFormat.isHexDigit(part.charAt(0)) || !HexFormat.isHexDigit(part.charAt(1))) {
                return DecodeResult.fail(DecodeError.Kind.MALFORMED, "'" + text + "' has a bad octet '" + part + "'");
            }
            mac = mac << 8 | HexFormat.fromHexDigits(part);
        }
        return DecodeResult.ok(mac);
    }

    private static void checkMac(long mac, String what) {
        if (mac < 0 || mac > MAX_MAC) {
            throw new IllegalArgumentException(what + " MAC 0x" + Long.toHexString(mac) + " does not fit in 48 bits");
        }
    }

    private static void putMac(byte[] bytes, int offset, long mac) {
        for (int i = 0; i < 6; i++) {
            bytes[offset + i] = (byte) (mac >>> (40 - 8 * i));
        }
    }

    private static long getMac(byte[] bytes, int offset) {
        long mac = 0;
        for (int i = 0; i < 6; i++) {
            mac = mac << 8 | (bytes[offset + i] & 0xff);
        }
        return mac;
    }
}
