package io.stare.actors.middleware;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The {@link PublishLog}'s memory as a file, so that what a server's VNFs were told was published
 * outlives the middleware's process: its chunks are regions of a memory-mapped file, and a small
 * mapped header holds the ring's head and tail. A process killed at any instant ({@code SIGKILL})
 * leaves every store it made in the kernel's page cache, which writes it to the file; the next
 * incarnation reads the records between head and tail and owes them to the backlog again, and
 * numbers each state on from the highest update it finds. (A machine that loses power loses what
 * the kernel had not written yet: the file is never synced.)
 *
 * <p>One process at a time: the file is locked, and a second middleware for the same server is
 * refused with a clear error.
 *
 * <pre>
 *   header file (4 KiB):  0 magic "STARELOG" | 8 version | 12 chunk | 16 capacity (64) | 24 head (64) | 32 tail (64)
 *   data file: capacity bytes, sparse; chunk i of the ring is bytes [i * chunk, (i + 1) * chunk)
 * </pre>
 */
final class PublishLogFile implements AutoCloseable {

    private static final long MAGIC = 0x53544152454C4F47L; // "STARELOG"
    private static final int VERSION = 1;
    private static final int HEADER_BYTES = 4096;
    private static final int MAGIC_AT = 0;
    private static final int VERSION_AT = 8;
    private static final int CHUNK_AT = 12;
    private static final int CAPACITY_AT = 16;
    private static final int HEAD_AT = 24;
    private static final int TAIL_AT = 32;

    private final Path data;
    private final FileChannel dataChannel;
    private final FileChannel headerChannel;
    private final FileLock lock;
    private final MappedByteBuffer header;
    private final int chunk;
    private final int capacity;
    private final ByteBuffer[] chunks;

    private PublishLogFile(Path data, FileChannel dataChannel, FileChannel headerChannel, FileLock lock,
                           MappedByteBuffer header, int chunk, int capacity) {
        this.data = data;
        this.dataChannel = dataChannel;
        this.headerChannel = headerChannel;
        this.lock = lock;
        this.header = header;
        this.chunk = chunk;
        this.capacity = capacity;
        this.chunks = new ByteBuffer[capacity / chunk];
    }

    /**
     * Opens (or makes) the publish log of server {@code serverId} in {@code directory}. When the
     * file holds records of an earlier incarnation, its own geometry is kept (so they can be read,
     * whatever the configuration says now); otherwise {@code capacity} and {@code chunk} apply.
     *
     * @throws IllegalStateException when another process holds this server's log
     */
    static PublishLogFile open(Path directory, String serverId, int capacity, int chunk) {
        try {
            Files.createDirectories(directory);
            Path data = directory.resolve("publish-log-" + serverId);
            Path headerPath = directory.resolve("publish-log-" + serverId + ".head");
            FileChannel headerChannel = FileChannel.open(headerPath, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = headerChannel.tryLock();
            } catch (OverlappingFileLockException sameJvm) {
                lock = null;
            }
            if (lock == null) {
                headerChannel.close();
                throw new IllegalStateException("another middleware for server " + serverId + " holds its publish log "
                        + headerPath + "; one process per server");
            }
            MappedByteBuffer header = headerChannel.map(FileChannel.MapMode.READ_WRITE, 0, HEADER_BYTES);
            boolean holdsRecords = header.getLong(MAGIC_AT) == MAGIC && header.getInt(VERSION_AT) == VERSION
                    && header.getLong(TAIL_AT) > header.getLong(HEAD_AT);
            if (holdsRecords) {
                chunk = header.getInt(CHUNK_AT);
                capacity = (int) header.getLong(CAPACITY_AT);
            } else {
                header.putLong(HEAD_AT, 0).putLong(TAIL_AT, 0).putInt(CHUNK_AT, chunk).putLong(CAPACITY_AT, capacity)
                        .putInt(VERSION_AT, VERSION).putLong(MAGIC_AT, MAGIC);
            }
            FileChannel dataChannel = FileChannel.open(data, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE, StandardOpenOption.SPARSE);
            return new PublishLogFile(data, dataChannel, headerChannel, lock, header, chunk, capacity);
        } catch (IOException e) {
            throw new UncheckedIOException("could not open the publish log of server " + serverId + " in " + directory, e);
        }
    }

    /** The ring's bytes (the file's, if it held records). */
    int capacity() {
        return capacity;
    }

    /** The ring's chunk size (the file's, if it held records). */
    int chunk() {
        return chunk;
    }

    /** The head the previous incarnation left (0 for a new file). */
    long head() {
        return header.getLong(HEAD_AT);
    }

    /** The tail the previous incarnation left. */
    long tail() {
        return header.getLong(TAIL_AT);
    }

    void head(long position) {
        header.putLong(HEAD_AT, position);
    }

    void tail(long position) {
        header.putLong(TAIL_AT, position);
    }

    /** Chunk {@code slot} of the ring, mapped on first use and kept mapped. */
    ByteBuffer chunk(int slot) {
        ByteBuffer mapped = chunks[slot];
        if (mapped == null) {
            try {
                mapped = dataChannel.map(FileChannel.MapMode.READ_WRITE, (long) slot * chunk, chunk);
            } catch (IOException e) {
                throw new UncheckedIOException("could not map chunk " + slot + " of " + data, e);
            }
            chunks[slot] = mapped;
        }
        return mapped;
    }

    @Override
    public void close() {
        try {
            lock.release();
            headerChannel.close();
            dataChannel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
