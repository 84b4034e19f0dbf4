package io.stare.actors.backlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.protocol.control.TruncationReport;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TruncationTest {

    private final Truncation truncation = new Truncation(1_000);

    @Test
    void truncatesToWhatEveryLiveSubscriberHolds() {
        truncation.subscribed("a", 0);
        truncation.subscribed("b", 0);
        // Nobody reported: both pin the backlog at the start.
        assertEquals(OptionalLong.of(0), truncation.truncateBelow(10));

        truncation.reported(new TruncationReport(1, 9, "a", 10, 2), true, 100);
        truncation.reported(new TruncationReport(1, 9, "b", 7, 0), false, 100);
        // a holds 0..10; b holds 0..6 and part of 7: truncate below 7.
        assertEquals(OptionalLong.of(7), truncation.truncateBelow(200));
    }

    @Test
    void aSilentSubscriberIsExcludedAndMarkedForResync() {
        truncation.subscribed("a", 0);
        truncation.subscribed("stuck", 0);
        truncation.reported(new TruncationReport(1, 9, "a", 50, 0), true, 900);
        assertEquals(OptionalLong.of(0), truncation.truncateBelow(900));
        // "stuck" has said nothing for more than the timeout: it no longer pins the backlog.
        assertEquals(OptionalLong.of(51), truncation.truncateBelow(1_500));
        assertEquals(Set.of("stuck"), truncation.needResync());

        // When it answers again it is readmitted.
        truncation.reported(new TruncationReport(2, 9, "stuck", 40, 0), true, 1_600);
        assertTrue(truncation.needResync().isEmpty());
        assertEquals(OptionalLong.of(41), truncation.truncateBelow(1_700));
    }

    @Test
    void reportsNeverMoveASubscriberBackAndLeaversStopCounting() {
        truncation.subscribed("a", 0);
        truncation.reported(new TruncationReport(1, 9, "a", 20, 0), true, 10);
        truncation.reported(new TruncationReport(2, 9, "a", 5, 0), true, 20); // a stale, reordered answer
        assertEquals(OptionalLong.of(21), truncation.truncateBelow(30));
        truncation.unsubscribed("a");
        assertEquals(OptionalLong.empty(), truncation.truncateBelow(40));
    }
}
