package io.stare.bench.faults;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 17, item 10: junk at every listener (switch ports, tunnel sockets, gateways, the cluster
 * port, P4Runtime) while a publisher streams: nothing is lost, repeated or reordered, and every
 * role still serves the stream to its end. How much the junk slows genuine traffic is a figure of
 * the fault table (p50 first beside p50 last, {@code stare bench faults}), not asserted here.
 */
@Timeout(300)
class JunkFloodTest {

    @Test
    void junkAtEveryListenerLosesNothing() throws Exception {
        FaultScenario.Outcome outcome = FaultScenario.JUNK_FLOOD.run(FaultRuns.directory("junk-flood"), 200, 400, 800);
        System.out.println("junk flood: " + outcome);
        assertTrue(outcome.junk() > 1_000, "the flood ran alongside the stream: " + outcome);
        assertTrue(outcome.nothingLost(), outcome.toString());
    }
}
