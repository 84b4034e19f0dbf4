package io.stare.actors.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** When the agent reconnects: pure, no actor and no clock involved. */
class ReconnectBackoffTest {

    private final ReconnectBackoff backoff = new ReconnectBackoff(Duration.ofMillis(100), Duration.ofMillis(800));

    @Test
    void attemptsWithoutAnAnswerDoubleTheDelayUpToTheMaximum() {
        List<Duration> delays = Stream.generate(backoff::streamEnded).limit(5).toList();
        assertEquals(millis(100, 200, 400, 800, 800), delays);
    }

    @Test
    void anArbitrationAnswerStartsOver() {
        backoff.streamEnded();
        backoff.streamEnded();
        backoff.arbitrated();
        assertEquals(Duration.ofMillis(100), backoff.streamEnded());
    }

    @Test
    void failedSetUpsGrowTheDelayAlthoughEveryArbitrationSucceeds() {
        backoff.arbitrated();
        assertEquals(Duration.ofMillis(100), backoff.setupFailed());
        backoff.arbitrated();
        assertEquals(Duration.ofMillis(200), backoff.setupFailed());
        backoff.arbitrated();
        assertEquals(Duration.ofMillis(400), backoff.setupFailed());
    }

    @Test
    void aSuccessfulSetUpForgetsTheFailures() {
        backoff.arbitrated();
        backoff.setupFailed();
        backoff.arbitrated();
        backoff.setupFailed();
        backoff.arbitrated();
        backoff.setUp();
        assertEquals(Duration.ofMillis(100), backoff.setupFailed());
    }

    @Test
    void aRefusedConnectionAfterAFailedSetUpCarriesOnFromIt() {
        backoff.arbitrated();
        assertEquals(Duration.ofMillis(100), backoff.setupFailed());
        assertEquals(Duration.ofMillis(200), backoff.streamEnded(), "the next attempt got no answer");
    }

    private static List<Duration> millis(long... values) {
        return java.util.Arrays.stream(values).mapToObj(Duration::ofMillis).toList();
    }
}
