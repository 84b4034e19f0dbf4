package io.stare.bench.scale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The ledger's classification, on hand-made events (times in ms, as ns). */
class RecoveryLedgerTest {

    private static final long MS = 1_000_000;

    @Test
    void classifiesNormalHeldAndRecoveredDeliveries() {
        RecoveryLedger ledger = new RecoveryLedger(4, 1);
        for (int u = 0; u < 4; u++) {
            ledger.sent(u, u * 10 * MS);
        }
        // 0 arrives normally; 1 is dropped on the subscriber's link; 2 and 3 pass the link at 21 and 31 ms
        // but wait behind 1, which RECOVER brings back at 100 ms.
        ledger.forwardedDownstream(0, 0, 1 * MS);
        ledger.delivered(0, 0, 2 * MS);
        ledger.droppedDownstream(0, 1);
        ledger.forwardedDownstream(0, 2, 21 * MS);
        ledger.forwardedDownstream(0, 3, 31 * MS);
        assertFalse(ledger.settled());
        assertEquals(3, ledger.open());
        ledger.delivered(0, 1, 100 * MS);
        ledger.delivered(0, 2, 100 * MS);
        ledger.delivered(0, 3, 101 * MS);
        assertTrue(ledger.settled());

        RecoveryLedger.Result r = ledger.result();
        assertEquals(4, r.sent());
        assertEquals(1, r.lost());
        assertEquals(1, r.recovered());
        assertEquals(0, r.unrecoverable());
        assertTrue(r.fullyAccounted());
        assertEquals(1, r.normal().count());
        assertEquals(2, r.held().count(), "2 and 3 passed the link before 1 was resolved");
        assertEquals(1, r.recoveredFromSend().count());
        // 1 was due at 10 ms, delivered at 100 ms; its gap became visible when 2 passed the link at 21 ms.
        assertEquals(90 * MS, r.recoveredFromSend().p50(), 0.001 * 90 * MS);
        assertEquals(79 * MS, r.recoveredFromGap().p50(), 0.001 * 79 * MS);
        assertEquals(0, r.recoveredWithoutGap());
    }

    @Test
    void anUpstreamLossCountsForEverySubscriberAndUnrecoverableClosesTheAccount() {
        RecoveryLedger ledger = new RecoveryLedger(2, 2);
        ledger.sent(0, 0);
        ledger.sent(1, 10 * MS);
        ledger.droppedUpstream(0);
        for (int s = 0; s < 2; s++) {
            ledger.forwardedDownstream(s, 1, 11 * MS);
        }
        ledger.delivered(0, 0, 80 * MS);
        ledger.delivered(0, 1, 80 * MS);
        ledger.unrecoverable(1, 0, 90 * MS);
        assertFalse(ledger.settled(), "subscriber 1 still owes update 1");
        ledger.delivered(1, 1, 90 * MS);
        assertTrue(ledger.settled());

        RecoveryLedger.Result r = ledger.result();
        assertEquals(1, r.droppedUpstream());
        assertEquals(2, r.lost(), "one frame lost upstream is a loss for both subscribers");
        assertEquals(1, r.recovered());
        assertEquals(1, r.unrecoverable());
        assertTrue(r.fullyAccounted());
        assertEquals(2, r.held().count());
    }

    @Test
    void aLostUpdateNeitherDeliveredNorReportedIsUnaccounted() {
        RecoveryLedger ledger = new RecoveryLedger(2, 1);
        ledger.sent(0, 0);
        ledger.sent(1, 10 * MS);
        ledger.delivered(0, 0, 1 * MS);
        ledger.droppedDownstream(0, 1);
        RecoveryLedger.Result r = ledger.result();
        assertEquals(1, r.unaccounted());
        assertFalse(r.fullyAccounted());
        assertEquals(1, r.normal().count());
    }

    @Test
    void eventsForUnknownUpdatesAreIgnored() {
        RecoveryLedger ledger = new RecoveryLedger(1, 1);
        ledger.sent(5, 0);
        ledger.droppedUpstream(-1);
        ledger.delivered(0, 7, 0);
        assertEquals(0, ledger.result().sent());
        assertTrue(ledger.settled());
    }
}
