package io.stare.bench.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Where a fault test's processes run and log: {@code target/faults/NAME}, emptied first, kept after. */
final class FaultRuns {

    private FaultRuns() {
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
