package io.stare.protocol.time;

import java.time.Duration;

/**
 * The one factor by which every bound on waiting in STARE's tests and local fabrics is scaled on a
 * slow or loaded machine: {@code STARE_TEST_TIME_FACTOR}, or the system property
 * {@code stare.test.time-factor}; 1 when neither is set. Shipped (not test code) because the local
 * fabric, which {@code stare demo} and the benchmarks run too, scales its waits by it, and the
 * tests' waiting idiom reads the same value.
 */
public final class TimeFactor {

    /** The environment variable that sets the factor. */
    public static final String VARIABLE = "STARE_TEST_TIME_FACTOR";
    /** The system property that sets the factor, ahead of the environment variable. */
    public static final String PROPERTY = "stare.test.time-factor";

    private TimeFactor() {
    }

    /**
     * The factor from the environment.
     *
     * @throws IllegalArgumentException if it is set but is not a number of at least 1
     */
    public static double current() {
        return parse(System.getProperty(PROPERTY, System.getenv(VARIABLE)));
    }

    /** {@code bound} multiplied by the {@link #current()} factor. */
    public static Duration dilated(Duration bound) {
        return Duration.ofNanos((long) (bound.toNanos() * current()));
    }

    /**
     * The factor a setting's text names: 1 for none or blank.
     *
     * @throws IllegalArgumentException if {@code text} is not a number of at least 1
     */
    public static double parse(String text) {
        if (text == null || text.isBlank()) {
            return 1.0;
        }
        double factor;
        try {
            factor = Double.parseDouble(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(VARIABLE + " must be a number of at least 1, got '" + text + "'", e);
        }
        if (!(factor >= 1.0)) {
            throw new IllegalArgumentException(VARIABLE + " must be 1 or more, got " + text);
        }
        return factor;
    }
}
