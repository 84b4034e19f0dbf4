package io.stare.bench.faults;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 17: the replica controller's PostgreSQL restarts under publishing (every connection reset,
 * new ones refused for 5 s): nothing lost, repeated or reordered; the journal's writes resume once
 * the database is back. Skipped where no PostgreSQL listens on 127.0.0.1:5432.
 */
@Timeout(300)
class PostgresRestartTest {

    @Test
    void aPostgresRestartLosesNothing() throws Exception {
        try (Socket probe = new Socket(FaultScenario.POSTGRES.getAddress(), FaultScenario.POSTGRES.getPort())) {
            probe.getInputStream(); // reachable
        } catch (java.io.IOException e) {
            Assumptions.abort("no PostgreSQL at " + FaultScenario.POSTGRES + ": " + e.getMessage());
        }
        FaultScenario.Outcome outcome = FaultScenario.POSTGRES_RESTARTED.run(FaultRuns.directory("postgres-restart"),
                200, 400, 800);
        System.out.println("postgres restart: " + outcome);
        assertTrue(outcome.nothingLost(), outcome.toString());
    }
}
