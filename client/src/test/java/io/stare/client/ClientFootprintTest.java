package io.stare.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;

/**
 * The docs promise VNF writers a small artifact and print its footprint ("6 jars, 2.6 MB with its
 * dependencies"); this holds every such figure to the runtime class path this build resolves
 * ({@code target/runtime-classpath.txt}, written by the dependency plugin) plus the client itself.
 */
class ClientFootprintTest {

    private static final Pattern FIGURE = Pattern.compile("(\\d+) jars, (\\d+\\.\\d) MB");
    private static final List<Path> DOCS = List.of(Path.of("..", "README.md"), Path.of("..", "docs", "architecture.md"),
            Path.of("..", "docs", "vnf-api.md"), Path.of("..", "docs", "getting-started.md"));

    @Test
    void theDocsPrintTheClientsRealDependencyCountAndSize() throws IOException {
        List<Path> jars = new ArrayList<>();
        for (String entry : Files.readString(Path.of("target", "runtime-classpath.txt")).trim().split(java.io.File.pathSeparator)) {
            jars.add(Path.of(entry));
        }
        jars.add(Path.of("target", "classes")); // the client itself
        long bytes = 0;
        for (Path jar : jars) {
            bytes += Files.isDirectory(jar) ? zippedSize(jar) : Files.size(jar);
        }
        String megabytes = String.format(Locale.ROOT, "%.1f", bytes / 1_000_000.0);

        int figures = 0;
        for (Path doc : DOCS) {
            Matcher figure = FIGURE.matcher(Files.readString(doc));
            while (figure.find()) {
                figures++;
                assertEquals(jars.size() + " jars, " + megabytes + " MB", figure.group(), doc + " prints the client's footprint");
            }
        }
        assertEquals(DOCS.size(), figures, "every doc that names the client artifact prints its footprint once");
        assertFalse(jars.stream().anyMatch(jar -> jar.toString().contains("pekko")), "no Pekko: " + jars);
        assertTrue(bytes > 0);
    }

    /** A class directory's size as a jar: what a reactor build that stopped before packaging holds. */
    private static long zippedSize(Path directory) throws IOException {
        Counting counted = new Counting();
        try (ZipOutputStream zip = new ZipOutputStream(counted); Stream<Path> files = Files.walk(directory)) {
            for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                zip.putNextEntry(new ZipEntry(directory.relativize(file).toString()));
                Files.copy(file, zip);
                zip.closeEntry();
            }
        }
        return counted.bytes;
    }

    private static final class Counting extends OutputStream {
        long bytes;

        @Override
        public void write(int b) {
            bytes++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes += len;
        }
    }
}
