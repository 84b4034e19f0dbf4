package io.stare.bench.faults;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one subscriber got of a publisher's known sequence. The publisher writes its sequence
 * number and a checksum into every value ({@link #value}); the subscriber hands each delivery and
 * each loss notice here; {@link #tally} compares that with what the publisher was told was
 * published. Because the sequence travels in the value, a reused update number shows: the
 * subscriber's middleware drops the second update under a number as a duplicate, and its sequence
 * counts as lost silently.
 *
 * <p>Not thread-safe: one subscriber's listener calls it (one call at a time), {@link #tally} after.
 */
public final class SequenceCheck {

    /** Bytes of a value: the sequence number, a checksum of it and a fill derived from both. */
    public static final int VALUE_BYTES = 32;

    private final Set<Long> delivered = new HashSet<>();
    private final List<long[]> notices = new ArrayList<>();
    private long highest = -1;
    private long duplicated;
    private long reordered;
    private long corrupted;
    private long foreign;

    /** The value that carries {@code sequence}. */
    public static byte[] value(long sequence) {
        ByteBuffer value = ByteBuffer.allocate(VALUE_BYTES);
        value.putLong(sequence).putLong(checksum(sequence));
        while (value.hasRemaining()) {
            value.put((byte) (sequence * 31 + value.position()));
        }
        return value.array();
    }

    /** One delivered update. */
    public void delivered(long update, byte[] value) {
        if (value.length != VALUE_BYTES) {
            corrupted++;
            return;
        }
        ByteBuffer in = ByteBuffer.wrap(value);
        long sequence = in.getLong();
        if (in.getLong() != checksum(sequence) || !java.util.Arrays.equals(value, value(sequence))) {
            corrupted++;
            return;
        }
        if (sequence < 0) {
            foreign++; // warm-up values, not part of the counted sequence
            return;
        }
        if (!delivered.add(sequence)) {
            duplicated++;
            return;
        }
        if (sequence < highest) {
            reordered++;
        }
        highest = Math.max(highest, sequence);
    }

    /** A loss notice: updates {@code first..last} will not be delivered. */
    public void lost(long first, long last) {
        notices.add(new long[] {first, last});
    }

    /** Warm-up values delivered (negative sequences, not counted). */
    public long warmUps() {
        return foreign;
    }

    /** Whether {@code sequence} was delivered. */
    public boolean has(long sequence) {
        return delivered.contains(sequence);
    }

    /**
     * The outcome for the sequences the publisher was told were published, each with the update
     * number it got.
     */
    public Tally tally(Map<Long, Long> acknowledged) {
        long ok = 0;
        long silently = 0;
        long withNotice = 0;
        for (Map.Entry<Long, Long> sent : acknowledged.entrySet()) {
            if (delivered.contains(sent.getKey())) {
                ok++;
            } else if (noticed(sent.getValue())) {
                withNotice++;
            } else {
                silently++;
            }
        }
        long unasked = delivered.stream().filter(s -> !acknowledged.containsKey(s)).count();
        return new Tally(ok, silently, withNotice, duplicated, reordered, corrupted, unasked);
    }

    private boolean noticed(long update) {
        for (long[] notice : notices) {
            if (update >= notice[0] && update <= notice[1]) {
                return true;
            }
        }
        return false;
    }

    private static long checksum(long sequence) {
        long x = sequence * 0x9E3779B97F4A7C15L;
        return x ^ (x >>> 29) ^ 0x5354415245L;
    }

    /**
     * One subscriber's outcome.
     *
     * @param delivered acknowledged sequences delivered
     * @param lostSilently acknowledged sequences neither delivered nor covered by a loss notice
     * @param lostWithNotice acknowledged sequences not delivered, with a loss notice for their update
     * @param duplicated sequences delivered more than once (the extra deliveries)
     * @param reordered deliveries of a sequence lower than one delivered before
     * @param corrupted values that were not a sequence's value
     * @param unacknowledged sequences delivered that the publisher was not told were published (a
     *     publish whose answer was lost with a dead middleware: delivered, so not a fault)
     */
    public record Tally(long delivered, long lostSilently, long lostWithNotice, long duplicated, long reordered,
                        long corrupted, long unacknowledged) {

        /** No silent loss, no duplicate, no reordering, no corruption. */
        public boolean clean() {
            return lostSilently == 0 && duplicated == 0 && reordered == 0 && corrupted == 0;
        }
    }
}
