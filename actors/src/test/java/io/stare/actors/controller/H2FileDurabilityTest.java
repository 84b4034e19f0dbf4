package io.stare.actors.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.stare.protocol.time.TimeFactor;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A controller node killed (SIGKILL, the OOM killer) keeps what its h2-file store committed: H2's
 * default write delay kept committed changes in memory for up to half a second, and a process
 * killed right after confirming backlog entries left a file without them (without even the table
 * they went into). The writer runs in a process of its own, opening the store as the controller
 * does, and is killed as soon as it says its last commit returned.
 */
class H2FileDurabilityTest {

    private static final int ROWS = 200;

    @Test
    void whatTheStoreCommittedSurvivesTheProcessBeingKilled(@TempDir Path directory) throws Exception {
        Path file = directory.resolve("controller");
        Process writer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Writer.class.getName(), file.toString())
                .redirectErrorStream(true).start();
        try (BufferedReader said = new BufferedReader(new InputStreamReader(writer.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line = said.readLine();
            assertEquals("committed " + ROWS, line, "the writer said");
        } finally {
            writer.destroyForcibly(); // SIGKILL: no shutdown hook closes the database
            assertTrue(writer.waitFor(TimeFactor.dilated(Duration.ofSeconds(30)).toMillis(), TimeUnit.MILLISECONDS),
                    "the writer ended");
        }
        try (Connection connection = DriverManager.getConnection("jdbc:h2:file:" + file, "sa", "");
             Statement statement = connection.createStatement();
             ResultSet count = statement.executeQuery("SELECT COUNT(*) FROM confirmed")) {
            count.next();
            assertEquals(ROWS, count.getInt(1), "rows committed before the kill");
        }
    }

    /** Commits {@link #ROWS} rows one by one into the h2-file store at args[0], says so, waits to be killed. */
    static final class Writer {
        public static void main(String[] args) throws Exception {
            String url = ControllerStore.configure(ConfigFactory.parseString(
                            "stare.persistence.store = h2-file\nstare.persistence.h2-file.path = \"" + args[0] + "\"")
                            .withFallback(ConfigFactory.load()))
                    .getString("pekko-persistence-jdbc.shared-databases.slick.db.url");
            try (Connection connection = DriverManager.getConnection(url, "sa", "");
                 Statement statement = connection.createStatement()) {
                statement.execute("CREATE TABLE confirmed (n INT PRIMARY KEY)");
                for (int n = 0; n < ROWS; n++) {
                    statement.execute("INSERT INTO confirmed VALUES (" + n + ")");
                }
                System.out.println("committed " + ROWS);
                System.out.flush();
                System.in.readAllBytes();
            }
        }
    }
}
