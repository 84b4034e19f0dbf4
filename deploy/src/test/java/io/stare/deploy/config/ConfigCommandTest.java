package io.stare.deploy.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.deploy.StareCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code stare --config FILE} and {@code stare config show}. */
class ConfigCommandTest {

    private record Run(int code, String out, String err) {
    }

    private static Run stare(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = StareCommand.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void aConfigFileWinsOverTheDefaultsForThisRunOnly(@TempDir Path dir) throws Exception {
        assertEquals("stare.middleware.mtu = 1500", stare("config", "show", "stare.middleware.mtu").out().strip());
        Path file = Files.writeString(dir.resolve("site.conf"), """
                stare.middleware.mtu = 9000
                stare.persistence { store = postgres, postgres.schema = site }
                """);
        Run run = stare("--config", file.toString(), "config", "show", "stare.middleware.mtu");
        assertEquals(0, run.code(), run.err());
        assertEquals("stare.middleware.mtu = 9000", run.out().strip());
        Run section = stare("--config", file.toString(), "config", "show", "stare.persistence");
        assertTrue(section.out().startsWith("stare.persistence {"), section.out());
        assertTrue(section.out().contains("store=postgres"), section.out());
        assertTrue(section.out().contains("schema=site"), section.out());
        // The tool's own application.conf still applies beneath the file.
        assertEquals(0, stare("--config", file.toString(), "config", "show", "pekko.persistence.journal.plugin").code());
        assertEquals("stare.middleware.mtu = 1500", stare("config", "show", "stare.middleware.mtu").out().strip(),
                "the file applied to its own run only");
    }

    @Test
    void badFilesAndPathsGetOneLine(@TempDir Path dir) throws Exception {
        Run missing = stare("--config", dir.resolve("nowhere.conf").toString(), "config", "show");
        assertEquals(1, missing.code());
        assertTrue(missing.err().strip().startsWith("stare: cannot read config file"), missing.err());
        Path broken = Files.writeString(dir.resolve("broken.conf"), "stare.middleware { mtu = \n");
        Run bad = stare("--config", broken.toString(), "config", "show");
        assertEquals(1, bad.code());
        assertEquals(1, bad.err().strip().lines().count(), bad.err());
        Run unknown = stare("config", "show", "stare.nothing.here");
        assertEquals(1, unknown.code());
        assertTrue(unknown.err().contains("no setting 'stare.nothing.here'"), unknown.err());
    }
}
