package io.stare.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * A VNF running as a process of its own (a Python VNF, a native one, a JVM in another process),
 * attached to one host's middleware through its TCP gateway. The process finds the gateway in the
 * environment variable {@value #GATEWAY_ENV} ({@code 127.0.0.1:PORT}), which the shipped Python
 * client's {@code connect()} reads by default. Its standard output and error are read line by line
 * into {@link #output()}; a test talks to it through lines: {@link #awaitLine} for what it printed,
 * {@link #send} for its standard input.
 *
 * <p>Started by {@link StareFabric#vnfProcess} or {@link StareFabric#pythonVnf}; the fabric kills it
 * when it closes, if the test has not. Every wait is bounded by the fabric's timeout.
 */
public final class VnfProcess implements AutoCloseable {

    /** The environment variable that carries the gateway's address, {@code host:port}. */
    public static final String GATEWAY_ENV = "STARE_GATEWAY";

    private final Process process;
    private final Duration timeout;
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;
    private final Writer stdin;

    private VnfProcess(Process process, Duration timeout, String name) {
        this.process = process;
        this.timeout = timeout;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.reader = new Thread(this::readLines, "vnf-process-" + name);
        reader.setDaemon(true);
        reader.start();
    }

    static VnfProcess start(InetSocketAddress gateway, Duration timeout, Path directory,
            Map<String, String> environment, List<String> command) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        if (directory != null) {
            builder.directory(directory.toFile());
        }
        builder.environment().putAll(environment);
        builder.environment().put(GATEWAY_ENV, gateway.getAddress().getHostAddress() + ":" + gateway.getPort());
        return new VnfProcess(builder.start(), timeout, Path.of(command.get(command.size() - 1)).getFileName().toString());
    }

    /**
     * Waits until the process has printed a line starting with {@code prefix} and returns the first
     * such line. Fails at once, with everything it printed, if it ends without; after the timeout
     * likewise.
     */
    public String awaitLine(String prefix) {
        Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(10))
                .until(() -> lineStarting(prefix) != null || exitedAndRead());
        String line = lineStarting(prefix);
        if (line == null) {
            throw new AssertionError("the VNF process ended (exit " + process.exitValue() + ") without a line starting "
                    + "with \"" + prefix + "\"; it printed: " + output());
        }
        return line;
    }

    /** Writes {@code line} and a newline to the process's standard input. */
    public void send(String line) {
        try {
            stdin.write(line);
            stdin.write('\n');
            stdin.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("the VNF process no longer reads its input; it printed: " + output(), e);
        }
    }

    /** Waits for the process to end (at most the timeout) and returns its exit code. */
    public int awaitExit() throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the VNF process did not end within " + timeout + "; it printed: " + output());
        }
        reader.join(timeout.toMillis());
        return process.exitValue();
    }

    /** Every line the process printed so far (standard output and error, interleaved as written). */
    public List<String> output() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** Whether the process is still running. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** Kills the process (and its descendants) if it still runs. */
    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private void readLines() {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                synchronized (lines) {
                    lines.add(line);
                }
            }
        } catch (IOException e) {
            // the process went away: what it printed before is kept
        }
    }

    private boolean exitedAndRead() {
        return !process.isAlive() && !reader.isAlive();
    }

    private String lineStarting(String prefix) {
        synchronized (lines) {
            for (String line : lines) {
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
            return null;
        }
    }
}
