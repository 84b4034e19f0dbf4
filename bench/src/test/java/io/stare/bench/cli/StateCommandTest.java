package io.stare.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code stare bench state}: a small run end to end through the CLI, and its input errors. */
class StateCommandTest {

    @Test
    @Timeout(120)
    void aSmallRunPrintsBothPartsWithCheckedFigures() {
        Cli run = Cli.run("bench", "state", "--quick", "--drivers", "memory", "--instances", "2");
        assertEquals(0, run.exitCode(), run.out() + run.err());
        // Part 1 checks each async point against the store (a mismatch fails the run).
        Matcher memory = Pattern.compile("(?m)^memory\\s+(\\d+)\\s+(\\d+)\\s+[0-9.]+x$").matcher(run.out());
        assertTrue(memory.find(), run.out());
        assertTrue(Long.parseLong(memory.group(1)) > 0 && Long.parseLong(memory.group(2)) > 0, run.out());
        // Part 2: three cells of p50 / p90 / p99, or "-" where Redis is absent; never "wrong".
        Matcher two = Pattern.compile("(?m)^2\\s+(\\d+ / \\d+ / \\d+)\\s+(\\d+ / \\d+ / \\d+)\\s+(\\S.*)$")
                .matcher(run.out());
        assertTrue(two.find(), run.out());
        assertTrue(!run.out().contains("wrong") && !run.out().contains("found"), run.out());
    }

    @Test
    void anUnknownDriverOrInstanceCountIsOneLine() {
        Cli driver = Cli.run("bench", "state", "--drivers", "mongo");
        assertEquals(1, driver.exitCode(), driver.out() + driver.err());
        assertTrue(driver.err().contains("--drivers: no driver 'mongo'"), driver.err());
        Cli one = Cli.run("bench", "state", "--instances", "1");
        assertEquals(1, one.exitCode(), one.out() + one.err());
        assertTrue(one.err().contains("--instances: 1 is out of range 2..64"), one.err());
    }
}
