package io.stare.actors.middleware;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ConfirmationTest {

    @Test
    void rangesConfirmedOutOfOrderJoinOnceTheGapIsFilled() {
        Confirmation c = new Confirmation(-1);
        assertFalse(c.covers(0));
        c.confirm(5, 9); // a later batch first
        assertTrue(c.covers(7));
        assertFalse(c.covers(3), "the gap before it is not confirmed");
        assertFalse(c.covers(10));
        c.confirm(0, 4);
        for (long u = 0; u <= 9; u++) {
            assertTrue(c.covers(u), "update " + u);
        }
        assertFalse(c.covers(10));
    }

    @Test
    void aRepeatedOrOverlappingConfirmationChangesNothingBelowItsEnd() {
        Confirmation c = new Confirmation(9);
        assertTrue(c.covers(9));
        c.confirm(3, 12);
        assertTrue(c.covers(12));
        c.confirm(14, 14);
        assertFalse(c.covers(13));
        assertTrue(c.covers(14));
    }
}
