package io.stare.bench.scale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.p4.program.StareProgram;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A short lossy run: the links lose updates, and every lost one is recovered or reported. */
class RecoveryLatencyTest {

    @Test
    @Timeout(120)
    void everyLostUpdateIsRecoveredOrReportedUnrecoverable() {
        RecoveryLatency.Options options = new RecoveryLatency.Options(List.of(0.05), 2, 300, 300, 20, 64,
                Duration.ofSeconds(20), StareProgram.Mode.REGISTER, 3);
        List<RecoveryLatency.Row> rows = RecoveryLatency.run(options, new PrintWriter(new StringWriter()));
        assertEquals(1, rows.size());
        RecoveryLatency.Row row = rows.get(0);
        assertEquals("ok", row.status());
        RecoveryLedger.Result r = row.ledger();
        assertEquals(300, r.sent() + row.refused());
        assertTrue(r.lost() > 0, "5% loss over 300 updates and 2 subscribers loses some (seeded links): " + r);
        assertTrue(r.fullyAccounted(), "every lost update recovered or reported, every other one delivered: " + r);
        assertEquals(r.lost(), r.recovered() + r.unrecoverable());
        assertEquals(r.recovered(), r.recoveredFromSend().count());
        assertEquals(2 * r.sent() - r.lost(), r.normal().count() + r.held().count(),
                "every update not lost was delivered once");
        assertTrue(row.recoverRequests() > 0, "recovery went through RECOVER");
        assertTrue(row.framesDropped() >= r.droppedUpstream() + r.droppedDownstream());
    }

    @Test
    void theStampedPayloadCarriesItsSequenceNumber() {
        assertEquals(42, RecoveryLatency.seqOf(RecoveryLatency.stamped(42, 7, 64)));
        assertEquals(-1, RecoveryLatency.seqOf(new byte[3]));
        byte[] frame = ScaleFrames.publish(9, 0, 0);
        assertEquals(-1, RecoveryLatency.measuredUpdate(frame, 9, 0), "a payload too short is not a benchmark update");
    }
}
