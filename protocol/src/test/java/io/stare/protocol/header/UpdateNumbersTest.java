package io.stare.protocol.header;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class UpdateNumbersTest {

    @Test
    void wrapsAndComparesAcrossZero() {
        assertEquals(0, UpdateNumbers.next(65535));
        assertTrue(UpdateNumbers.isAfter(0, 65535));
        assertTrue(UpdateNumbers.isAfter(10, 65530));
        assertTrue(UpdateNumbers.isBefore(65530, 10));
        assertFalse(UpdateNumbers.isAfter(5, 5));
        // Exactly half the space apart: undefined in RFC 1982, so neither is after the other.
        assertFalse(UpdateNumbers.isAfter(32768, 0));
        assertFalse(UpdateNumbers.isAfter(0, 32768));
        assertTrue(UpdateNumbers.isAfter(32767, 0));
    }

    @Test
    void extendsAcrossTheWrap() {
        assertEquals(65536, UpdateNumbers.extend(0, 65535));
        assertEquals(65535, UpdateNumbers.extend(65535, 65536));
        assertEquals(131072 + 3, UpdateNumbers.extend(3, 131070));
        assertEquals(0, UpdateNumbers.extend(0, 0));
        // Never negative, even for an old number near the start of the sequence.
        assertEquals(65000, UpdateNumbers.extend(65000, 10));
    }

    @Property
    void extendInvertsWireNearTheReference(@ForAll @LongRange(min = 0, max = 1L << 40) long reference,
                                           @ForAll @IntRange(min = -32767, max = 32767) int offset) {
        long target = reference + offset;
        if (target >= 0) {
            assertEquals(target, UpdateNumbers.extend(UpdateNumbers.wire(target), reference));
        }
    }

    @Property
    void isAfterIsAntisymmetric(@ForAll @IntRange(min = 0, max = 65535) int a,
                                @ForAll @IntRange(min = 0, max = 65535) int b) {
        assertFalse(UpdateNumbers.isAfter(a, b) && UpdateNumbers.isAfter(b, a));
    }
}
