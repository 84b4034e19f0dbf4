package io.stare.bench.latency;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What a measured stretch cost the whole machine: CPU time (every process, from
 * {@code /proc/stat}), system calls and context switches (every process, from
 * {@code perf stat -a}). Whole-machine, because a broker's server is a process of its own while
 * STARE's whole fabric is in the benchmark's JVM: counting only this process would charge STARE for
 * everything and a broker for its client. The load generator's pacing (it spins for the last 50 µs
 * before each update) is in every system's figure alike, and so is whatever else runs: measure on an
 * otherwise idle machine.
 *
 * <p>System calls need {@code perf} with the {@code raw_syscalls} tracepoint (root, or a permissive
 * {@code perf_event_paranoid}); without it they are unknown (NaN) and the CPU time is still read.
 */
final class SystemCost {

    /** What a stretch cost, summed; divide by what it delivered with {@link #per}. */
    record Reading(double cpuSeconds, long syscalls, long contextSwitches, boolean counted) {
        static final Reading NONE = new Reading(0, 0, 0, true);

        Reading plus(Reading other) {
            return new Reading(cpuSeconds + other.cpuSeconds, syscalls + other.syscalls,
                    contextSwitches + other.contextSwitches, counted && other.counted);
        }

        /** Per delivered update: CPU µs, system calls and context switches (NaN when not counted or nothing delivered). */
        LatencyBenchmark.Cost per(long delivered) {
            if (delivered <= 0) {
                return LatencyBenchmark.Cost.UNKNOWN;
            }
            return new LatencyBenchmark.Cost(cpuSeconds * 1e6 / delivered,
                    counted ? (double) syscalls / delivered : Double.NaN,
                    counted ? (double) contextSwitches / delivered : Double.NaN);
        }
    }

    private static final Path PROC_STAT = Path.of("/proc/stat");
    /** USER_HZ: /proc/stat counts in hundredths of a second on Linux. */
    private static final double TICKS_PER_SECOND = 100.0;

    private final long busyTicksBefore;
    private final Process perf;
    private final Path perfOutput;

    private SystemCost(long busyTicksBefore, Process perf, Path perfOutput) {
        this.busyTicksBefore = busyTicksBefore;
        this.perf = perf;
        this.perfOutput = perfOutput;
    }

    /** Starts counting now, for a stretch of about {@code seconds} (perf counts until it ends). */
    static SystemCost start(double seconds) {
        Process perf = null;
        Path output = null;
        try {
            output = Files.createTempFile("stare-perf", ".csv");
            perf = new ProcessBuilder("perf", "stat", "-a", "-x", ",", "-o", output.toString(),
                    "-e", "raw_syscalls:sys_enter,context-switches", "--", "sleep",
                    String.format(java.util.Locale.ROOT, "%.3f", seconds))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            perf = null; // no perf here: system calls stay unknown
        }
        return new SystemCost(busyTicks(), perf, output);
    }

    /** Stops counting (waits for perf's stretch to end) and reads what the stretch cost. */
    Reading stop() {
        double cpu = (busyTicks() - busyTicksBefore) / TICKS_PER_SECOND;
        long syscalls = -1;
        long switches = -1;
        try {
            if (perf != null && perf.waitFor(10, TimeUnit.SECONDS) && perf.exitValue() == 0) {
                for (String line : Files.readAllLines(perfOutput, StandardCharsets.UTF_8)) {
                    String[] fields = line.split(",");
                    if (fields.length > 2 && fields[0].matches("\\d+")) {
                        if (fields[2].startsWith("raw_syscalls:sys_enter")) {
                            syscalls = Long.parseLong(fields[0]);
                        } else if (fields[2].startsWith("context-switches")) {
                            switches = Long.parseLong(fields[0]);
                        }
                    }
                }
            }
        } catch (IOException | InterruptedException | NumberFormatException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        } finally {
            if (perf != null) {
                perf.destroy();
            }
            if (perfOutput != null) {
                try {
                    Files.deleteIfExists(perfOutput);
                } catch (IOException ignored) {
                    // a temporary file; the OS cleans up
                }
            }
        }
        boolean counted = syscalls >= 0 && switches >= 0;
        return new Reading(cpu, Math.max(0, syscalls), Math.max(0, switches), counted);
    }

    /** Busy CPU time of the whole machine so far, in ticks (user, nice, system, irq, softirq, steal). */
    private static long busyTicks() {
        try {
            List<String> lines = Files.readAllLines(PROC_STAT, StandardCharsets.US_ASCII);
            String[] cpu = lines.get(0).trim().split("\\s+");
            long busy = 0;
            for (int i : new int[] {1, 2, 3, 6, 7, 8}) {
                busy += i < cpu.length ? Long.parseLong(cpu[i]) : 0;
            }
            return busy;
        } catch (IOException | RuntimeException e) {
            return 0; // not Linux: CPU time unknown (reads as 0)
        }
    }
}
