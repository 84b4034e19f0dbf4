package io.stare.actors.middleware;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The segments this server published, in one ring, from the moment a VNF publishes until the
 * backlog confirms them: VNF threads write (under the log's lock), the middleware's data path reads
 * them once to send and append them, and releases them when confirmed. One copy of each payload,
 * made at the API edge; nothing is allocated per publish.
 *
 * <p>The ring's capacity is a bound, not an allocation: its memory is taken in chunks as publishes
 * reach them and given back as the backlog confirms, so the log holds what the publish rate times
 * the confirmation delay needs (a few chunks for small updates, many for a burst of large ones while
 * the backlog catches up) and never more than its capacity.
 *
 * <pre>
 *   record (8-byte aligned, big-endian, never across a chunk's end):
 *    0      4        8                16    18    19    20          24              32
 *   +------+--------+----------------+-----+-----+-----+-----------+---------------+----------- - -
 *   |length| state  | update (64)    | vnf |tot-1| seg | payload   | appended at   | payload ...
 *   |      |        |                |     |     |     | length    | (nanos, or 0) |
 *   +------+--------+----------------+-----+-----+-----+-----------+---------------+----------- - -
 *   A record that would not fit before the end of its chunk is preceded by a padding record
 *   (length = -(bytes to the chunk's end)) and starts the next chunk.
 *
 *   positions (64-bit, never wrap):  head ≤ sent ≤ tail;  chunk of a position: slots[(position / chunk) mod slots]
 *     [head, sent)  sent and appended, not yet confirmed by the backlog
 *     [sent, tail)  published, not yet sent (the data path drains it next cycle)
 * </pre>
 * The log lives outside the middleware's actor, so a restart of the actor loses nothing the VNFs
 * were told was published: unsent records go out, unconfirmed ones are appended again. Backed by a
 * {@link PublishLogFile}, it outlives the process too: a new incarnation sends and appends again
 * whatever the old one left between head and tail ({@link #PublishLog(PublishLogFile, long)}).
 *
 * <p>Why above 400 lines: one ring whose cursors ({@code head ≤ sent ≤ tail}), chunk reuse and
 * record layout are read together by writers, the data path and the read-back after a crash; in
 * one file the ordering argument (records before the tail, chunks before the head) is checked in
 * one place.
 */
final class PublishLog {

    static final int HEADER = 32;
    /** Bytes of memory taken at a time: below G1's humongous size for any region size. */
    static final int DEFAULT_CHUNK = 256 << 10;
    /**
     * Chunks kept for reuse once released, at least; up to as many as hold records, so a log that
     * breathes with the backlog's confirmations reuses its chunks instead of churning the heap.
     */
    static final int SPARE_CHUNKS = 4;
    private static final int LENGTH = 0;
    private static final int STATE = 4;
    private static final int UPDATE = 8;
    private static final int VNF = 16;
    private static final int TOTAL = 18;
    private static final int SEGMENT = 19;
    private static final int PAYLOAD_LENGTH = 20;
    private static final int APPENDED_AT = 24;

    /**
     * What the data path does with one record; false stops the walk before it (to resume later).
     * {@code record} names the record for {@link #appendedAt} and {@link #markAppended}.
     */
    interface Visitor {
        boolean record(int stateId, int vnfId, long update, int totalSegments, int segmentNo, ByteBuffer buffer,
                       int payloadOffset, int payloadLength, long record);
    }

    /** Whether the backlog confirmed an update (the data path's bookkeeping). */
    interface Confirmations {
        boolean confirmed(int stateId, long update);
    }

    private final int capacity;
    private final int chunk;
    private final int chunkShift;
    private final int slotMask;
    private final long maxUnconfirmed;
    /**
     * The ring's chunks, null where no record lives. Set by writers under the lock before they
     * publish {@link #tail}; cleared by the data path under the lock once {@link #head} passed them.
     */
    private final ByteBuffer[] slots;
    /** The memory-mapped file the chunks live in, or null for heap chunks. */
    private final PublishLogFile file;
    /** Per state, the update after the highest one an earlier incarnation left in the file. */
    private final Map<Integer, Long> recoveredNext = new HashMap<>();
    /** Released chunks for the next writer (guarded by this). */
    private final ArrayDeque<ByteBuffer> spares = new ArrayDeque<>();
    private volatile long tail;
    private volatile long head;
    private long sent;
    /** Updates written (under the lock) and released (by the data path): their difference is bounded. */
    private long publishedUpdates;
    private volatile long releasedUpdates;
    /** Chunks holding records or kept spare, and those holding records (guarded by this). */
    private int chunksHeld;
    private int chunksInUse;
    /** Chunks ever allocated (guarded by this). */
    private long chunksAllocated;

    /**
     * @param minCapacity bytes the ring holds at most (rounded up to a power of two)
     * @param maxUnconfirmed updates published and not yet confirmed, at most
     */
    PublishLog(int minCapacity, long maxUnconfirmed) {
        this(minCapacity, maxUnconfirmed, DEFAULT_CHUNK);
    }

    /**
     * @param minCapacity bytes the ring holds at most (rounded up to a power of two)
     * @param maxUnconfirmed updates published and not yet confirmed, at most
     * @param chunkSize bytes of memory taken at a time (a power of two; at most half the capacity)
     */
    PublishLog(int minCapacity, long maxUnconfirmed, int chunkSize) {
        this(minCapacity, maxUnconfirmed, chunkSize, null);
    }

    /**
     * A log in {@code file}: whatever an earlier process left between the file's head and tail is
     * read back as published and not yet sent, so it goes out and to the backlog again (subscribers
     * drop the copies they already have); each state numbers on after its highest update found
     * ({@link #recoveredNext}). A record that does not parse ends what is read back (a torn last
     * write of a killed process).
     *
     * @param maxUnconfirmed updates published and not yet confirmed, at most
     */
    PublishLog(PublishLogFile file, long maxUnconfirmed) {
        this(file.capacity(), maxUnconfirmed, file.chunk(), file);
        long end = readBack(file.head(), file.tail());
        file.tail(end);
    }

    private PublishLog(int minCapacity, long maxUnconfirmed, int chunkSize, PublishLogFile file) {
        this.file = file;
        if (minCapacity < HEADER * 2 || minCapacity > (1 << 30)) {
            throw new IllegalArgumentException("publish log capacity " + minCapacity + " is out of range");
        }
        if (Integer.bitCount(chunkSize) != 1 || chunkSize < HEADER * 2) {
            throw new IllegalArgumentException("publish log chunk " + chunkSize + " is not a power of two >= 64");
        }
        this.capacity = Integer.highestOneBit(minCapacity - 1) << 1;
        this.chunk = Math.min(chunkSize, capacity / 2); // two chunks at least: a writer never waits for its own
        this.chunkShift = Integer.numberOfTrailingZeros(chunk);
        this.slots = new ByteBuffer[capacity / chunk];
        this.slotMask = slots.length - 1;
        this.maxUnconfirmed = maxUnconfirmed;
    }

    /** Reads the records in [from, to) back as published and unsent; returns where the readable ones end. */
    private long readBack(long from, long to) {
        head = from;
        sent = from;
        long position = from;
        while (position < to) {
            ByteBuffer buffer = chunkFor(position);
            int at = offset(position);
            int length = buffer.getInt(at + LENGTH);
            if (length < 0 && at - length == chunk) {
                position += -length; // padding to the chunk's end
                continue;
            }
            if (length < HEADER || (length & 7) != 0 || at + length > chunk || position + length > to
                    || recordLength(buffer.getInt(at + PAYLOAD_LENGTH)) != length
                    || (buffer.get(at + SEGMENT) & 0xff) > (buffer.get(at + TOTAL) & 0xff)) {
                break; // torn: the process died while writing it, before the tail covered it
            }
            if (buffer.get(at + SEGMENT) == buffer.get(at + TOTAL)) {
                publishedUpdates++;
                recoveredNext.merge(buffer.getInt(at + STATE), buffer.getLong(at + UPDATE) + 1, Math::max);
            }
            buffer.putLong(at + APPENDED_AT, 0);
            position += length;
        }
        tail = position;
        return position;
    }

    /**
     * Per state, the first update number an earlier process did not use: one past the highest it
     * left in the file. Empty for a new file or heap memory.
     */
    Map<Integer, Long> recoveredNext() {
        return Map.copyOf(recoveredNext);
    }

    /** Lets go of the file, if any (its records stay in it for the next process). */
    void close() {
        if (file != null) {
            file.close();
        }
    }

    /** The bytes a record with {@code payloadLength} bytes takes. */
    static int recordLength(int payloadLength) {
        return (HEADER + payloadLength + 7) & ~7;
    }

    int capacity() {
        return capacity;
    }

    /**
     * Writes one update as {@code segments} records of at most {@code segmentPayload} bytes each,
     * from {@code source[offset, offset + length)}; false (nothing written) when the ring or the
     * bound on unconfirmed updates has no room. The caller holds this log's lock.
     */
    boolean append(int stateId, int vnfId, long update, int segments, int segmentPayload, ByteBuffer source,
                   int offset, int length) {
        return write(stateId, vnfId, update, segments, segmentPayload, source, null, offset, length);
    }

    /** The same from an array. */
    boolean append(int stateId, int vnfId, long update, int segments, int segmentPayload, byte[] source,
                   int offset, int length) {
        return write(stateId, vnfId, update, segments, segmentPayload, null, source, offset, length);
    }

    private boolean write(int stateId, int vnfId, long update, int segments, int segmentPayload, ByteBuffer fromBuffer,
                          byte[] fromArray, int offset, int length) {
        if (publishedUpdates - releasedUpdates >= maxUnconfirmed) {
            return false;
        }
        if (recordLength(Math.min(segmentPayload, length)) > chunk) {
            throw new IllegalArgumentException("a segment of " + segmentPayload + " bytes does not fit a chunk of "
                    + chunk);
        }
        long start = tail;
        long end = start;
        int remaining = length;
        for (int s = 0; s < segments; s++) {
            int payload = Math.min(segmentPayload, remaining);
            remaining -= payload;
            end = place(end, recordLength(payload));
        }
        // The oldest chunk still in use must not be the one the end reaches around the ring to.
        if (end - (head & ~(chunk - 1L)) > capacity) {
            return false;
        }
        long position = start;
        int from = offset;
        remaining = length;
        for (int s = 0; s < segments; s++) {
            int payload = Math.min(segmentPayload, remaining);
            remaining -= payload;
            int recordLength = recordLength(payload);
            long placed = place(position, recordLength);
            if (placed - recordLength != position) {
                slots[slot(position)].putInt(offset(position), -(int) (placed - recordLength - position)); // padding
            }
            long at = placed - recordLength;
            ByteBuffer buffer = chunkFor(at);
            int i = offset(at);
            buffer.putInt(i + LENGTH, recordLength);
            buffer.putInt(i + STATE, stateId);
            buffer.putLong(i + UPDATE, update);
            buffer.putShort(i + VNF, (short) vnfId);
            buffer.put(i + TOTAL, (byte) (segments - 1));
            buffer.put(i + SEGMENT, (byte) s);
            buffer.putInt(i + PAYLOAD_LENGTH, payload);
            buffer.putLong(i + APPENDED_AT, 0);
            if (fromArray != null) {
                buffer.put(i + HEADER, fromArray, from, payload);
            } else {
                buffer.put(i + HEADER, fromBuffer, from, payload);
            }
            from += payload;
            position = placed;
        }
        publishedUpdates++;
        tail = position; // publishes the records (and their chunks) to the data path
        if (file != null) {
            file.tail(position); // after the records: a process killed before this line never told a VNF
        }
        return true;
    }

    /** The chunk for a record at {@code position}, taken now if it has none. Under the lock. */
    private ByteBuffer chunkFor(long position) {
        int slot = slot(position);
        ByteBuffer buffer = slots[slot];
        if (buffer == null && file != null) {
            buffer = file.chunk(slot);
            slots[slot] = buffer;
            chunksInUse++;
            chunksHeld = Math.max(chunksHeld, chunksInUse);
            chunksAllocated++;
        } else if (buffer == null) {
            buffer = spares.pollFirst();
            if (buffer == null) {
                buffer = ByteBuffer.allocate(chunk);
                chunksHeld++;
                chunksAllocated++;
            }
            slots[slot] = buffer;
            chunksInUse++;
        }
        return buffer;
    }

    /** Where a record of {@code length} bytes written at {@code position} ends (after a padding if it crosses a chunk). */
    private long place(long position, int length) {
        int index = offset(position);
        if (index + length > chunk) {
            position += chunk - index;
        }
        return position + length;
    }

    private int slot(long position) {
        return (int) (position >>> chunkShift) & slotMask;
    }

    private int offset(long position) {
        return (int) position & (chunk - 1);
    }

    /** Whether records wait to be sent. Any thread. */
    boolean hasUnsent() {
        return tail != sent;
    }

    /** Visits the records not yet sent, in order; those the visitor accepts count as sent. Data path only. */
    int drainUnsent(Visitor visitor) {
        long end = tail;
        int visited = 0;
        while (sent < end) {
            int length = slots[slot(sent)].getInt(offset(sent) + LENGTH);
            if (length < 0) {
                sent += -length;
                continue;
            }
            if (!visit(visitor, sent)) {
                break;
            }
            sent += length;
            visited++;
        }
        return visited;
    }

    /**
     * Visits the records sent and not yet confirmed, oldest first (appends to send again). Data path
     * only.
     */
    void forEachUnconfirmed(Confirmations confirmations, Visitor visitor) {
        for (long position = head; position < sent; ) {
            ByteBuffer buffer = slots[slot(position)];
            int at = offset(position);
            int length = buffer.getInt(at + LENGTH);
            if (length < 0) {
                position += -length;
                continue;
            }
            if (!confirmations.confirmed(buffer.getInt(at + STATE), buffer.getLong(at + UPDATE))
                    && !visit(visitor, position)) {
                return;
            }
            position += length;
        }
    }

    /** Frees the oldest records while the backlog has confirmed them, and the chunks they leave. Data path only. */
    void release(Confirmations confirmations) {
        long position = head;
        long released = releasedUpdates;
        while (position < sent) {
            ByteBuffer buffer = slots[slot(position)];
            int at = offset(position);
            int length = buffer.getInt(at + LENGTH);
            if (length < 0) {
                position += -length;
                continue;
            }
            if (!confirmations.confirmed(buffer.getInt(at + STATE), buffer.getLong(at + UPDATE))) {
                break;
            }
            if (buffer.get(at + SEGMENT) == buffer.get(at + TOTAL)) {
                released++; // the last segment of its update
            }
            position += length;
        }
        long from = head >>> chunkShift;
        long to = position >>> chunkShift;
        if (to != from) {
            giveBack(from, to); // before head moves: a writer that sees the new head may reuse those slots
        }
        releasedUpdates = released;
        head = position;
        if (file != null) {
            file.head(position);
        }
    }

    /** The chunks in [from, to) (chunk numbers) hold no record any more. */
    private synchronized void giveBack(long from, long to) {
        int freed = 0;
        for (long c = from; c < to; c++) {
            freed += slots[(int) c & slotMask] != null ? 1 : 0;
        }
        chunksInUse -= freed;
        int keep = Math.max(SPARE_CHUNKS, chunksInUse);
        for (long c = from; c < to; c++) {
            int slot = (int) c & slotMask;
            ByteBuffer buffer = slots[slot];
            slots[slot] = null;
            if (buffer == null || file != null) {
                continue; // a file's chunks stay mapped
            }
            if (spares.size() < keep) {
                spares.addLast(buffer);
            } else {
                chunksHeld--;
            }
        }
    }

    /** When a record was last appended (0: never). Data path only. */
    long appendedAt(long record) {
        return slots[slot(record)].getLong(offset(record) + APPENDED_AT);
    }

    /** Notes that a record was appended now. Data path only. */
    void markAppended(long record, long nanos) {
        slots[slot(record)].putLong(offset(record) + APPENDED_AT, nanos == 0 ? 1 : nanos);
    }

    /** Updates published and not yet confirmed (approximate from other threads). */
    long unconfirmedUpdates() {
        synchronized (this) {
            return publishedUpdates - releasedUpdates;
        }
    }

    /** Bytes published and not yet released (approximate from other threads). */
    long usedBytes() {
        return tail - head;
    }

    /** Bytes of memory the log holds now: chunks with records and spare ones. */
    synchronized long heldBytes() {
        return (long) chunksHeld * chunk;
    }

    /** Chunks allocated since the log was made (reuse keeps it flat in a steady stream). */
    synchronized long chunksAllocated() {
        return chunksAllocated;
    }

    private boolean visit(Visitor visitor, long position) {
        ByteBuffer buffer = slots[slot(position)];
        int at = offset(position);
        return visitor.record(buffer.getInt(at + STATE), buffer.getShort(at + VNF) & 0xffff, buffer.getLong(at + UPDATE),
                (buffer.get(at + TOTAL) & 0xff) + 1, buffer.get(at + SEGMENT) & 0xff, buffer, at + HEADER,
                buffer.getInt(at + PAYLOAD_LENGTH), position);
    }
}
