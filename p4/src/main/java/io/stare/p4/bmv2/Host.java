package io.stare.p4.bmv2;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What this machine offers BMv2 runs (the integration tests and {@code stare bench rules --bmv2}):
 * the tools they need, root rights, and bounded command execution. {@link #missing()} says why
 * BMv2 cannot run here, for a JUnit assumption or a one-line message.
 */
public final class Host {

    /** The environment variable that may name the BMv2 binary (default: simple_switch_grpc on PATH). */
    public static final String BMV2_VARIABLE = "STARE_BMV2";

    private Host() {
    }

    /** The BMv2 P4Runtime switch, if installed. */
    public static Optional<Path> bmv2() {
        String configured = System.getenv(BMV2_VARIABLE);
        if (configured != null && !configured.isBlank()) {
            Path path = Path.of(configured);
            return Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
        }
        return onPath("simple_switch_grpc");
    }

    /** An executable named {@code name} on PATH. */
    static Optional<Path> onPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Why BMv2 is not found, with how to point at it, or empty if it is: the variable is checked
     * first because a set but wrong {@value #BMV2_VARIABLE} hides a binary on PATH.
     */
    public static Optional<String> bmv2NotFound() {
        if (bmv2().isPresent()) {
            return Optional.empty();
        }
        String configured = System.getenv(BMV2_VARIABLE);
        if (configured != null && !configured.isBlank()) {
            return Optional.of("BMv2 not found: " + BMV2_VARIABLE + "=" + configured
                    + " is not an executable file (point it at simple_switch_grpc, or unset it to search PATH)");
        }
        return Optional.of("BMv2 not found: simple_switch_grpc is not on PATH and " + BMV2_VARIABLE
                + " is not set (put it on PATH or set " + BMV2_VARIABLE + "=/path/to/simple_switch_grpc)");
    }

    /** Why BMv2 cannot run here, or empty if it can. */
    public static Optional<String> missing() {
        List<String> missing = new ArrayList<>();
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            missing.add("Linux");
        }
        if (bmv2().isEmpty()) {
            missing.add("simple_switch_grpc (on PATH or named by " + BMV2_VARIABLE + ")");
        }
        if (onPath("ip").isEmpty()) {
            missing.add("ip (iproute2)");
        }
        if (onPath("python3").isEmpty()) {
            missing.add("python3");
        }
        if (!isRoot()) {
            missing.add("root rights (network namespaces, raw sockets)");
        }
        return missing.isEmpty() ? Optional.empty()
                : Optional.of("BMv2 cannot run here, missing: " + String.join(", ", missing));
    }

    private static boolean isRoot() {
        try {
            return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"));
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Runs a short command to completion (at most {@code seconds}) and returns its output; fails if it
     * exits non-zero or takes too long (it is then killed).
     */
    static String run(int seconds, String... command) throws IOException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish in " + seconds + " s");
            }
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed (" + process.exitValue() + "): " + output);
            }
            return output;
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + String.join(" ", command), e);
        }
    }

    /** Ends a process we started and its children: SIGTERM, then SIGKILL after a grace period. */
    static void stop(Process process, long graceMillis) {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(graceMillis, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(graceMillis, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    /** Deletes a directory tree this harness created; best effort. */
    static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    System.err.println("stare-bmv2: cannot delete " + path + ": " + e);
                }
            });
        } catch (IOException e) {
            System.err.println("stare-bmv2: cannot delete " + root + ": " + e);
        }
    }
}
