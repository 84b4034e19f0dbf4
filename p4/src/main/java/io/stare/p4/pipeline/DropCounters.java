package io.stare.p4.pipeline;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The {@code drops} packet counters, indexed by {@link DropReason#index()}. Safe to read from any
 * thread (a P4Runtime counter read) while the pipeline's owner counts.
 */
public final class DropCounters {

    private final AtomicLongArray counts = new AtomicLongArray(DropReason.COUNTER_SIZE);

    /** Counts one dropped packet. */
    public void increment(DropReason reason) {
        counts.incrementAndGet(reason.index());
    }

    /** Packets dropped for {@code reason}. */
    public long count(DropReason reason) {
        return counts.get(reason.index());
    }

    /**
     * The counter at {@code index}, 0..{@value DropReason#COUNTER_SIZE} - 1.
     *
     * @throws IllegalArgumentException if the index is out of range
     */
    public long count(int index) {
        if (index < 0 || index >= DropReason.COUNTER_SIZE) {
            throw new IllegalArgumentException(
                    "drop counter index " + index + " is out of range 0.." + (DropReason.COUNTER_SIZE - 1));
        }
        return counts.get(index);
    }

    /** All drops. */
    public long total() {
        long total = 0;
        for (int i = 0; i < DropReason.COUNTER_SIZE; i++) {
            total += counts.get(i);
        }
        return total;
    }

    /** A copy of every counter, by index. */
    public long[] snapshot() {
        long[] copy = new long[DropReason.COUNTER_SIZE];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = counts.get(i);
        }
        return copy;
    }
}
