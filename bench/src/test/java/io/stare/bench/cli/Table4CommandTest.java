package io.stare.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code stare bench table4} prints the reproduced table beside the paper's and writes its CSV. */
class Table4CommandTest {

    @Test
    void printsTheTableAndWritesItsCsv(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("table4.csv");
        Cli run = Cli.run("bench", "table4", "--samples", "20", "--csv", csv.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("STARE"), run.out());
        assertTrue(run.out().contains("Unicast") && run.out().contains("P4 source routing"), run.out());
        assertTrue(Files.readString(csv).lines().count() > 1, "the CSV has rows");
    }

    @Test
    void aBadFlagIsOneLine() {
        Cli run = Cli.run("bench", "table4", "--payload", "none");
        assertEquals(2, run.exitCode(), run.out() + run.err());
        assertEquals(1, run.err().strip().lines().count(), run.err());
    }
}
