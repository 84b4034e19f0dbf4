package io.stare.actors.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The pure bookkeeping of a State4 reconfiguration, with a hand-driven clock. */
class ReconfigurationPlanTest {

    private static final long SETTLE = 50;

    private final Reconfiguration plan = new Reconfiguration(Reconfiguration.Strategy.STATE4, 2048, 4096, 0, SETTLE);

    @Test
    void changesOverlayTheSnapshotPerPortBitWhateverTheirOrderAgainstTheRead() {
        plan.onClone(5, 1, true, 0);          // cloned before the snapshot arrives, maybe read too
        plan.snapshot(cells(Map.of(5, 0b0011L, 9, 0b1000L)));
        plan.onClone(5, 0, false, 1);
        plan.onClone(9, 3, false, 1);
        plan.onClone(9, 3, true, 2);          // the newest change of a bit wins
        assertEquals(0b0010L, plan.value(5));
        assertEquals(0b1000L, plan.value(9));
        assertEquals(Map.of(5, 0b0010L, 9, 0b1000L), plan.copyPlan());
        assertEquals(0, plan.pending());
    }

    @Test
    void replayWritesOnlyTheNewestValuePerCell() {
        plan.snapshot(cells(Map.of(1, 0b1L)));
        plan.copyPlan();
        for (int i = 0; i < 10; i++) {
            plan.onClone(1, 2, i % 2 == 0, i);
        }
        plan.onClone(3, 0, true, 10);
        assertEquals(Map.of(1, 0b1L, 3, 0b1L), plan.replayPlan()); // 11 changes, 2 writes
        assertTrue(plan.replayPlan().isEmpty());
        assertEquals(2, plan.report(RegisterAccess.Kind.P4RUNTIME, java.time.Duration.ZERO, 0, Optional.empty())
                .updatesApplied());
    }

    @Test
    void aFenceOvertakenByAChangeIsWrittenAgainAndTheFlagWaitsForTheSettleTime() {
        plan.snapshot(cells(Map.of()));
        plan.copyPlan();
        plan.onClone(7, 1, true, 0);            // after the last replay: a late change
        plan.startFences(100);
        Map.Entry<Integer, Long> fence = plan.nextFence(8).orElseThrow();
        assertEquals(Map.entry(7, 0b10L), fence);
        plan.onClone(7, 2, true, 110);          // applied before the write, reported after it was planned
        assertTrue(plan.onFenceConfirmed(7, 0b10L, 120));
        assertEquals(Map.entry(7, 0b110L), plan.nextFence(8).orElseThrow());
        assertTrue(plan.onFenceConfirmed(7, 0b110L, 130));
        assertFalse(plan.fencesDone(140), "a late packet-in may still come");
        plan.onClone(7, 0, true, 150);          // within the settle time: fenced again
        assertEquals(Map.entry(7, 0b111L), plan.nextFence(8).orElseThrow());
        assertTrue(plan.onFenceConfirmed(7, 0b111L, 160));
        assertFalse(plan.fencesDone(200));
        assertTrue(plan.fencesDone(210));
        plan.onClone(8, 0, true, 300);          // long after: the new pipeline's own change, exact base
        assertTrue(plan.nextFence(8).isEmpty());
        assertFalse(plan.onFenceConfirmed(9, 1, 300), "not a fence of this reconfiguration");
    }

    @Test
    void inBandEveryCellIsWrittenAfterCommitWithTheChangesOfBothPipelinesApplied() {
        plan.snapshot(cells(Map.of(5, 0b001L, 9, 0b010L)));
        plan.onClone(5, 2, true, 0);            // old pipeline, before COMMIT (maybe in the snapshot too)
        plan.copyAfterCommit();                 // in-band: nothing reaches the saved pipeline
        plan.onClone(9, 1, false, 10);          // new pipeline, on its empty cell: still a real change
        plan.onClone(12, 0, true, 20);
        plan.onClone(12, 0, false, 21);
        plan.onClone(12, 0, true, 22);          // per bit, the newest operation wins
        plan.startFences(100);
        Map<Integer, Long> written = new java.util.TreeMap<>();
        plan.nextFence(8).ifPresent(f -> written.put(f.getKey(), f.getValue()));
        plan.nextFence(8).ifPresent(f -> written.put(f.getKey(), f.getValue()));
        plan.nextFence(8).ifPresent(f -> written.put(f.getKey(), f.getValue()));
        assertTrue(plan.nextFence(8).isEmpty());
        assertEquals(Map.of(5, 0b101L, 9, 0L, 12, 0b1L), written);
        written.forEach((index, value) -> assertTrue(plan.onFenceConfirmed(index, value, 110)));
        assertFalse(plan.fencesDone(150));
        assertTrue(plan.fencesDone(160));
        assertEquals(Map.of(5, 0b101L, 12, 0b1L), plan.values());
        assertEquals(2, plan.report(RegisterAccess.Kind.IN_BAND, java.time.Duration.ZERO, 0, Optional.empty())
                .cellsCopied());
    }

    private static long[] cells(Map<Integer, Long> values) {
        long[] cells = new long[2048];
        values.forEach((index, mask) -> cells[index] = mask);
        return cells;
    }
}
