package io.stare.state;

import java.util.function.LongSupplier;

/**
 * A hybrid logical clock (Kulkarni et al.): timestamps that follow the wall clock, never go back,
 * and order an instance's writes even within a millisecond. The high 48 bits are milliseconds,
 * the low 16 a counter. A value's writes carry one, so "the latest" over partitions and instances
 * ({@link Merge#latest()}) is well defined. Thread-safe.
 */
public final class HybridLogicalClock {

    private static final int LOGICAL_BITS = 16;
    private static final long LOGICAL_MASK = (1L << LOGICAL_BITS) - 1;

    private final LongSupplier wallMillis;
    private long last;

    /** @param wallMillis the wall clock, in milliseconds (System::currentTimeMillis; a test's own) */
    public HybridLogicalClock(LongSupplier wallMillis) {
        this.wallMillis = wallMillis;
    }

    /** A timestamp after every one this clock gave or observed. */
    public synchronized long now() {
        long wall = wallMillis.getAsLong() << LOGICAL_BITS;
        last = wall > last ? wall : last + 1;
        return last;
    }

    /** Takes in a timestamp from elsewhere, so the next {@link #now()} comes after it. */
    public synchronized void observe(long remote) {
        if (remote > last) {
            last = remote;
        }
    }

    /** The milliseconds part of a timestamp. */
    public static long millis(long timestamp) {
        return timestamp >>> LOGICAL_BITS;
    }

    /** The counter part of a timestamp. */
    public static int logical(long timestamp) {
        return (int) (timestamp & LOGICAL_MASK);
    }
}
