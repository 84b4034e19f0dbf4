package io.stare.datapath;

import java.nio.ByteBuffer;

/**
 * How several Ethernet frames share one UDP datagram on a link that STARE emulates over UDP (a
 * middleware's tunnel to its software-switch port, a link between two software switches). On the
 * paper's wire (IP multicast, BMv2, Tofino) every frame stays a packet of its own; this format is
 * only for emulated links, where one datagram per frame would make every hop cost a system call per
 * frame.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                  MAGIC  0x53 0x54 0x42 0x01 ("STB", version 1)   |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |        frame length (16)      |  frame bytes ...               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                                +
 *  |  ... then the next length and frame, to the end of the datagram  |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 * Big-endian. A datagram that does not start with the magic is one raw frame, as before batching
 * existed, so tools and tests that send single frames keep working. The magic read as a destination
 * MAC (53:54:42:01:..) is a locally administered multicast address that no STARE frame uses. A
 * datagram that starts with the magic but whose lengths do not add up exactly to its size, or that
 * holds a frame shorter than an Ethernet header, is malformed as a whole: it is dropped and counted,
 * never half-read.
 */
public final class TunnelFraming {

    /** The first four bytes of a multi-frame datagram. */
    public static final int MAGIC = 0x53544201;
    /** Bytes of the magic. */
    public static final int MAGIC_LENGTH = 4;
    /** Bytes of each frame's length prefix. */
    public static final int LENGTH_PREFIX = 2;
    /** The shortest frame a datagram may carry: an Ethernet header. */
    public static final int MIN_FRAME = 14;
    /** The largest UDP payload over IPv4 (65535 − 20 − 8). */
    public static final int MAX_DATAGRAM = 65_507;

    /** What {@link #scan} found in one datagram. */
    public enum Verdict {
        /** One frame: the whole datagram (no magic). */
        RAW,
        /** One or more frames after the magic, each with its length. */
        BATCH,
        /** The magic, then lengths that do not add up (or a frame shorter than an Ethernet header). */
        MALFORMED
    }

    /** Receives the frames {@link #scan} finds, as (offset, length) in the scanned buffer. */
    @FunctionalInterface
    public interface FrameConsumer {
        /** One frame of the datagram; the buffer is only valid during the call. */
        void frame(int offset, int length);
    }

    private TunnelFraming() {
    }

    /**
     * Sorts the datagram at {@code buffer[offset, offset + length)} and hands each of its frames to
     * {@code frames}: all of them, or (for {@link Verdict#MALFORMED}) none. Reads with absolute gets.
     */
    public static Verdict scan(ByteBuffer buffer, int offset, int length, FrameConsumer frames) {
        if (length < MAGIC_LENGTH || buffer.getInt(offset) != MAGIC) {
            frames.frame(offset, length);
            return Verdict.RAW;
        }
        int end = offset + length;
        int count = 0;
        // Validate every length before handing out any frame: a malformed batch is dropped whole.
        for (int at = offset + MAGIC_LENGTH; at < end; count++) {
            if (end - at < LENGTH_PREFIX) {
                return Verdict.MALFORMED;
            }
            int frameLength = buffer.getShort(at) & 0xffff;
            if (frameLength < MIN_FRAME || frameLength > end - at - LENGTH_PREFIX) {
                return Verdict.MALFORMED;
            }
            at += LENGTH_PREFIX + frameLength;
        }
        if (count == 0) {
            return Verdict.MALFORMED;
        }
        for (int at = offset + MAGIC_LENGTH; at < end; ) {
            int frameLength = buffer.getShort(at) & 0xffff;
            frames.frame(at + LENGTH_PREFIX, frameLength);
            at += LENGTH_PREFIX + frameLength;
        }
        return Verdict.BATCH;
    }

    /** The bytes a batch of frames with these lengths takes in total (magic and prefixes included). */
    public static int batchLength(int... frameLengths) {
        int total = MAGIC_LENGTH;
        for (int length : frameLengths) {
            total += LENGTH_PREFIX + length;
        }
        return total;
    }

    /** Builds a multi-frame datagram from whole frames (for tests and tools; the data path writes in place). */
    public static byte[] batch(byte[]... frames) {
        int[] lengths = new int[frames.length];
        for (int i = 0; i < frames.length; i++) {
            if (frames[i].length < MIN_FRAME || frames[i].length > 0xffff) {
                throw new IllegalArgumentException("frame " + i + " has " + frames[i].length + " bytes; a batch "
                        + "carries frames of " + MIN_FRAME + ".." + 0xffff);
            }
            lengths[i] = frames[i].length;
        }
        ByteBuffer out = ByteBuffer.allocate(batchLength(lengths));
        out.putInt(MAGIC);
        for (byte[] frame : frames) {
            out.putShort((short) frame.length).put(frame);
        }
        return out.array();
    }
}
