package io.stare.actors.middleware;

import java.util.HashMap;
import java.util.Map;

/**
 * The updates a VNF's full inbound queue turned away, per state, to be read again from the backlog
 * in order: a VNF that falls behind (a catch-up burst after a restart, a slow TCP reader) gets every
 * update the backlog still holds, and a loss notice only for what it no longer holds.
 *
 * <p>Once a state has turned an update away, its later live deliveries are turned away too (the
 * range grows), so the VNF sees the state in order: first what the backlog re-reads, then, once the
 * reads have caught up with the range, the live stream again. One read per state is in flight; its
 * size is bounded by the queue's room when it is asked. Not thread-safe: the INT module guards it.
 */
final class CatchUp {

    /** Updates read per request at most: a bounded answer on the cluster's control channel. */
    static final int MAX_READ = 256;

    /** A backlog read to ask for: {@code first..last} of {@code stateId}, published by {@code publisherVnfId}. */
    record Read(int stateId, int publisherVnfId, long first, long last) {
    }

    private static final class Range {
        final int publisherVnfId;
        long from;
        long to;
        boolean asked;
        int fruitless;

        Range(int publisherVnfId, long from, long to) {
            this.publisherVnfId = publisherVnfId;
            this.from = from;
            this.to = to;
        }
    }

    private final Map<Integer, Range> behind = new HashMap<>();
    private final int maxAttempts;

    /**
     * @param maxAttempts answers in a row that bring nothing of a range's oldest update before it is
     *     reported lost (the backlog holds only part of it, or the answers are cut short)
     */
    CatchUp(int maxAttempts) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts " + maxAttempts + " must be at least 1");
        }
        this.maxAttempts = maxAttempts;
    }

    /** Whether nothing is held back. */
    boolean isEmpty() {
        return behind.isEmpty();
    }

    /**
     * Whether the state's live deliveries are held back; if so the range now reaches {@code last}
     * (the update, or a loss notice's last update, that arrived live and is read again later).
     */
    boolean holds(int stateId, long last) {
        Range range = behind.get(stateId);
        if (range == null) {
            return false;
        }
        range.to = Math.max(range.to, last);
        return true;
    }

    /** The queue turned {@code first..last} of a state away that was not held back yet. */
    void turnedAway(int stateId, int publisherVnfId, long first, long last) {
        behind.put(stateId, new Range(publisherVnfId, first, last));
    }

    /** The oldest update of the state still to be read again, -1 if none. */
    long oldestHeld(int stateId) {
        Range range = behind.get(stateId);
        return range == null ? -1 : range.from;
    }

    /**
     * The next read to ask for, of at most {@code room} updates, or null (nothing behind, every
     * range asked already, or no room). Marks it asked.
     */
    Read next(int room) {
        if (room <= 0) {
            return null;
        }
        for (Map.Entry<Integer, Range> entry : behind.entrySet()) {
            Range range = entry.getValue();
            if (!range.asked) {
                range.asked = true;
                long last = Math.min(range.to, range.from + Math.min(room, MAX_READ) - 1);
                return new Read(entry.getKey(), range.publisherVnfId, range.from, last);
            }
        }
        return null;
    }

    /**
     * A read was answered and delivered up to, not including, {@code next}; returns whether the
     * state is still behind. An answer that brought nothing leaves the range where it was.
     */
    boolean answered(Read read, long next) {
        Range range = behind.get(read.stateId());
        if (range == null || range.from != read.first()) {
            return range != null; // not the read in flight (a range started anew meanwhile)
        }
        range.asked = false;
        range.fruitless = next > range.from ? 0 : range.fruitless;
        range.from = next;
        if (range.from > range.to) {
            behind.remove(read.stateId());
            return false;
        }
        return true;
    }

    /**
     * A read's answer brought nothing of its first update: whether that was the last attempt, so
     * the update is to be reported lost (and {@link #answered} past it).
     */
    boolean fruitless(Read read) {
        Range range = behind.get(read.stateId());
        if (range == null || range.from != read.first() || ++range.fruitless < maxAttempts) {
            return false;
        }
        range.fruitless = 0;
        return true;
    }

    /** A read got no answer (a node down, a shard moving): it may be asked again; this does not count. */
    void unanswered(Read read) {
        Range range = behind.get(read.stateId());
        if (range != null && range.from == read.first()) {
            range.asked = false;
        }
    }

    /** Forgets everything (the VNF left). */
    void clear() {
        behind.clear();
    }
}
