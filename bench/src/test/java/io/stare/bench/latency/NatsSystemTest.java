package io.stare.bench.latency;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** NatsSystem against the local server at 127.0.0.1:4222; skipped when it is not running. */
@Timeout(20)
class NatsSystemTest {

    @Test
    void everySubscriberGetsEveryPayloadIntact() throws Exception {
        NatsSystem system = new NatsSystem();
        Optional<String> unavailable = system.unavailable();
        assumeTrue(unavailable.isEmpty(), () -> unavailable.orElseThrow());
        SmokeCheck.assertAllDelivered(system);
    }

    @Test
    void anUnreachableServerIsSkippedWithAReason() {
        assertTrue(new NatsSystem("127.0.0.1", 1).unavailable().isPresent());
    }
}
