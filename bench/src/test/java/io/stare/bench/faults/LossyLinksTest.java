package io.stare.bench.faults;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 17: loss with reordering on every server's link to the switch (a relay in this JVM between
 * each middleware process and its switch port), from the fault to the end of the run: nothing lost,
 * repeated or reordered; what the links drop comes back through RECOVER. 5 % here on every build;
 * 1 % and 20 % in {@code stare bench faults}.
 */
@Timeout(300)
class LossyLinksTest {

    @Test
    void fivePercentLossAndReorderingOnEveryLinkLosesNothing() throws Exception {
        FaultScenario.Outcome outcome = FaultScenario.LINKS_LOSE_5.run(FaultRuns.directory("links-lose-5"), 200, 400,
                800);
        System.out.println("links lose 5%: " + outcome);
        assertTrue(outcome.nothingLost(), outcome.toString());
    }
}
