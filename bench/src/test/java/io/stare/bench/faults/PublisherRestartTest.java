package io.stare.bench.faults;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 17, item 1, as an operator meets it: STARE as separate processes, one publisher and two
 * subscribers on other servers; the publisher's middleware is killed ({@code SIGKILL}) mid-stream
 * and started again. Every update acknowledged to the publisher reaches both subscribers (or is
 * declared lost) and no update number is used twice, which would show as a sequence lost silently.
 */
@Timeout(300)
class PublisherRestartTest {

    @Test
    void aKilledPublisherMiddlewareRestartsWithoutReusingANumberOrLosingAnAcknowledgedUpdate() throws Exception {
        FaultScenario.Outcome outcome = FaultScenario.PUBLISHER_MIDDLEWARE_KILLED.run(
                FaultRuns.directory("publisher-restart"), 200, 300, 300); // the roles' logs stay there
        System.out.println("publisher restart: " + outcome);
        assertTrue(outcome.failedPublishes() >= 1, "the publisher felt its middleware die: " + outcome);
        assertTrue(outcome.nothingLost(), outcome.toString());
    }
}
