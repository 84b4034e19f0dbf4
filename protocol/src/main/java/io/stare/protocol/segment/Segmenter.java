package io.stare.protocol.segment;

import io.stare.protocol.header.StareHeader;
import io.stare.protocol.packet.StarePacket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Splits an update into segments that each fit, with the 36 bytes of IPv4 + UDP + STARE overhead,
 * into one packet of at most {@code mtu} bytes. Switches never see the segmentation: every segment
 * is an ordinary Publish.
 *
 * <p>With at most {@value StareHeader#MAX_SEGMENTS} segments per update, the largest update is
 * {@code 128 * (mtu - 36)} bytes: 187,392 bytes at the Ethernet MTU of 1500, 8,383,872 bytes at
 * the IPv4 maximum of 65535 (loopback tunnels).
 */
public final class Segmenter {

    /** The smallest MTU accepted: the 36-byte overhead plus at least one payload byte. */
    public static final int MIN_MTU = StarePacket.OVERHEAD + 1;
    /** The largest MTU: IPv4's maximum total length. */
    public static final int MAX_MTU = 65535;
    /** The usual Ethernet MTU, the default. */
    public static final int DEFAULT_MTU = 1500;

    private final int mtu;
    private final int segmentPayload;

    /** A segmenter for packets of at most {@code mtu} bytes. */
    public Segmenter(int mtu) {
        this(mtu, 0);
    }

    /**
     * A segmenter for packets of at most {@code mtu} bytes whose payload is followed by
     * {@code trailer} bytes (a Publish segment's tag, {@code PublishKey.TAG_LENGTH}).
     */
    public Segmenter(int mtu, int trailer) {
        if (trailer < 0 || mtu < MIN_MTU + trailer || mtu > MAX_MTU) {
            throw new IllegalArgumentException("MTU " + mtu + " is out of range " + (MIN_MTU + Math.max(0, trailer))
                    + ".." + MAX_MTU + (trailer > 0 ? " with a " + trailer + "-byte trailer" : ""));
        }
        this.mtu = mtu;
        this.segmentPayload = mtu - StarePacket.OVERHEAD - trailer;
    }

    public int mtu() {
        return mtu;
    }

    /** Payload bytes per full segment: {@code mtu - 36 - trailer}. */
    public int segmentPayload() {
        return segmentPayload;
    }

    /** The largest update this segmenter accepts. */
    public int maxUpdateBytes() {
        return StareHeader.MAX_SEGMENTS * segmentPayload;
    }

    /** How many segments an update of {@code length} bytes takes (an empty update takes one). */
    public int segmentCount(int length) {
        return Math.max(1, (length + segmentPayload - 1) / segmentPayload);
    }

    /**
     * Splits {@code update} into segments, all full but the last.
     *
     * @throws UpdateTooLargeException if the update needs more than 128 segments at this MTU
     */
    public List<Segment> split(int stateId, int vnfId, long updateNo, byte[] update) {
        if (update.length > maxUpdateBytes()) {
            throw new UpdateTooLargeException(update.length, maxUpdateBytes(), segmentPayload, mtu);
        }
        int total = segmentCount(update.length);
        List<Segment> segments = new ArrayList<>(total);
        for (int i = 0; i < total; i++) {
            int from = i * segmentPayload;
            int to = Math.min(update.length, from + segmentPayload);
            segments.add(new Segment(stateId, vnfId, updateNo, total, i, Arrays.copyOfRange(update, from, to)));
        }
        return segments;
    }

    /** Thrown when an update cannot be carried in 128 segments at the configured MTU. */
    public static final class UpdateTooLargeException extends IllegalArgumentException {
        private final int length;
        private final int limit;

        UpdateTooLargeException(int length, int limit, int segmentPayload, int mtu) {
            super("update of " + length + " bytes exceeds the largest update of " + limit + " bytes ("
                    + StareHeader.MAX_SEGMENTS + " segments of " + segmentPayload + " bytes at MTU "
                    + mtu + ")");
            this.length = length;
            this.limit = limit;
        }

        public int length() {
            return length;
        }

        public int limit() {
            return limit;
        }
    }
}
