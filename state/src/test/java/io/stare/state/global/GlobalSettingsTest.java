package io.stare.state.global;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The global view's settings refuse what would leave an instance unfound, with one clear line. */
class GlobalSettingsTest {

    private static final GlobalSettings FOUR = new GlobalSettings("estate", 4, Duration.ofMillis(200),
            Duration.ofSeconds(2), Duration.ofMillis(200), 100_000, Duration.ofSeconds(2));

    @Test
    void anInstanceNoPeerLooksForIsRefusedAtStart() {
        for (String unfound : new String[] {"ids-a", "4", "-1", "01", "", " 1"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FOUR.checkInstance(unfound),
                    "'" + unfound + "'");
            assertTrue(e.getMessage().contains("0 .. 3"), e.getMessage());
        }
        assertDoesNotThrow(() -> FOUR.checkInstance("0"));
        assertDoesNotThrow(() -> FOUR.checkInstance("3"));
    }

    @Test
    void aPeerTimeoutNoLongerThanTheHeartbeatIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new GlobalSettings("estate", 4, Duration.ofSeconds(2),
                Duration.ofSeconds(2), Duration.ofMillis(200), 100_000, Duration.ofSeconds(2)));
    }
}
