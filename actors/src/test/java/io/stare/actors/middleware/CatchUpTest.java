package io.stare.actors.middleware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CatchUpTest {

    private static final int STATE = 7;
    private static final int PUBLISHER = 3;

    @Test
    void aStateTurnedAwayHoldsItsLaterDeliveriesBackUntilTheReadsReachThem() {
        CatchUp catchUp = new CatchUp(3);
        assertFalse(catchUp.holds(STATE, 10), "nothing held before the queue turned anything away");
        catchUp.turnedAway(STATE, PUBLISHER, 10, 10);
        assertTrue(catchUp.holds(STATE, 11));
        assertTrue(catchUp.holds(STATE, 12));
        assertFalse(catchUp.holds(STATE + 1, 12), "other states flow on");
        assertEquals(10, catchUp.oldestHeld(STATE));

        CatchUp.Read read = catchUp.next(100);
        assertEquals(new CatchUp.Read(STATE, PUBLISHER, 10, 12), read);
        assertNull(catchUp.next(100), "one read per state in flight");
        assertTrue(catchUp.holds(STATE, 13), "the range grows while the read is out");
        assertTrue(catchUp.answered(read, 13), "13 arrived after the read was asked: still behind");
        assertEquals(new CatchUp.Read(STATE, PUBLISHER, 13, 13), catchUp.next(100));
        assertFalse(catchUp.answered(new CatchUp.Read(STATE, PUBLISHER, 13, 13), 14), "caught up");
        assertFalse(catchUp.holds(STATE, 14), "live again");
        assertEquals(-1, catchUp.oldestHeld(STATE));
        assertTrue(catchUp.isEmpty());
    }

    @Test
    void aReadIsBoundedByTheRoomAndTheLargestRead() {
        CatchUp catchUp = new CatchUp(3);
        catchUp.turnedAway(STATE, PUBLISHER, 0, 10_000);
        assertNull(catchUp.next(0), "no room, no read");
        assertEquals(new CatchUp.Read(STATE, PUBLISHER, 0, 4), catchUp.next(5));
        catchUp.answered(new CatchUp.Read(STATE, PUBLISHER, 0, 4), 5);
        assertEquals(new CatchUp.Read(STATE, PUBLISHER, 5, 5 + CatchUp.MAX_READ - 1), catchUp.next(1_000_000));
    }

    @Test
    void anAnswerThatBringsNothingLeavesTheRangeAndGivesUpOnlyAfterTheAttempts() {
        CatchUp catchUp = new CatchUp(2);
        catchUp.turnedAway(STATE, PUBLISHER, 4, 6);
        CatchUp.Read read = catchUp.next(10);
        assertFalse(catchUp.fruitless(read), "first fruitless answer");
        assertTrue(catchUp.answered(read, 4));
        read = catchUp.next(10);
        assertEquals(4, read.first(), "asked again from the same update");
        assertTrue(catchUp.fruitless(read), "second fruitless answer: give the update up");
        assertTrue(catchUp.answered(read, 5));
        read = catchUp.next(10);
        assertEquals(5, read.first());
        assertFalse(catchUp.fruitless(read), "the count starts again at the next update");
    }

    @Test
    void anUnansweredReadMayBeAskedAgainWithoutCounting() {
        CatchUp catchUp = new CatchUp(1);
        catchUp.turnedAway(STATE, PUBLISHER, 4, 6);
        CatchUp.Read read = catchUp.next(10);
        assertNull(catchUp.next(10));
        catchUp.unanswered(read);
        assertEquals(read, catchUp.next(10));
        catchUp.clear();
        assertNull(catchUp.next(10));
        assertThrows(IllegalArgumentException.class, () -> new CatchUp(0));
    }
}
