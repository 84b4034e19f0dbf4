package io.stare.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.actors.controller.ControllerStore;
import io.stare.bench.backlog.BacklogIngestion;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code stare bench backlog}'s flags: how they map to the benchmark's options, and one-line
 * errors for bad ones. The benchmark itself is not run here (stare-bench has its smoke test).
 */
class BacklogCommandTest {


    private static BacklogIngestion.Options parse(String... args) {
        BacklogCommand command = new BacklogCommand();
        new CommandLine(command).parseArgs(args);
        return command.options();
    }

    @Test
    void defaultsAreEveryStoreOneToThreeNodesSixteenStatesTenSecondsThreeTimes() {
        BacklogIngestion.Options o = parse();
        assertEquals(List.of(ControllerStore.Kind.MEMORY, ControllerStore.Kind.H2_FILE, ControllerStore.Kind.POSTGRES),
                o.stores());
        assertEquals(List.of(1, 2, 3), o.nodes());
        assertEquals(16, o.states());
        assertEquals(1400, o.segmentBytes());
        assertEquals(32, o.batch());
        assertEquals(Duration.ofSeconds(10), o.duration());
        assertEquals(Duration.ofSeconds(3), o.warmup());
        assertEquals(3, o.repetitions());
        assertEquals(BacklogIngestion.Driver.SEPARATE, o.driver());
    }

    @Test
    void quickIsOneShortRepetitionUnlessToldOtherwise() {
        BacklogIngestion.Options o = parse("--quick", "--stores", "memory", "--nodes", "2,1");
        assertEquals(List.of(ControllerStore.Kind.MEMORY), o.stores());
        assertEquals(List.of(2, 1), o.nodes());
        assertEquals(1, o.repetitions());
        assertEquals(Duration.ofSeconds(3), o.duration());
        assertEquals(Duration.ofSeconds(1), o.warmup());

        BacklogIngestion.Options explicit = parse("--quick", "--duration", "500ms", "--repetitions", "2",
                "--driver", "controller");
        assertEquals(Duration.ofMillis(500), explicit.duration());
        assertEquals(2, explicit.repetitions());
        assertEquals(BacklogIngestion.Driver.CONTROLLER, explicit.driver());
    }

    @Test
    void badFlagsGiveOneLineAndNoStackTrace() {
        assertOneLine(Cli.run("bench", "backlog", "--stores", "memory,redis"), "unknown store 'redis'");
        assertOneLine(Cli.run("bench", "backlog", "--stores", "memory,"), "has an empty item");
        assertOneLine(Cli.run("bench", "backlog", "--nodes", "0"), "--nodes: 0 is out of range 1..5");
        assertOneLine(Cli.run("bench", "backlog", "--nodes", "two"), "--nodes: 'two' is not a number");
        assertOneLine(Cli.run("bench", "backlog", "--duration", "10x"), "--duration '10x' is not a duration");
        assertOneLine(Cli.run("bench", "backlog", "--states", "0"), "states 0 is out of range 1..4096");
        assertOneLine(Cli.run("bench", "backlog", "--batch", "128"), "does not fit the 128 KiB Append budget");
        assertOneLine(Cli.run("bench", "backlog", "--driver", "elsewhere"), "--driver must be separate or controller");
        assertOneLine(Cli.run("bench", "backlog", "--csv", "/nonexistent-dir/x.csv", "--quick"), "does not exist");
        assertOneLine(Cli.run("bench", "backlog", "--states", "many"), "--states");
    }

    @Test
    void helpListsTheFlags() {
        Cli run = Cli.run("bench", "backlog", "--help");
        assertEquals(0, run.exitCode(), run.err());
        for (String flag : List.of("--stores", "--nodes", "--states", "--segment-bytes", "--batch", "--duration",
                "--warmup", "--repetitions", "--csv", "--quick")) {
            assertTrue(run.out().contains(flag), flag + " in " + run.out());
        }
        assertTrue(Cli.run("bench", "--help").out().contains("backlog"));
    }

    private static void assertOneLine(Cli run, String expected) {
        assertTrue(run.exitCode() != 0, "fails: " + run.out());
        String err = run.err().strip();
        assertFalse(err.contains("\n"), "one line: " + err);
        assertFalse(err.contains("Exception"), "no stack trace: " + err);
        assertTrue(err.startsWith("stare: "), err);
        assertTrue(err.contains(expected), "'" + expected + "' in: " + err);
    }
}
