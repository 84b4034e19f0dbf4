package io.stare.bench.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 17, item 6: one 20-byte datagram from another local socket to a host's switch port made
 * the switch send that host's traffic to the sender. With the ports configured with their hosts
 * (as {@link ProcessDeployment} runs them: {@code softswitch --hosts}, {@code middleware
 * --tunnel-port}), the stranger gets nothing and h2 keeps getting every update. The updates
 * published after the datagram are the marker: once h2 has them all, anything the switch had sent
 * the stranger would be queued at its socket.
 */
@Timeout(300)
class PortTakeoverTest {

    @Test
    void aStrangersDatagramDoesNotTakeOverAConfiguredSwitchPort() throws Exception {
        FaultScenario.Outcome outcome = FaultScenario.SWITCH_PORT_TAKEOVER.run(
                FaultRuns.directory("port-takeover"), 200, 200, 400);
        System.out.println("port takeover: " + outcome);
        assertEquals(0, outcome.captured(), outcome.toString());
        assertTrue(outcome.nothingLost(), outcome.toString());
    }
}
