package io.stare.actors.arq;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

    private static final Duration MIN = Duration.ofMillis(10);
    private static final Duration MAX = Duration.ofSeconds(1);

    @Test
    void doublesFromTheMinimum() {
        assertEquals(MIN, Backoff.exponential(MIN, MAX, 0));
        assertEquals(Duration.ofMillis(20), Backoff.exponential(MIN, MAX, 1));
        assertEquals(Duration.ofMillis(640), Backoff.exponential(MIN, MAX, 6));
    }

    @Test
    void capsAtTheMaximumWithoutOverflowing() {
        assertEquals(MAX, Backoff.exponential(MIN, MAX, 7));
        assertEquals(MAX, Backoff.exponential(MIN, MAX, 61));
        assertEquals(MAX, Backoff.exponential(MIN, MAX, 62));
        assertEquals(MAX, Backoff.exponential(MIN, MAX, Integer.MAX_VALUE));
        assertEquals(MAX, Backoff.exponential(MIN, MAX, -1));
    }
}
