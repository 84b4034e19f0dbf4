package io.stare.bench.faults;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 17: of three controller nodes, each in a network namespace of its own, the one hosting the
 * state's backlog is cut off for 30 s, past the split-brain resolver's decision: the majority downs
 * it and takes its shards, it downs itself, and started again after the heal it joins the running
 * cluster (the first node too: every node lists every node as a seed). Nothing lost, repeated or
 * reordered; the backlog confirms every update. About 90 s: run with {@code -Pslow}. Skipped
 * where the test may not create network namespaces (not root) or no PostgreSQL runs.
 */
@Tag(FaultRuns.SLOW)
@Timeout(400)
class ControllerPartitionTest {

    @Test
    void aPartitionedControllerNodeLosesNothing() throws Exception {
        FaultRuns.requirePostgres();
        FaultScenario.Outcome outcome = FaultRuns.run(FaultScenario.CONTROLLER_NODE_PARTITIONED,
                "controller-node-partitioned", 200, 400, 800);
        assertTrue(outcome.nothingLost(), outcome.toString());
    }
}
