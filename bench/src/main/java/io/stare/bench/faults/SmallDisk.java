package io.stare.bench.faults;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A small file system of the run's own (Linux tmpfs, mounted at a directory of the run), which a
 * fault fills to the last byte and empties again, as a disk that runs full looks to the process
 * writing on it. Mounting needs root (or CAP_SYS_ADMIN); where that is not given, {@link #mount}
 * says so with {@link ScenarioUnavailable}.
 */
final class SmallDisk implements AutoCloseable {

    private static final String FILLER = "filler";

    private final Path mountPoint;
    private final long bytes;

    private SmallDisk(Path mountPoint, long bytes) {
        this.mountPoint = mountPoint;
        this.bytes = bytes;
    }

    /**
     * Mounts a tmpfs of {@code bytes} at {@code mountPoint} (created if missing).
     *
     * @throws ScenarioUnavailable where this process may not mount
     */
    static SmallDisk mount(Path mountPoint, long bytes) throws ScenarioUnavailable, IOException {
        Files.createDirectories(mountPoint);
        if (isMountPoint(mountPoint)) {
            SystemCommand.run(List.of("umount", "-l", mountPoint.toString())); // left by a run that was killed
        }
        String failure = SystemCommand.run(List.of("mount", "-t", "tmpfs", "-o", "size=" + bytes + ",mode=0700", "tmpfs",
                mountPoint.toString()));
        if (failure != null) {
            throw new ScenarioUnavailable("cannot mount a small file system (tmpfs needs root): " + failure);
        }
        return new SmallDisk(mountPoint, bytes);
    }

    /** Where the file system is mounted. */
    Path path() {
        return mountPoint;
    }

    /** Writes a file until the file system has no byte left: every later write fails with ENOSPC. */
    void fill() throws IOException {
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(mountPoint.resolve(FILLER))) {
            // The write that finds no room fails after writing what fitted.
            for (long written = 0; written <= bytes; written += block.length) {
                out.write(block);
            }
            throw new IOException("wrote " + bytes + " bytes to a " + bytes + "-byte file system and it is not full");
        } catch (IOException full) {
            if (!String.valueOf(full.getMessage()).contains("No space left")) {
                throw full;
            }
        }
    }

    /** Deletes what {@link #fill} wrote: the disk has room again. */
    void free() throws IOException {
        Files.deleteIfExists(mountPoint.resolve(FILLER));
    }

    /** Unmounts (lazily: a process may still hold a file open). */
    @Override
    public void close() {
        SystemCommand.run(List.of("umount", "-l", mountPoint.toString()));
    }

    private static boolean isMountPoint(Path path) throws IOException {
        String target = path.toAbsolutePath().toString();
        return Files.readAllLines(Path.of("/proc/self/mounts")).stream()
                .map(line -> line.split(" "))
                .anyMatch(fields -> fields.length > 1 && fields[1].equals(target));
    }
}
