package io.stare.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code stare bench latency}: one-line errors for bad flags, and a tiny run that writes its CSV and plots. */
@Timeout(120)
class LatencyCommandTest {

    @Test
    void badFlagsGiveOneLineAndNoStackTrace(@TempDir Path dir) throws Exception {
        assertOneLine(Cli.run("bench", "latency", "--max-rate", "most"), "say off, first, first-payload or all");
        assertOneLine(Cli.run("bench", "latency", "--systems", "kafka"), "unknown system kafka");
        assertOneLine(Cli.run("bench", "latency", "--trial", "0s"), "--trial must be positive");
        assertOneLine(Cli.run("bench", "latency", "--rate", "0"), "rate 0 is out of range");
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        assertOneLine(Cli.run("bench", "latency", "--out", file.resolve("sub").toString()), "cannot create the directory");
    }

    @Test
    void aSmallRunWritesTheCsvAndThePlots(@TempDir Path dir) throws Exception {
        Cli run = Cli.run("bench", "latency", "--systems", "udp", "--subscribers", "1", "--payloads", "64",
                "--rate", "1000", "--duration", "300ms", "--warmup", "100ms", "--repetitions", "1",
                "--max-rate", "first", "--trial", "200ms", "--out", dir.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("Highest rate sustained without loss"), run.out());
        List<String> csv = Files.readAllLines(dir.resolve("latency.csv"));
        assertEquals(2, csv.size(), csv.toString());
        assertTrue(csv.get(1).startsWith("udp,1,64,1000,\"ok\""), csv.get(1));
        for (String plot : List.of("latency-p50-64B.png", "latency-p99-64B.png", "latency-max-rate.png")) {
            assertTrue(Files.size(dir.resolve(plot)) > 1000, plot);
            assertTrue(run.out().contains("wrote " + dir.resolve(plot)), run.out());
        }
    }

    private static void assertOneLine(Cli run, String expected) {
        assertTrue(run.exitCode() != 0, "fails: " + run.out());
        String err = run.err().strip();
        assertFalse(err.contains("\n"), "one line: " + err);
        assertFalse(err.contains("Exception"), "no stack trace: " + err);
        assertTrue(err.contains(expected), "'" + expected + "' in: " + err);
    }
}
