package io.stare.p4.bmv2;

import io.stare.p4.pipeline.PipelineResult;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Sends and captures raw Ethernet frames on the test side of the veth pairs, through the Python
 * helper {@code frames.py} (Java cannot open AF_PACKET sockets) run inside the namespace. Port
 * {@code i} is interface {@code vhI}. Only IPv4 frames are captured; the helper drops the rest.
 * Frames the switch sends pile up in the helper's sockets until {@link #collect}, so a caller
 * sending many frames collects every few dozen (a raw socket's buffer holds a few hundred).
 */
public final class FrameTap implements AutoCloseable {

    /** The helper exits by itself after this long, whatever happens to the JVM. */
    private static final int HELPER_LIFETIME_SECONDS = 300;

    private final Process process;
    private final BufferedWriter commands;
    private final BufferedReader replies;
    private final Cleanup.Handle cleanup;

    private FrameTap(Process process) {
        this.process = process;
        this.commands = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.US_ASCII));
        this.replies = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
        this.cleanup = Cleanup.register(() -> Host.stop(process, 1000));
    }

    /** Starts the helper on the namespace's test-side interfaces; {@code dir} receives the script. */
    public static FrameTap start(NetworkNamespace namespace, Path dir) throws IOException {
        Path script = dir.resolve("frames.py");
        try (InputStream in = FrameTap.class.getResourceAsStream("frames.py")) {
            if (in == null) {
                throw new IOException("frames.py is missing from the classpath");
            }
            Files.copy(in, script);
        }
        List<String> command = new ArrayList<>(List.of("python3", "-u", script.toString(),
                String.valueOf(HELPER_LIFETIME_SECONDS)));
        for (int port = 0; port < namespace.ports(); port++) {
            command.add(NetworkNamespace.testSide(port));
        }
        Process process = new ProcessBuilder(namespace.inside(command))
                .redirectError(dir.resolve("frames.log").toFile()).start();
        FrameTap tap = new FrameTap(process);
        try {
            String ready = tap.reply(Duration.ofSeconds(10));
            if (!"ready".equals(ready)) {
                throw new IOException("frames.py did not start: " + ready + " / "
                        + Files.readString(dir.resolve("frames.log")));
            }
        } catch (IOException | RuntimeException e) {
            tap.close();
            throw e;
        }
        return tap;
    }

    /** Sends {@code frame} into the switch's port {@code port}. */
    public synchronized void send(int port, byte[] frame) throws IOException {
        command("send " + port + " " + HexFormat.of().formatHex(frame));
        String reply = reply(Duration.ofSeconds(5));
        if (!"ok".equals(reply)) {
            throw new IOException("frames.py could not send: " + reply);
        }
    }

    /**
     * The IPv4 frames the switch sent since the last call: returns once {@code expected} have arrived
     * and no more for {@code quiet}, or after {@code max} in all.
     */
    public synchronized List<PipelineResult.Emission> collect(int expected, Duration max, Duration quiet) throws IOException {
        command("collect " + expected + " " + max.toMillis() + " " + quiet.toMillis());
        List<PipelineResult.Emission> frames = new ArrayList<>();
        Duration wait = max.plusSeconds(5);
        for (int lines = 0; lines < 10_000; lines++) {
            String line = reply(wait);
            if (line.equals("end")) {
                return frames;
            }
            String[] words = line.split(" ");
            if (words.length != 3 || !words[0].equals("frame")) {
                throw new IOException("frames.py said: " + line);
            }
            frames.add(new PipelineResult.Emission(Integer.parseInt(words[1]), HexFormat.of().parseHex(words[2])));
        }
        throw new IOException("frames.py sent more than 10000 lines");
    }

    private void command(String line) throws IOException {
        commands.write(line);
        commands.newLine();
        commands.flush();
    }

    /** The helper's next line, waiting at most {@code timeout}. */
    private String reply(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!replies.ready()) {
            if (!process.isAlive()) {
                throw new IOException("frames.py exited with " + process.exitValue());
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("frames.py did not answer within " + timeout);
            }
            try {
                TimeUnit.MILLISECONDS.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
        String line = replies.readLine();
        if (line == null) {
            throw new IOException("frames.py closed its output");
        }
        return line;
    }

    @Override
    public void close() {
        try {
            command("quit");
        } catch (IOException ignored) {
            // Already gone: stop() below makes sure.
        }
        cleanup.run();
    }
}
