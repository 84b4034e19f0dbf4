package io.stare.bench.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A command of the machine's ({@code mount}, {@code ip}) that the fault suite runs and waits for. */
final class SystemCommand {

    private static final long TIMEOUT_SECONDS = 30;

    private SystemCommand() {
    }

    /** Runs {@code command}; null when it succeeded, else what it printed (or why it could not run). */
    static String run(List<String> command) {
        Result result = execute(command);
        return result.exit == 0 ? null : String.join(" ", command) + ": " + result.output;
    }

    /** Runs {@code command} and returns what it printed, or "" when it failed. */
    static String output(List<String> command) {
        Result result = execute(command);
        return result.exit == 0 ? result.output : "";
    }

    private record Result(int exit, String output) {
    }

    private static Result execute(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            // Commands here print a few lines at most: the pipe's buffer holds them until the end.
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Result(-1, "did not end within " + TIMEOUT_SECONDS + " s");
            }
            return new Result(process.exitValue(),
                    new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
        } catch (IOException e) {
            return new Result(-1, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }
}
