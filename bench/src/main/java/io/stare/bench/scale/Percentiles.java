package io.stare.bench.scale;

import org.HdrHistogram.Histogram;

/**
 * The figures of one latency distribution, in nanoseconds: count, p50, p90, p99 and max. An empty
 * distribution has count 0 and every percentile 0 (reports print it as "-").
 */
public record Percentiles(long count, long p50, long p90, long p99, long max) {

    /** The empty distribution. */
    public static final Percentiles NONE = new Percentiles(0, 0, 0, 0, 0);

    /** A fresh histogram of the precision every part of this benchmark records with (3 digits, auto-resizing). */
    public static Histogram histogram() {
        Histogram h = new Histogram(3);
        h.setAutoResize(true);
        return h;
    }

    /** The figures of {@code h}. */
    public static Percentiles of(Histogram h) {
        if (h.getTotalCount() == 0) {
            return NONE;
        }
        return new Percentiles(h.getTotalCount(), h.getValueAtPercentile(50), h.getValueAtPercentile(90),
                h.getValueAtPercentile(99), h.getMaxValue());
    }
}
