package io.stare.bench.faults;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 17: of three controller nodes, the one hosting the state's backlog is killed
 * ({@code SIGKILL}): its shards move to the others, publishing goes on, nothing is lost, repeated or
 * reordered, and the backlog confirms every update. About a minute: run with {@code -Pslow}.
 */
@Tag(FaultRuns.SLOW)
@Timeout(400)
class ControllerNodeKilledTest {

    @Test
    void aKilledControllerNodeLosesNothing() throws Exception {
        FaultScenario.Outcome outcome = FaultRuns.run(FaultScenario.CONTROLLER_NODE_KILLED, "controller-node-killed",
                200, 400, 800);
        assertTrue(outcome.nothingLost(), outcome.toString());
    }
}
