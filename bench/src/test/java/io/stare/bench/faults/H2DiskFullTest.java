package io.stare.bench.faults;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 17: the disk under the controller's H2 file fills to the last byte for 5 s. H2 closes the
 * database at the first failed write; before, every pooled connection kept answering "The database
 * has been closed" and the backlog never confirmed another update. Now nothing is lost, repeated or
 * reordered, and the backlog confirms every update once the disk has room (nothing owed at the end).
 * Skipped where the test may not mount a file system (not root).
 */
@Timeout(300)
class H2DiskFullTest {

    @Test
    void aFullDiskUnderTheH2FileLosesNothingAndTheBacklogWritesAgain() throws Exception {
        FaultScenario.Outcome outcome = FaultRuns.run(FaultScenario.H2_DISK_FULL, "h2-disk-full", 200, 400, 800);
        assertTrue(outcome.nothingLost(), outcome.toString());
    }
}
