package io.stare.bench.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SequenceCheckTest {

    @Test
    void countsEachKindOfFault() {
        SequenceCheck check = new SequenceCheck();
        check.delivered(10, SequenceCheck.value(-1)); // warm-up
        check.delivered(11, SequenceCheck.value(0));
        check.delivered(13, SequenceCheck.value(2));
        check.delivered(12, SequenceCheck.value(1)); // reordered
        check.delivered(13, SequenceCheck.value(2)); // duplicated
        byte[] bad = SequenceCheck.value(5);
        bad[20] ^= 1;
        check.delivered(16, bad); // corrupted
        check.delivered(16, new byte[3]); // corrupted too
        check.lost(14, 14);
        check.delivered(18, SequenceCheck.value(7)); // delivered, but its publish was never acknowledged

        SequenceCheck.Tally tally = check.tally(Map.of(0L, 11L, 1L, 12L, 2L, 13L, 3L, 14L, 4L, 15L));

        assertEquals(new SequenceCheck.Tally(3, 1, 1, 1, 1, 2, 1), tally);
        assertFalse(tally.clean());
    }

    @Test
    void aReusedUpdateNumberShowsAsTheSequenceItCarried() {
        SequenceCheck check = new SequenceCheck();
        check.delivered(0, SequenceCheck.value(0));
        check.delivered(1, SequenceCheck.value(1));
        // the restarted publisher's middleware numbered sequence 2 as update 1 again: the
        // subscriber's middleware dropped it as a duplicate, so it never reached the listener
        SequenceCheck.Tally tally = check.tally(Map.of(0L, 0L, 1L, 1L, 2L, 1L));
        assertEquals(1, tally.lostSilently());
        assertFalse(tally.clean());
        assertTrue(check.has(1));
    }
}
