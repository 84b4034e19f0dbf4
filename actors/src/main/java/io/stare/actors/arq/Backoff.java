package io.stare.actors.arq;

import java.time.Duration;

/** Exponential backoff, as the ARQs and the agent's reconnects use it. */
public final class Backoff {

    private Backoff() {
    }

    /** {@code min * 2^n}, capped at {@code max} (and safe from overflow for any n; a negative n gives max). */
    public static Duration exponential(Duration min, Duration max, int n) {
        if (n < 0 || n >= 62) {
            return max;
        }
        long nanos = min.toNanos();
        long scaled = nanos > (Long.MAX_VALUE >> n) ? Long.MAX_VALUE : nanos << n;
        return scaled >= max.toNanos() ? max : Duration.ofNanos(scaled);
    }
}
