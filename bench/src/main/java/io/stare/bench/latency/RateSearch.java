package io.stare.bench.latency;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * Finds the highest offered rate a system sustains, from trials the caller runs: doubling from a
 * start rate until a trial fails or the ceiling is reached, then bisecting between the best
 * sustained rate and the lowest failed one a fixed number of times. When even the start rate fails,
 * it halves down to a floor. No clock, no I/O: the caller says what each trial gave.
 *
 * <pre>{@code
 * RateSearch search = new RateSearch(1_000, 256_000, 2);
 * for (OptionalInt rate = search.next(); rate.isPresent(); rate = search.next()) {
 *     search.record(rate.getAsInt(), runTrial(rate.getAsInt()));
 * }
 * int best = search.best(); // 0 if not even the floor was sustained
 * }</pre>
 */
public final class RateSearch {

    /** One trial's outcome, in the order tried. */
    public record Trial(int rate, boolean sustained) {
    }

    private final int start;
    private final int ceiling;
    private final int floor;
    private int refinementsLeft;
    private int best;
    private int lowestFailed = Integer.MAX_VALUE;
    private final List<Trial> trials = new ArrayList<>();

    /**
     * @param start       the first rate tried
     * @param ceiling     no rate above it is tried; reaching it sustained ends the search
     * @param refinements bisection steps after the doubling phase found a failing rate
     */
    public RateSearch(int start, int ceiling, int refinements) {
        if (start < 1 || ceiling < start || refinements < 0) {
            throw new IllegalArgumentException("need 1 <= start <= ceiling and refinements >= 0, got start=" + start
                    + ", ceiling=" + ceiling + ", refinements=" + refinements);
        }
        this.start = start;
        this.ceiling = ceiling;
        this.floor = Math.max(1, start / 8);
        this.refinementsLeft = refinements;
    }

    /** The rate to try next, or empty when the search is over. */
    public OptionalInt next() {
        if (trials.isEmpty()) {
            return OptionalInt.of(start);
        }
        if (best == 0) {
            // Nothing sustained yet: halve below the lowest failure, down to the floor.
            int lower = lowestFailed / 2;
            return lower >= floor ? OptionalInt.of(lower) : OptionalInt.empty();
        }
        if (lowestFailed == Integer.MAX_VALUE) {
            // Everything so far sustained: double, up to the ceiling.
            return best >= ceiling ? OptionalInt.empty() : OptionalInt.of((int) Math.min((long) best * 2, ceiling));
        }
        int middle = best + (lowestFailed - best) / 2;
        if (refinementsLeft == 0 || middle <= best || middle >= lowestFailed) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(middle);
    }

    /** What the trial at {@code rate} gave. */
    public void record(int rate, boolean sustained) {
        boolean refining = best > 0 && lowestFailed != Integer.MAX_VALUE;
        trials.add(new Trial(rate, sustained));
        if (sustained) {
            best = Math.max(best, rate);
        } else {
            lowestFailed = Math.min(lowestFailed, rate);
        }
        if (refining) {
            refinementsLeft--;
        }
    }

    /** The highest rate sustained so far, 0 if none. */
    public int best() {
        return best;
    }

    /** Every trial so far. */
    public List<Trial> trials() {
        return List.copyOf(trials);
    }
}
