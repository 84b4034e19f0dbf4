package io.stare.protocol.address;

import io.stare.protocol.DecodeError;
import io.stare.protocol.DecodeResult;

/**
 * The STARE IPv4 destination address: switches forward on it without looking above UDP.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  PROTO_ID = 239 |M_K|               STATE_ID (22)             |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * PROTO_ID {@code 11101111} puts every STARE address in the administratively scoped multicast
 * range 239.0.0.0/8. For example the Publish address of state 12345 is 239.0.48.57 and its
 * SUB-register address is 239.192.48.57.
 *
 * @param kind the message kind (M_K)
 * @param stateId the state identifier, 0 to {@link #MAX_STATE_ID}
 */
public record StareAddress(MessageKind kind, int stateId) {

    /** The first octet of every STARE address. */
    public static final int PROTO_ID = 239;
    /** Bits of STATE_ID in the address. */
    public static final int STATE_ID_BITS = 22;
    /** The largest state identifier: 2^22 - 1 = 4194303. */
    public static final int MAX_STATE_ID = (1 << STATE_ID_BITS) - 1;
    /** UDP destination port of all STARE data-plane traffic (the paper's choice). */
    public static final int UDP_PORT = 65432;

    public StareAddress {
        if (kind == null) {
            throw new IllegalArgumentException("kind must not be null");
        }
        checkStateId(stateId);
    }

    /** Throws {@link IllegalArgumentException} when {@code stateId} does not fit in 22 bits. */
    public static void checkStateId(int stateId) {
        if (stateId < 0 || stateId > MAX_STATE_ID) {
            throw new IllegalArgumentException(
                    "state ID " + stateId + " is out of range 0.." + MAX_STATE_ID);
        }
    }

    /** The address as a 32-bit big-endian integer, as it stands in the IPv4 header. */
    public int toInt() {
        return (PROTO_ID << 24) | (kind.code() << STATE_ID_BITS) | stateId;
    }

    /** The four address octets in network order. */
    public byte[] toBytes() {
        int v = toInt();
        return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
    }

    /** Dotted-quad form, e.g. {@code 239.192.48.57}. */
    public String toDottedQuad() {
        return dottedQuad(toInt());
    }

    @Override
    public String toString() {
        return toDottedQuad() + " (" + kind.cliName() + ", state " + stateId + ")";
    }

    /** Whether a 32-bit IPv4 address carries the STARE PROTO_ID. */
    public static boolean isStare(int ipv4) {
        return (ipv4 >>> 24) == PROTO_ID;
    }

    /** Decodes a 32-bit IPv4 address; any address outside 239.0.0.0/8 is {@code NOT_STARE}. */
    public static DecodeResult<StareAddress> fromInt(int ipv4) {
        if (!isStare(ipv4)) {
            return DecodeResult.fail(DecodeError.Kind.NOT_STARE,
                    dottedQuad(ipv4) + " is not a STARE address (first octet must be " + PROTO_ID + ")");
        }
        return DecodeResult.ok(new StareAddress(
                MessageKind.fromCode(ipv4 >>> STATE_ID_BITS), ipv4 & MAX_STATE_ID));
    }

    /** Decodes dotted-quad text such as {@code 239.192.48.57}. */
    public static DecodeResult<StareAddress> parse(String text) {
        return parseDottedQuad(text).flatMap(StareAddress::fromInt);
    }

    /** Parses strict dotted-quad IPv4 text (four decimal octets 0..255) into a 32-bit value. */
    public static DecodeResult<Integer> parseDottedQuad(String text) {
        String trimmed = text.trim();
        String[] parts = trimmed.split("\\.", -1);
        if (parts.length != 4) {
            return DecodeResult.fail(DecodeError.Kind.MALFORMED,
                    "'" + text + "' is not a dotted-quad IPv4 address (need four octets)");
        }
        int value = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) {
                return DecodeResult.fail(DecodeError.Kind.MALFORMED,
                        "'" + text + "' has a bad octet '" + part + "'");
            }
            int octet = Integer.parseInt(part);
            if (octet > 255) {
                return DecodeResult.fail(DecodeError.Kind.OUT_OF_RANGE,
                        "'" + text + "' has octet " + octet + " above 255");
            }
            value = (value << 8) | octet;
        }
        return DecodeResult.ok(value);
    }

    /** Formats a 32-bit IPv4 address as dotted-quad text. */
    public static String dottedQuad(int ipv4) {
        return (ipv4 >>> 24) + "." + ((ipv4 >>> 16) & 0xff) + "." + ((ipv4 >>> 8) & 0xff) + "." + (ipv4 & 0xff);
    }
}
