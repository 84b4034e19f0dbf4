package io.stare.actors.middleware.gateway;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Runs a short Python VNF (python3 -c) with the project's stare_client.py on its path. */
final class PythonVnfScript {

    private PythonVnfScript() {
    }

    /** What {@code lines} print (stdout and stderr), trimmed, once they have ended (within 30 s). */
    static String run(String... lines) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("python3", "-c", String.join("\n", lines)).redirectErrorStream(true);
        builder.environment().put("PYTHONPATH", Path.of("..", "clients", "python").toAbsolutePath().normalize()
                .toString());
        Process run = builder.start();
        String said = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(run.waitFor(30, TimeUnit.SECONDS), said);
        return said;
    }
}
