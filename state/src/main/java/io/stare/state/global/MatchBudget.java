package io.stare.state.global;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * A time budget for matching one peer's regex against many IDs: Java's regex engine backtracks,
 * and a pattern such as {@code (.*a){12}b} takes years on a 40-character ID. The ID is matched
 * through a view that looks at the clock every few thousand characters read and stops the match
 * once the budget is spent.
 */
final class MatchBudget {

    /** The budget was spent: the request is refused. */
    static final class Exceeded extends RuntimeException {
        Exceeded(String message) {
            super(message);
        }
    }

    private static final int CHECK_EVERY = 4096;

    private final long deadline;
    private final Duration budget;
    private int reads;

    MatchBudget(Duration budget) {
        this.budget = budget;
        this.deadline = System.nanoTime() + budget.toNanos();
    }

    /** Whether {@code pattern} matches all of {@code id}; throws {@link Exceeded} past the budget. */
    boolean matches(Pattern pattern, String id) {
        return pattern.matcher(new Watched(id)).matches();
    }

    private void tick(String id) {
        if (++reads % CHECK_EVERY == 0 && System.nanoTime() - deadline > 0) {
            throw new Exceeded("matching spent " + budget + " (at ID '" + id + "')");
        }
    }

    /** The ID as the matcher reads it, one character at a time, each read counted. */
    private final class Watched implements CharSequence {
        private final String id;

        Watched(String id) {
            this.id = id;
        }

        @Override
        public char charAt(int index) {
            tick(id);
            return id.charAt(index);
        }

        @Override
        public int length() {
            return id.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return id.subSequence(start, end);
        }

        @Override
        public String toString() {
            return id;
        }
    }
}
