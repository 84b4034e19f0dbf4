package io.stare.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stare bench jmh} is wired and refuses bad input in one line before starting JMH. (Running
 * the benchmarks takes minutes and forks JVMs; the bench module's tests call their methods directly.)
 */
class JmhCommandTest {

    @Test
    void benchListsIt() {
        Cli run = Cli.run("bench", "--help");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("jmh"), run.out());
        Cli help = Cli.run("bench", "jmh", "--help");
        assertEquals(0, help.exitCode(), help.err());
        assertTrue(help.out().contains("--quick") && help.out().contains("--include") && help.out().contains("--json"),
                help.out());
    }

    @Test
    void anIncludeThatIsNoRegularExpressionIsOneLine() {
        Cli run = Cli.run("bench", "jmh", "--include", "Publish(");
        assertEquals(1, run.exitCode(), run.out() + run.err());
        assertTrue(run.err().contains("--include is not a regular expression"), run.err());
        assertEquals(1, run.err().strip().lines().count(), run.err());
    }

    @Test
    void anIncludeThatMatchesNothingSaysSo() {
        Cli run = Cli.run("bench", "jmh", "--include", "NoSuchBenchmark");
        assertEquals(1, run.exitCode(), run.out() + run.err());
        assertTrue(run.err().contains("matches no benchmark"), run.err());
    }

    @Test
    void aJsonFileInAMissingDirectoryIsRefused(@TempDir Path dir) {
        Cli run = Cli.run("bench", "jmh", "--json", dir.resolve("missing/jmh.json").toString());
        assertEquals(1, run.exitCode(), run.out() + run.err());
        assertTrue(run.err().contains("does not exist"), run.err());
    }

    @Test
    void jmhOutputReachesTheWriterWholeCharacters() {
        StringWriter text = new StringWriter();
        WriterOutputStream stream = new WriterOutputStream(new PrintWriter(text));
        byte[] bytes = "12.5 ± 0.3 ops/s\n".getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            stream.write(b); // "±" arrives as two separate bytes
        }
        stream.flush();
        assertEquals("12.5 ± 0.3 ops/s\n", text.toString());
    }
}
