package io.stare.actors.middleware.gateway;

import static io.stare.actors.middleware.gateway.GatewayFabric.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.client.PublishResult;
import io.stare.client.StareClient;
import io.stare.testing.Commands;
import io.stare.testing.TestTime;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Python client against the gateway: {@code clients/python/interop_check.py} runs as a
 * subprocess (skipped where {@code python3} is absent); a Python VNF and an in-JVM VNF on another
 * server exchange updates both ways.
 */
@Timeout(60)
class VnfGatewayPythonTest {

    private static final int COUNT = 25;

    @Test
    void aPythonVnfAndAJavaVnfExchangeUpdates() throws Exception {
        Path script = Path.of("..", "clients", "python", "interop_check.py").toAbsolutePath().normalize();
        Assumptions.assumeTrue(Files.isRegularFile(script), "no " + script);
        Assumptions.assumeTrue(python3Works(), "python3 is not available");

        try (GatewayFabric fabric = new GatewayFabric(1024)) {
            StareClient jvm = fabric.vnf(1, "java-vnf");
            await(jvm.declare("jvm-state"));
            Process python = new ProcessBuilder("python3", script.toString(), "127.0.0.1",
                    String.valueOf(fabric.gateway.localAddress().getPort()), "py-state", "jvm-state",
                    String.valueOf(COUNT))
                    .directory(script.getParent().toFile())
                    .redirectErrorStream(true)
                    .start();
            List<String> output = new ArrayList<>();
            CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> readLines(python, output));
            try {
                String ready = awaitLine(output, "READY", python);
                int pythonVnf = Integer.parseInt(ready.split(" ")[1]);
                VnfGatewayTest.Heard heard = new VnfGatewayTest.Heard();
                await(jvm.subscribe("py-state", heard));
                for (int i = 0; i < COUNT; i++) {
                    assertInstanceOf(PublishResult.Published.class,
                            await(jvm.publish("jvm-state", ("jvm#" + i).getBytes(StandardCharsets.UTF_8))));
                }
                Writer stdin = new OutputStreamWriter(python.getOutputStream(), StandardCharsets.UTF_8);
                stdin.write("GO\n");
                stdin.flush();

                assertTrue(python.waitFor(30, TimeUnit.SECONDS), "the Python check did not finish: " + output);
                reader.get(5, TimeUnit.SECONDS);
                assertEquals(0, python.exitValue(), "Python said: " + output);
                assertTrue(output.stream().anyMatch(line -> line.startsWith("OK")), "Python said: " + output);
                VnfGatewayTest.eventually(() -> heard.size() >= COUNT, COUNT + " updates from Python");
                for (int i = 0; i < COUNT; i++) {
                    assertArrayEquals(("py#" + i).getBytes(StandardCharsets.UTF_8), heard.values().get(i));
                }
                assertTrue(pythonVnf >= 0);
            } finally {
                python.destroyForcibly();
                jvm.close();
            }
        }
    }

    private static boolean python3Works() {
        return Commands.runs("python3", "--version");
    }

    private static void readLines(Process process, List<String> output) {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                synchronized (output) {
                    output.add(line);
                }
            }
        } catch (Exception e) {
            // the process went away
        }
    }

    private static String awaitLine(List<String> output, String prefix, Process process) {
        // Until the line is there, or the process has ended without it.
        TestTime.eventually(Duration.ofSeconds(20), () -> org.junit.jupiter.api.Assertions.assertTrue(
                lineStarting(output, prefix) != null || !process.isAlive(), "waiting for " + prefix));
        String line = lineStarting(output, prefix);
        org.junit.jupiter.api.Assertions.assertNotNull(line, "no " + prefix + " line from Python: " + output);
        return line;
    }

    private static String lineStarting(List<String> output, String prefix) {
        synchronized (output) {
            for (String line : output) {
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
            return null;
        }
    }
}
