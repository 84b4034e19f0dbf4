package io.stare.bench.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;

/**
 * One STARE role ({@code stare controller}, {@code softswitch}, {@code middleware}, ...) run as an
 * operator runs it: a JVM of its own, started with the tool's arguments, its output in a log file
 * per incarnation. It can be killed ({@code SIGKILL}), stopped ({@code SIGTERM}) and started again
 * with the same arguments.
 */
public final class RoleProcess implements AutoCloseable {

    private static final String MAIN = "io.stare.deploy.StareCommand";

    private final String name;
    private final List<String> launcher;
    private final List<String> arguments;
    private final java.util.Map<String, String> environment;
    private final Path directory;
    private final List<String> jvmOptions;
    private final Duration timeout;
    private Process process;
    private Thread reaper;
    private Path log;
    private int incarnation;

    /**
     * @param name for log files and messages ("h1", "controller-2")
     * @param launcher what runs the JVM's command line (e.g. {@code ip netns exec NS}); empty: nothing
     * @param arguments the {@code stare} arguments ("middleware", "--server-id", "h1", ...)
     * @param directory the working directory and where the logs go
     * @param environment variables set for the role, over this JVM's environment
     * @param jvmOptions options for the role's JVM
     * @param timeout how long a wait for the role's output lasts
     */
    public RoleProcess(String name, List<String> launcher, List<String> arguments, Path directory,
                       java.util.Map<String, String> environment, List<String> jvmOptions, Duration timeout) {
        this.name = name;
        this.launcher = List.copyOf(launcher);
        this.arguments = List.copyOf(arguments);
        this.environment = java.util.Map.copyOf(environment);
        this.directory = directory;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.timeout = timeout;
    }

    /** The role's name. */
    public String name() {
        return name;
    }

    /**
     * The running incarnation's resident memory in KiB (Linux's {@code /proc/PID/status} VmRSS), or
     * -1 where that cannot be read (not running, not Linux).
     */
    public synchronized long residentKiB() {
        if (process == null || !process.isAlive()) {
            return -1;
        }
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()),
                    "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (java.io.IOException | NumberFormatException unreadable) {
            return -1;
        }
        return -1;
    }

    /** Starts a new incarnation (the previous one must have ended). */
    public synchronized RoleProcess start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " is still running");
        }
        incarnation++;
        log = directory.resolve(name + "-" + incarnation + ".log");
        List<String> command = new ArrayList<>(launcher);
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(absoluteClassPath()); // the role runs in its own directory
        command.add(MAIN);
        command.addAll(arguments);
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment().putAll(environment);
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name, e);
        }
        if (reaper == null) {
            // A JVM that ends without closing this (a test interrupted, Ctrl-C) takes its roles along.
            reaper = new Thread(this::close, "reap-" + name);
            Runtime.getRuntime().addShutdownHook(reaper);
        }
        return this;
    }

    /**
     * Waits until this incarnation printed a line matching {@code regex} and returns the match (its
     * groups); fails with the log's tail if the process ends first or the timeout passes.
     */
    public Matcher awaitLine(String regex) {
        Pattern pattern = Pattern.compile(regex);
        Matcher[] found = new Matcher[1];
        try {
            Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(50)).until(() -> {
                found[0] = firstMatch(pattern);
                return found[0] != null || !process.isAlive();
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(name + " printed no line matching " + regex + " within " + timeout + ":\n"
                    + tail(), e);
        }
        if (found[0] == null && (found[0] = firstMatch(pattern)) == null) {
            throw new AssertionError(name + " ended (exit " + process.exitValue() + ") without a line matching "
                    + regex + ":\n" + tail());
        }
        return found[0];
    }

    /** Kills this incarnation at once ({@code SIGKILL}): no shutdown hook, no goodbye to the cluster. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops this incarnation as Ctrl-C or Kubernetes would ({@code SIGTERM}) and waits for it to end. */
    public void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(name + " did not end within " + timeout + " of SIGTERM:\n" + tail());
        }
    }

    /** Waits for this incarnation to end by itself (a one-off command) and returns its exit code. */
    public int awaitExit() throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(name + " did not end within " + timeout + ":\n" + tail());
        }
        return process.exitValue();
    }

    /** Every line this incarnation printed so far. */
    public List<String> lines() {
        try {
            return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.ISO_8859_1) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether this incarnation runs. */
    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** The last lines this incarnation printed. */
    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        if (process != null) {
            process.destroyForcibly();
        }
    }

    /** This JVM's class path with every entry made absolute. */
    private static String absoluteClassPath() {
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            entries.add(entry.isEmpty() ? entry : Path.of(entry).toAbsolutePath().toString());
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    private Matcher firstMatch(Pattern pattern) {
        List<String> lines;
        try {
            lines = Files.exists(log) ? Files.readAllLines(log, StandardCharsets.ISO_8859_1) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String line : lines) {
            Matcher matcher = pattern.matcher(line);
            if (matcher.find()) {
                return matcher;
            }
        }
        return null;
    }
}
