package io.stare.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.bench.rules.Bmv2RuleMemory;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code stare bench rules}: the software switch's figures always; with {@code --bmv2} BMv2's
 * column where it can run, else one line that says why, and still exit 0.
 */
class RulesCommandTest {

    @Test
    void printsTheSoftwareSwitchFiguresBesideThePaper() {
        Cli run = Cli.run("bench", "rules", "--states", "1000");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("| register-based |") && run.out().contains("119 B"), run.out());
        assertTrue(!run.out().contains("BMv2 not found"), "no BMv2 line without --bmv2: " + run.out());
    }

    @Test
    void withBmv2ItMeasuresBmv2OrSaysInOneLineWhyNot() {
        Cli run = Cli.run("bench", "rules", "--states", "1000", "--bmv2", "--bmv2-rules", "20", "--bmv2-step", "10",
                "--bmv2-runs", "1");
        assertEquals(0, run.exitCode(), run.out() + run.err());
        assertTrue(run.out().contains("| embedded controller |") && run.out().contains("184 B"), run.out());
        Optional<String> unavailable = Bmv2RuleMemory.unavailable();
        if (unavailable.isPresent()) {
            assertEquals(1, run.out().lines().filter(l -> l.contains("the BMv2 column was not measured")).count(),
                    run.out());
            assertTrue(run.out().contains(unavailable.get()), run.out());
        } else {
            assertTrue(run.out().contains("BMv2 resident memory (VmRSS) per installed rule"), run.out());
        }
    }

    @Test
    void bmv2SettingsOutsideTheRegisterProgramAreOneLine() {
        Cli run = Cli.run("bench", "rules", "--bmv2", "--bmv2-rules", "5000");
        assertEquals(1, run.exitCode(), run.out() + run.err());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertTrue(run.err().contains("2048"), run.err());
    }
}
