package io.stare.bench.rules;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The fields of a Linux {@code /proc/PID/status} file a memory measurement needs: the process name
 * (to check the PID is the switch's) and its resident set size, {@code VmRSS}, which is what the
 * paper measured for BMv2. The kernel writes sizes in units of 1024 bytes and labels them "kB".
 *
 * @param name the {@code Name:} field (the kernel keeps the first 15 bytes of the command's name)
 * @param residentBytes {@code VmRSS} in bytes
 */
public record ProcStatus(String name, long residentBytes) {

    private static final String NAME = "Name:";
    private static final String VM_RSS = "VmRSS:";

    /**
     * Parses the text of a status file.
     *
     * @throws IllegalArgumentException if it has no {@code VmRSS} line (a kernel thread, a process
     *     that has just exited) or the line is not {@code VmRSS: <number> kB}
     */
    public static ProcStatus parse(String text) {
        String name = "";
        Long resident = null;
        for (String line : text.split("\n")) {
            if (line.startsWith(NAME)) {
                name = line.substring(NAME.length()).trim();
            } else if (line.startsWith(VM_RSS)) {
                resident = kibibytes(line.substring(VM_RSS.length()).trim(), line) * 1024;
            }
        }
        if (resident == null) {
            throw new IllegalArgumentException("no VmRSS line in the status of process '" + name + "'");
        }
        return new ProcStatus(name, resident);
    }

    /** Reads and parses {@code /proc/PID/status}. */
    public static ProcStatus read(long pid) throws IOException {
        Path file = Path.of("/proc", String.valueOf(pid), "status");
        try {
            return parse(Files.readString(file));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    private static long kibibytes(String value, String line) {
        String[] words = value.split("\\s+");
        if (words.length != 2 || !words[1].equals("kB")) {
            throw new IllegalArgumentException("unexpected VmRSS line: " + line);
        }
        try {
            long kib = Long.parseLong(words[0]);
            if (kib < 0) {
                throw new IllegalArgumentException("negative VmRSS: " + line);
            }
            return kib;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("unexpected VmRSS line: " + line, e);
        }
    }
}
