package io.stare.actors.middleware;

import java.nio.ByteBuffer;

/**
 * The segments this server published, in one ring, from the moment a VNF publishes until the
 * backlog confirms them: VNF threads write (under the log's lock), the middleware's data path reads
 * them once to send and append them, and releases them when confirmed. One copy of each payload,
 * made at the API edge; nothing is allocated per publish.
 *
 * <pre>
 *   record (8-byte aligned, big-endian):
 *    0      4        8                16    18    19    20          24              32
 *   +------+--------+----------------+-----+-----+-----+-----------+---------------+----------- - -
 *   |length| state  | update (64)    | vnf |tot-1| seg | payload   | appended at   | payload ...
 *   |      |        |                |     |     |     | length    | (nanos, or 0) |
 *   +------+--------+----------------+-----+-----+-----+-----------+---------------+----------- - -
 *   A record that would not fit before the end of the ring is preceded by a padding record
 *   (length = -(bytes to the end)) and starts at 0.
 *
 *   positions (64-bit, never wrap):  head ≤ sent ≤ tail
 *     [head, sent)  sent and appended, not yet confirmed by the backlog
 *     [sent, tail)  published, not yet sent (the data path drains it next cycle)
 * </pre>
 * The log lives outside the middleware's actor, so a restart of the actor loses nothing the VNFs
 * were told was published: unsent records go out, unconfirmed ones are appended again.
 */
final class PublishLog {

    static final int HEADER = 32;
    private static final int LENGTH = 0;
    private static final int STATE = 4;
    private static final int UPDATE = 8;
    private static final int VNF = 16;
    private static final int TOTAL = 18;
    private static final int SEGMENT = 19;
    private static final int PAYLOAD_LENGTH = 20;
    private static final int APPENDED_AT = 24;

    /** What the data path does with one record; false stops the walk before it (to resume later). */
    interface Visitor {
        boolean record(int stateId, int vnfId, long update, int totalSegments, int segmentNo, ByteBuffer buffer,
                       int payloadOffset, int payloadLength, int recordIndex);
    }

    /** Whether the backlog confirmed an update (the data path's bookkeeping). */
    interface Confirmations {
        boolean confirmed(int stateId, long update);
    }

    private final int capacity;
    private final int mask;
    private final long maxUnconfirmed;
    private ByteBuffer buffer; // allocated by the first publish: servers that never publish pay nothing
    private volatile long tail;
    private volatile long head;
    private long sent;
    /** Updates written (under the lock) and released (by the data path): their difference is bounded. */
    private long publishedUpdates;
    private volatile long releasedUpdates;

    /**
     * @param minCapacity bytes the ring holds at least (rounded up to a power of two)
     * @param maxUnconfirmed updates published and not yet confirmed, at most
     */
    PublishLog(int minCapacity, long maxUnconfirmed) {
        if (minCapacity < HEADER * 2 || minCapacity > (1 << 30)) {
            throw new IllegalArgumentException("publish log capacity " + minCapacity + " is out of range");
        }
        this.capacity = Integer.highestOneBit(minCapacity - 1) << 1;
        this.mask = capacity - 1;
        this.maxUnconfirmed = maxUnconfirmed;
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
        long start = tail;
        long end = start;
        int remaining = length;
        for (int s = 0; s < segments; s++) {
            int payload = Math.min(segmentPayload, remaining);
            remaining -= payload;
            end = place(end, recordLength(payload));
        }
        if (end - head > capacity) {
            return false;
        }
        if (buffer == null) {
            buffer = ByteBuffer.allocate(capacity);
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
                buffer.putInt((int) (position & mask), -(int) (placed - recordLength - position)); // padding
            }
            int at = (int) ((placed - recordLength) & mask);
            buffer.putInt(at + LENGTH, recordLength);
            buffer.putInt(at + STATE, stateId);
            buffer.putLong(at + UPDATE, update);
            buffer.putShort(at + VNF, (short) vnfId);
            buffer.put(at + TOTAL, (byte) (segments - 1));
            buffer.put(at + SEGMENT, (byte) s);
            buffer.putInt(at + PAYLOAD_LENGTH, payload);
            buffer.putLong(at + APPENDED_AT, 0);
            if (fromArray != null) {
                buffer.put(at + HEADER, fromArray, from, payload);
            } else {
                buffer.put(at + HEADER, fromBuffer, from, payload);
            }
            from += payload;
            position = placed;
        }
        publishedUpdates++;
        tail = position; // publishes the records to the data path
        return true;
    }

    /** Where a record of {@code length} bytes written at {@code position} ends (after a padding if it wraps). */
    private long place(long position, int length) {
        int index = (int) (position & mask);
        if (index + length > capacity) {
            position += capacity - index;
        }
        return position + length;
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
            int at = (int) (sent & mask);
            int length = buffer.getInt(at + LENGTH);
            if (length < 0) {
                sent += -length;
                continue;
            }
            if (!visit(visitor, at)) {
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
            int at = (int) (position & mask);
            int length = buffer.getInt(at + LENGTH);
            if (length < 0) {
                position += -length;
                continue;
            }
            if (!confirmations.confirmed(buffer.getInt(at + STATE), buffer.getLong(at + UPDATE)) && !visit(visitor, at)) {
                return;
            }
            position += length;
        }
    }

    /** Frees the oldest records while the backlog has confirmed them. Data path only. */
    void release(Confirmations confirmations) {
        long position = head;
        long released = releasedUpdates;
        while (position < sent) {
            int at = (int) (position & mask);
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
        releasedUpdates = released;
        head = position;
    }

    /** When a record was last appended (0: never). Data path only. */
    long appendedAt(int recordIndex) {
        return buffer.getLong(recordIndex + APPENDED_AT);
    }

    /** Notes that a record was appended now. Data path only. */
    void markAppended(int recordIndex, long nanos) {
        buffer.putLong(recordIndex + APPENDED_AT, nanos == 0 ? 1 : nanos);
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

    private boolean visit(Visitor visitor, int at) {
        return visitor.record(buffer.getInt(at + STATE), buffer.getShort(at + VNF) & 0xffff, buffer.getLong(at + UPDATE),
                (buffer.get(at + TOTAL) & 0xff) + 1, buffer.get(at + SEGMENT) & 0xff, buffer, at + HEADER,
                buffer.getInt(at + PAYLOAD_LENGTH), at);
    }
}
