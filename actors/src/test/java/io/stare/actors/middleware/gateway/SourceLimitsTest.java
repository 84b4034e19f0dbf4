package io.stare.actors.middleware.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The per-source ban, on a clock the test turns. */
class SourceLimitsTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final SourceLimits limits = new SourceLimits(new SourceLimits.Settings(3, Duration.ofSeconds(10),
            Duration.ofSeconds(1), Duration.ofSeconds(4), 20), now::get);
    private final InetAddress stranger = InetAddress.getLoopbackAddress();
    private final InetAddress other;

    SourceLimitsTest() throws Exception {
        other = InetAddress.getByName("192.0.2.7");
    }

    private void advance(Duration by) {
        now.addAndGet(by.toNanos());
    }

    @Test
    void strikesWithinTheWindowBanTheAddressAndBansDoubleUpToTheLongest() {
        assertFalse(limits.failed(stranger));
        assertFalse(limits.failed(stranger));
        assertTrue(limits.admits(stranger), "two strikes of three");
        assertFalse(limits.anyBanned());
        assertTrue(limits.failed(stranger), "the third starts a ban");
        assertFalse(limits.admits(stranger));
        assertTrue(limits.anyBanned(), "accepting slows down while a ban lasts");
        assertTrue(limits.admits(other), "only that address");
        advance(Duration.ofMillis(999));
        assertFalse(limits.admits(stranger));
        advance(Duration.ofMillis(1));
        assertTrue(limits.admits(stranger), "a one-second ban");
        assertFalse(limits.anyBanned());

        for (long expected : new long[] {2, 4, 4}) {
            limits.failed(stranger);
            limits.failed(stranger);
            assertTrue(limits.failed(stranger));
            assertEquals(Duration.ofSeconds(expected), limits.banLeft(stranger), "doubling, at most 4 s");
            advance(Duration.ofSeconds(expected));
            assertTrue(limits.admits(stranger));
        }
    }

    @Test
    void strikesOutsideTheWindowAndAHandshakeStartOver() {
        limits.failed(stranger);
        limits.failed(stranger);
        advance(Duration.ofSeconds(11));
        assertFalse(limits.failed(stranger), "the first two are older than the window");
        limits.failed(stranger);
        limits.handshook(stranger);
        assertFalse(limits.failed(stranger), "a handshake forgets the address");
        assertTrue(limits.admits(stranger));
    }

    @Test
    void offServesEveryone() {
        SourceLimits off = new SourceLimits(SourceLimits.Settings.OFF, now::get);
        for (int i = 0; i < 100; i++) {
            assertFalse(off.failed(stranger));
        }
        assertTrue(off.admits(stranger));
    }
}
