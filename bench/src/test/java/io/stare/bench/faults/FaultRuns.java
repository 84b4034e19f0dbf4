package io.stare.bench.faults;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/** Where a fault test's processes run and log: {@code target/faults/NAME}, emptied first, kept after. */
final class FaultRuns {

    /** The tag of tests too slow for every build: {@code ./mvnw -Pslow -pl bench -am test} runs them. */
    static final String SLOW = "slow";

    private FaultRuns() {
    }

    /**
     * Runs {@code scenario} in {@code target/faults/NAME}; skips the test (with the reason) where the
     * scenario cannot run on this machine.
     */
    static FaultScenario.Outcome run(FaultScenario scenario, String name, int perSecond, int before, int after)
            throws Exception {
        try {
            FaultScenario.Outcome outcome = scenario.run(directory(name), perSecond, before, after);
            System.out.println(name + ": " + outcome);
            return outcome;
        } catch (ScenarioUnavailable e) {
            Assumptions.abort(scenario.description() + ": " + e.getMessage());
            throw new AssertionError("unreachable", e);
        }
    }

    /** Skips the test where no PostgreSQL listens where the scenarios expect it. */
    static void requirePostgres() {
        try (Socket probe = new Socket(FaultScenario.POSTGRES.getAddress(), FaultScenario.POSTGRES.getPort())) {
            probe.getInputStream(); // reachable
        } catch (IOException e) {
            Assumptions.abort("no PostgreSQL at " + FaultScenario.POSTGRES + ": " + e.getMessage());
        }
    }

    static Path directory(String name) throws IOException {
        Path directory = Path.of("target", "faults", name).toAbsolutePath();
        if (Files.exists(directory)) {
            try (Stream<Path> old = Files.walk(directory)) {
                old.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
        return Files.createDirectories(directory);
    }
}
