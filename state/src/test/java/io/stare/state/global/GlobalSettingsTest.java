package io.stare.state.global;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The global view's settings refuse a peer timeout that the heartbeat cannot keep. */
class GlobalSettingsTest {

    @Test
    void aPeerTimeoutNoLongerThanTheHeartbeatIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new GlobalSettings("estate", 4, Duration.ofSeconds(2),
                Duration.ofSeconds(2), Duration.ofMillis(200), 100_000, Duration.ofSeconds(2)));
    }
}
