package io.stare.actors.agent;

import io.stare.actors.arq.Backoff;
import java.time.Duration;

/**
 * When the {@link SwitchAgent} opens its next StreamChannel: bounded exponential backoff over two
 * counts (plain class, no I/O).
 *
 * <ul>
 *   <li><b>Attempts</b> without an arbitration answer (connection refused, stream broken before
 *       the switch answered): reset by any answer.</li>
 *   <li><b>Set-ups failed in a row</b>: arbitration succeeds again at once after a failed set-up,
 *       so the attempts alone would never grow; reset by a set-up that succeeds.</li>
 * </ul>
 *
 * The delay of attempt {@code n} is {@code min * 2^n}, capped at {@code max}
 * ({@link AgentSettings#reconnectDelay}).
 */
final class ReconnectBackoff {

    private final Duration min;
    private final Duration max;
    private int attempt;
    private int setupFailures;

    ReconnectBackoff(Duration min, Duration max) {
        this.min = min;
        this.max = max;
    }

    /** The switch answered the arbitration: the connection works. */
    void arbitrated() {
        attempt = 0;
    }

    /** The switch is set up: failures before do not count any more. */
    void setUp() {
        setupFailures = 0;
    }

    /** The stream ended: the delay before the next attempt. */
    Duration streamEnded() {
        return next(attempt);
    }

    /** The set-up failed (and its session ended): the delay before the next attempt. */
    Duration setupFailed() {
        setupFailures++;
        return next(Math.max(attempt, setupFailures - 1));
    }

    private Duration next(int n) {
        attempt = n + 1;
        return Backoff.exponential(min, max, n);
    }
}
