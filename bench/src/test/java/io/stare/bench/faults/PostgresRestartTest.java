package io.stare.bench.faults;

import static org.junit.jupiter.api.Assertions.assertTrue;

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
        FaultRuns.requirePostgres();
        FaultScenario.Outcome outcome = FaultRuns.run(FaultScenario.POSTGRES_RESTARTED, "postgres-restart", 200, 400,
                800);
        assertTrue(outcome.nothingLost(), outcome.toString());
    }
}
