package io.stare.testing;

import io.stare.protocol.time.TimeFactor;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.awaitility.core.ThrowingRunnable;

/**
 * How STARE's tests wait, in every module: one idiom (Awaitility, polling every 10 ms up to a
 * bound) and one factor for every bound, {@link TimeFactor} ({@code STARE_TEST_TIME_FACTOR}). Each
 * module's {@code application-test.conf} hands the same variable to Pekko's test kit, so a probe's
 * waits scale alike. On a slow or loaded machine, raise that one variable.
 *
 * <p>Absence is never shown by sleeping: a test sends a marker after what must not arrive (an
 * update on the same stream, a task queued behind the work) and waits for the marker. A sleep
 * stays only where time passing is the subject (a deadline, a paced sender) and says so.
 */
public final class TestTime {

    /** The factor every bound is multiplied by. */
    public static final double FACTOR = TimeFactor.current();

    private static final Duration POLL = Duration.ofMillis(10);

    private TestTime() {
    }

    /** {@code bound} scaled by the factor. */
    public static Duration dilated(Duration bound) {
        return Duration.ofNanos((long) (bound.toNanos() * FACTOR));
    }

    /** Waits until {@code check} passes, at most {@code bound} (dilated); fails with its last assertion. */
    public static void eventually(Duration bound, ThrowingRunnable check) {
        Awaitility.await().atMost(dilated(bound)).pollInSameThread().pollDelay(Duration.ZERO).pollInterval(POLL).untilAsserted(check);
    }

    /** Waits until {@code value} satisfies {@code condition}, at most {@code bound} (dilated); returns it. */
    public static <T> T eventually(Duration bound, Callable<T> value, Predicate<? super T> condition) {
        return Awaitility.await().atMost(dilated(bound)).pollInSameThread().pollDelay(Duration.ZERO).pollInterval(POLL)
                .until(value, condition);
    }
}
