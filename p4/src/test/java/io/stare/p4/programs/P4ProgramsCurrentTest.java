package io.stare.p4.programs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The committed p4c outputs under {@code src/main/p4/out} must be what p4c makes of the committed
 * sources. Runs where p4c is installed (on PATH, or named by {@code STARE_P4C}); skipped otherwise.
 * Regenerate with the command in docs/dataplane.md.
 */
class P4ProgramsCurrentTest {

    /** Output name, source program and preprocessor definitions, as in the documented command. */
    @ParameterizedTest
    @CsvSource({"stare_register,stare_register,", "stare_embedded,stare_embedded,",
            "stare_register_4096,stare_register,-DSTATE_CAPACITY=4096",
            "stare_register_8192,stare_register,-DSTATE_CAPACITY=8192"})
    void committedOutputsMatchTheSources(String output, String source, String define, @TempDir Path out)
            throws Exception {
        String p4c = p4c();
        assumeTrue(p4c != null, "p4c not found on PATH and STARE_P4C not set: skipping the P4 output check");

        // Same relative source path as the documented command, so source_info matches.
        List<String> command = new ArrayList<>(List.of(p4c, "--target", "bmv2", "--arch", "v1model", "--std", "p4-16"));
        if (define != null) {
            command.add(define);
        }
        command.addAll(List.of("-o", out.toString(), "--p4runtime-files", out.resolve(source + ".p4info.txt").toString(),
                "src/main/p4/" + source + ".p4"));
        String program = output;
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String log = new String(process.getInputStream().readAllBytes());
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "p4c did not finish in 120 s");
        assertEquals(0, process.exitValue(), "p4c failed:\n" + log);

        Path committed = Path.of("src/main/p4/out");
        assertEquals(Files.readString(committed.resolve(program + ".p4info.txt")),
                Files.readString(out.resolve(source + ".p4info.txt")),
                program + ".p4info.txt is stale: regenerate it (docs/dataplane.md)");
        assertEquals(withoutProgramPath(Files.readString(committed.resolve(program + ".json"))),
                withoutProgramPath(Files.readString(out.resolve(source + ".json"))),
                program + ".json is stale: regenerate it (docs/dataplane.md)");
    }

    /** The JSON names the preprocessed file it came from, which depends on the output folder. */
    private static String withoutProgramPath(String json) {
        return json.replaceAll("\"program\" : \"[^\"]*\"", "\"program\" : \"\"");
    }

    private static String p4c() throws IOException {
        String configured = System.getenv("STARE_P4C");
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "p4c");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }
}
