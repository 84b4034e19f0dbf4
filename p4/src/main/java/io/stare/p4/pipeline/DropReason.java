package io.stare.p4.pipeline;

/**
 * Why a pipeline dropped a packet, with its index in the {@code counter(8, packets) drops} array.
 * Indexes 0..4 are those of docs/dataplane.md; 5..7 fill the remaining slots for input the
 * document does not name (frames that are not IPv4, and refused packet-outs).
 */
public enum DropReason {
    /**
     * A STARE packet that does not decode: UDP to 65432 towards 239/8 whose STARE header is missing
     * or disagrees with the address, a bad IPv4 or UDP checksum, a fragment, inconsistent lengths
     * or SEGM_NO at or above TOT_SEG; also any IPv4 packet whose header does not validate.
     */
    MALFORMED(0),
    /** Register mode: STATE_ID not below the register's capacity. */
    STATE_OUT_OF_RANGE(1),
    /** A Publish with nobody to send it to (mask empty after removing the ingress port, or table miss). */
    NO_SUBSCRIBER(2),
    /** A packet that would leave by a front port arrived with TTL 0 or 1. */
    TTL_EXPIRED(3),
    /** Other IPv4 traffic: {@code ipv4_lpm} miss or a {@code drop} entry. */
    NO_ROUTE(4),
    /** A well-formed Ethernet II frame whose EtherType is not IPv4 (ARP, IPv6, ...). */
    NOT_IPV4(5),
    /** A frame shorter than the Ethernet header, or an 802.3 frame (type field below 0x0600). */
    BAD_ETHERNET(6),
    /** A packet-out with an unknown op, a bad port, count, index or flag, or a payload of the wrong size. */
    BAD_PACKET_OUT(7);

    /** Size of the counter array. */
    public static final int COUNTER_SIZE = 8;

    private final int index;

    DropReason(int index) {
        this.index = index;
    }

    /** The index in the {@code drops} counter array. */
    public int index() {
        return index;
    }
}
