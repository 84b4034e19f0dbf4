package io.stare.protocol.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TimeFactorTest {

    @Test
    void unsetOrBlankIsOne() {
        assertEquals(1.0, TimeFactor.parse(null));
        assertEquals(1.0, TimeFactor.parse("  "));
    }

    @Test
    void readsAFactorWithSpaces() {
        assertEquals(2.5, TimeFactor.parse(" 2.5 "));
    }

    @Test
    void refusesLessThanOneAndJunkWithTheVariableNamed() {
        for (String bad : new String[] {"0.5", "-3", "NaN", "fast"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TimeFactor.parse(bad));
            assertTrue(e.getMessage().contains(TimeFactor.VARIABLE), e.getMessage());
        }
    }
}
