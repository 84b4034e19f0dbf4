package io.stare.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code stare bench scale}: one small part end to end through the CLI, and its input errors. */
class ScaleCommandTest {

    @Test
    void runsTheTablePartAndWritesItsCsv(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("scale.csv");
        Cli run = Cli.run("bench", "scale", "--quick", "--parts", "table", "--states", "1024,4096",
                "--csv", csv.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("table: embedded mode, 4,096 states: installing..."), run.out());
        assertTrue(run.out().contains("| embedded | 4,096 | 4,096 |"), run.out());
        String written = Files.readString(csv);
        assertTrue(written.startsWith("part,mode,setting,metric,value,unit"), written);
        assertTrue(written.contains("table,register,states=4096,installed,4096,subscriptions"), written);
    }

    @Test
    void anUnknownPartOrStateCountIsOneLine() {
        Cli part = Cli.run("bench", "scale", "--parts", "tables");
        assertEquals(1, part.exitCode(), part.out() + part.err());
        assertTrue(part.err().contains("unknown part 'tables'"), part.err());
        assertEquals(1, part.err().strip().lines().count(), part.err());

        Cli states = Cli.run("bench", "scale", "--parts", "table", "--states", "4194304");
        assertEquals(1, states.exitCode(), states.out() + states.err());
        assertTrue(states.err().contains("out of range"), states.err());
    }
}
