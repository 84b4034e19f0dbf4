package io.stare.bench.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The benchmark runs and reports; its figures are printed, never asserted as targets. */
class RuleMemoryTest {

    @Test
    void installsEverySubscriptionAndPrintsTheTable() {
        // Enough states that the register array (400 KB) stands above the heap's noise after
        // collections: with 2,000 (8 KB) the slot figure once came out at or below zero.
        RuleMemory.Result result = RuleMemory.measure(100_000);
        assertEquals(100_000, result.states());
        // States subscribe from ports 1..7 in turn: seven single-port masks, so seven shared groups.
        assertEquals(7, result.embeddedGroups());
        assertTrue(result.registerBytesPerSlot() > 0, "a register cell per state slot takes memory");
        StringWriter out = new StringWriter();
        RuleMemoryReport.print(result, new PrintWriter(out));
        assertTrue(out.toString().contains("| register-based |"), out.toString());
        assertTrue(out.toString().contains("119 B"), out.toString());
    }

    @Test
    void refusesStateCountsOutsideTheStateIdSpace() {
        assertThrows(IllegalArgumentException.class, () -> RuleMemory.measure(0));
        assertThrows(IllegalArgumentException.class, () -> RuleMemory.measure(1 << 22));
    }
}
