package io.stare.actors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The shape issue 16 asked of this module, kept: actors thin, and a long class says why at its top.
 * (Package cycles are checked across all modules by {@code PackageCycleTest} in {@code examples}.)
 */
class ArchitectureTest {

    private static final Path SOURCES = Path.of("src", "main", "java");
    private static final int LONG = 400;
    private static final String REASON = "Why above " + LONG + " lines:";

    @Test
    void everyClassAboveFourHundredLinesSaysWhyAtItsTop() throws IOException {
        List<String> unexplained = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(SOURCES)) {
            files = walk.filter(p -> p.toString().endsWith(".java")).toList();
        }
        assertFalse(files.isEmpty(), "no sources under " + SOURCES.toAbsolutePath());
        for (Path file : files) {
            List<String> lines = Files.readAllLines(file);
            if (lines.size() <= LONG) {
                continue;
            }
            // The class's own Javadoc: everything before its declaration.
            int declaration = 0;
            while (declaration < lines.size() && !lines.get(declaration).matches("(public )?(final )?(abstract )?"
                    + "(class|interface|record|enum) .*")) {
                declaration++;
            }
            if (!String.join("\n", lines.subList(0, declaration)).contains(REASON)) {
                unexplained.add(SOURCES.relativize(file) + " (" + lines.size() + " lines)");
            }
        }
        assertEquals(List.of(), unexplained, "classes above " + LONG + " lines whose Javadoc has no '" + REASON + "'");
    }
}
