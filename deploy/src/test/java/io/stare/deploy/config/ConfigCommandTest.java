package io.stare.deploy.config;

import io.stare.deploy.Cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code stare --config FILE} and {@code stare config show}. */
class ConfigCommandTest {


    @Test
    void aConfigFileWinsOverTheDefaultsForThisRunOnly(@TempDir Path dir) throws Exception {
        assertEquals("stare.middleware.mtu = 1500", Cli.run("config", "show", "stare.middleware.mtu").out().strip());
        Path file = Files.writeString(dir.resolve("site.conf"), """
                stare.middleware.mtu = 9000
                stare.persistence { store = postgres, postgres.schema = site }
                """);
        Cli run = Cli.run("--config", file.toString(), "config", "show", "stare.middleware.mtu");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals("stare.middleware.mtu = 9000", run.out().strip());
        Cli section = Cli.run("--config", file.toString(), "config", "show", "stare.persistence");
        assertTrue(section.out().startsWith("stare.persistence {"), section.out());
        assertTrue(section.out().contains("store=postgres"), section.out());
        assertTrue(section.out().contains("schema=site"), section.out());
        // The tool's own application.conf still applies beneath the file.
        assertEquals(0, Cli.run("--config", file.toString(), "config", "show", "pekko.persistence.journal.plugin").exitCode());
        assertEquals("stare.middleware.mtu = 1500", Cli.run("config", "show", "stare.middleware.mtu").out().strip(),
                "the file applied to its own run only");
    }

    @Test
    void badFilesAndPathsGetOneLine(@TempDir Path dir) throws Exception {
        Cli missing = Cli.run("--config", dir.resolve("nowhere.conf").toString(), "config", "show");
        assertEquals(1, missing.exitCode());
        assertTrue(missing.err().strip().startsWith("stare: cannot read config file"), missing.err());
        Path broken = Files.writeString(dir.resolve("broken.conf"), "stare.middleware { mtu = \n");
        Cli bad = Cli.run("--config", broken.toString(), "config", "show");
        assertEquals(1, bad.exitCode());
        assertEquals(1, bad.err().strip().lines().count(), bad.err());
        Cli unknown = Cli.run("config", "show", "stare.nothing.here");
        assertEquals(1, unknown.exitCode());
        assertTrue(unknown.err().contains("no setting 'stare.nothing.here'"), unknown.err());
    }
}
