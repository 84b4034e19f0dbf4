package io.stare.bench.faults;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.testing.Commands;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 17, item 3: a subscriber's middleware is killed ({@code SIGKILL}) mid-stream and started
 * again. Its VNFs, a Java one ({@code StareClient.connect}) and a Python one
 * ({@code stare_client.py}, where python3 runs), reconnect by themselves and resume from the update
 * after the last they got: every acknowledged update reaches them once and in order (or is
 * declared lost), as it reaches the subscriber on the server that stayed up.
 */
@Timeout(300)
class SubscriberRestartTest {

    private static final Path PYTHON_SUBSCRIBER = Path.of("src", "test", "python", "sequence_subscriber.py");
    private static final Path PYTHON_CLIENT = Path.of("..", "clients", "python");

    @Test
    void subscribersOfAKilledMiddlewareReconnectAndResumeWhereTheyWere() throws Exception {
        Path run = FaultRuns.directory("subscriber-restart");
        List<String> pythonSaid = new ArrayList<>();
        FaultScenario.Outcome outcome = FaultScenario.SUBSCRIBER_MIDDLEWARE_KILLED.run(run, 200, 300, 600,
                (deployment, traffic) -> pythonSubscriber(deployment, traffic, run, pythonSaid));
        String report = outcome + "; python said (last lines): "
                + pythonSaid.subList(Math.max(0, pythonSaid.size() - 3), pythonSaid.size());
        System.out.println("subscriber restart: " + report);
        assertTrue(outcome.nothingLost(), report);
        if (python3Runs()) {
            assertTrue(outcome.tallies().containsKey("python@h2"), report);
            String reconnects = pythonSaid.stream().filter(l -> l.startsWith("RECONNECTS")).findFirst().orElse("");
            assertTrue(reconnects.matches("RECONNECTS [1-9]\\d*"), report);
        }
    }

    /**
     * Starts the Python subscriber on h2 (where python3 runs), feeding what it prints to a check of
     * the traffic's; closing it tells it to stop, and waits for its last line.
     */
    private static AutoCloseable pythonSubscriber(ProcessDeployment deployment, SequenceTraffic traffic, Path run,
                                                  List<String> said) {
        if (!Files.isRegularFile(PYTHON_SUBSCRIBER) || !python3Runs()) {
            System.out.println("subscriber restart: python3 is not available; only the Java subscribers run");
            return () -> { };
        }
        SequenceCheck check = traffic.external("python@h2");
        Process python;
        try {
            ProcessBuilder builder = new ProcessBuilder("python3", PYTHON_SUBSCRIBER.toAbsolutePath().toString(),
                    "127.0.0.1", String.valueOf(deployment.gateway("h2").getPort()), "python-subscriber", "positions")
                    .redirectError(run.resolve("python-subscriber.err").toFile());
            builder.environment().put("PYTHONPATH", PYTHON_CLIENT.toAbsolutePath().normalize().toString());
            python = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread reader = new Thread(() -> read(python, check, said), "python-subscriber-reader");
        reader.setDaemon(true);
        reader.start();
        return () -> {
            python.getOutputStream().close(); // its cue to print RECONNECTS and stop
            if (!python.waitFor(30, TimeUnit.SECONDS)) {
                python.destroyForcibly();
            }
            reader.join(5_000);
        };
    }

    private static void read(Process python, SequenceCheck check, List<String> said) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(python.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                String[] fields = line.split(" ");
                synchronized (check) {
                    if (fields[0].equals("U")) {
                        check.delivered(Long.parseLong(fields[1]), HexFormat.of().parseHex(fields[2]));
                    } else if (fields[0].equals("L")) {
                        check.lost(Long.parseLong(fields[1]), Long.parseLong(fields[2]));
                    }
                }
                synchronized (said) {
                    said.add(line);
                }
            }
        } catch (IOException e) {
            // the process ended
        }
    }

    private static boolean python3Runs() {
        return Commands.runs("python3", "--version");
    }
}
