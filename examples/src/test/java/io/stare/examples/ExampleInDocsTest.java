package io.stare.examples;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The example VNF that docs/getting-started.md shows is the one this module builds and tests as a
 * separate project (maven-invoker-plugin, in the integration-test phase): every source file of
 * {@code flow-counter/} appears in the guide verbatim, so the guide cannot drift from code that
 * compiles and passes.
 */
class ExampleInDocsTest {

    private static final Path EXAMPLE = Path.of("flow-counter");
    private static final Path GUIDE = Path.of("..", "docs", "getting-started.md");

    @Test
    void everyExampleSourceIsInTheGuideVerbatim() throws IOException {
        String guide = Files.readString(GUIDE);
        List<Path> sources;
        try (Stream<Path> files = Files.walk(EXAMPLE.resolve("src"))) {
            sources = files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        }
        assertFalse(sources.isEmpty(), "no example sources under " + EXAMPLE.toAbsolutePath());
        for (Path source : sources) {
            String code = Files.readString(source).strip();
            assertTrue(guide.contains(code), source + " is not in " + GUIDE + " as it is in the example project");
        }
    }
}
