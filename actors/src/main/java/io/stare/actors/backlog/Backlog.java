package io.stare.actors.backlog;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import io.stare.protocol.control.Recovered;
import io.stare.protocol.segment.MissingUpdate;
import io.stare.protocol.segment.Segment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * Why above 400 lines: it is one data structure whose segments,
 * horizon and cap keep each other's invariants, and it is already plain Java, tested on its own.
 *
 * <p>One state's backlog of published segments at the replica controller: what RECOVER is answered
 * from, truncated as subscribers confirm what they hold, and capped so memory stays bounded
 * whatever the subscribers do.
 *
 * <p>Everything below the <em>horizon</em> (an update number) is gone, by truncation or by the cap;
 * a request for it is answered "truncated" so the subscriber reports an unrecoverable gap rather
 * than waiting forever. A request for something at or above the horizon that the backlog does not
 * hold yet is left out of the answer (not truncated): the backlog may still receive it, and the
 * subscriber asks again.
 *
 * <p>Plain Java, not thread-safe: the sharded entity that owns the state drives it.
 */
public final class Backlog {

    /** What became of an appended segment. */
    public enum Appended {
        /** Kept. */
        STORED,
        /** Already held: a retransmission or a publisher's repair. */
        DUPLICATE,
        /** Below the horizon: truncated already, not kept. */
        TOO_OLD,
        /** Its TOT_SEG disagrees with segments of the same update already held; not kept. */
        INCONSISTENT
    }

    /**
     * One update held, whole or in part. A one-segment update (the common case) holds its segment
     * directly; a longer one an array indexed by segment number.
     */
    private static final class Update {
        final int totalSegments;
        Segment single;
        Segment[] parts;
        int held;

        Update(int totalSegments) {
            this.totalSegments = totalSegments;
            if (totalSegments > 1) {
                parts = new Segment[totalSegments];
            }
        }

        Segment get(int segmentNo) {
            return parts == null ? (segmentNo == 0 ? single : null) : parts[segmentNo];
        }

        boolean put(Segment segment) {
            if (get(segment.segmentNo()) != null) {
                return false;
            }
            if (parts == null) {
                single = segment;
            } else {
                parts[segment.segmentNo()] = segment;
            }
            held++;
            return true;
        }

        void forEach(java.util.function.Consumer<Segment> action) {
            if (parts == null) {
                if (single != null) {
                    action.accept(single);
                }
                return;
            }
            for (Segment part : parts) {
                if (part != null) {
                    action.accept(part);
                }
            }
        }
    }

    /**
     * Everything a backlog holds, as plain data: what an event-sourced owner snapshots.
     *
     * @param horizon the first update still held or to come
     * @param latest the newest update ever appended, or -1
     * @param evictedByCap segments dropped by the cap so far
     * @param segments every segment held, by update and segment number
     */
    public record Snapshot(int stateId, long horizon, long latest, long evictedByCap,
                           @JsonSerialize(using = SegmentsCbor.Writer.class)
                           @JsonDeserialize(using = SegmentsCbor.Reader.class) List<Segment> segments) {
        public Snapshot {
            segments = List.copyOf(segments);
        }
    }

    /**
     * The most update numbers the ring spans: an update further than this beyond the horizon
     * moves the horizon up (what lies below is dropped as if by the cap), so a publisher that jumps
     * its numbering cannot make the backlog allocate without bound.
     */
    static final int MAX_SPAN = 1 << 22;

    private final int stateId;
    private BacklogLimits limits;
    /**
     * The updates held, in a ring over update numbers: update {@code u} sits at {@code u & mask} and
     * every held update lies in {@code [horizon, horizon + ring.length)}. Updates arrive almost in
     * order, so this costs one array slot per update and no search (a TreeMap of TreeMaps did).
     */
    private Update[] ring = new Update[16];
    private int mask = 15;
    private int held;
    /** The oldest held update is at or above this (a hint that only moves up). */
    private long oldestHint;
    private long horizon;
    private long latest = -1;
    private long bytes;
    private long segmentCount;
    private long evictedByCap;

    public Backlog(int stateId, BacklogLimits limits) {
        this.stateId = stateId;
        this.limits = limits;
    }

    public int stateId() {
        return stateId;
    }

    /** The backlog of a snapshot, as it was. */
    public static Backlog of(Snapshot snapshot, BacklogLimits limits) {
        Backlog backlog = new Backlog(snapshot.stateId(), limits);
        backlog.horizon = snapshot.horizon();
        backlog.oldestHint = snapshot.horizon();
        for (Segment segment : snapshot.segments()) {
            backlog.append(segment);
        }
        backlog.latest = Math.max(backlog.latest, snapshot.latest());
        backlog.evictedByCap = snapshot.evictedByCap();
        return backlog;
    }

    /** A copy of everything held. */
    public Snapshot snapshot() {
        List<Segment> kept = new ArrayList<>();
        forEachHeld((u, update) -> update.forEach(kept::add));
        return new Snapshot(stateId, horizon, latest, evictedByCap, kept);
    }

    /** Applies another cap from now on, dropping the oldest updates at once if it is exceeded. */
    public void limit(BacklogLimits newLimits) {
        this.limits = java.util.Objects.requireNonNull(newLimits, "limits");
        enforceCap();
    }

    /** What {@link #append} would do with the segment, without doing it. */
    public Appended classify(Segment segment) {
        checkState(segment);
        if (segment.update() < horizon) {
            return Appended.TOO_OLD;
        }
        Update update = find(segment.update());
        if (update == null) {
            return Appended.STORED;
        }
        if (update.totalSegments != segment.totalSegments()) {
            return Appended.INCONSISTENT;
        }
        return update.get(segment.segmentNo()) != null ? Appended.DUPLICATE : Appended.STORED;
    }

    /** Keeps a published segment, evicting the oldest updates if the cap is exceeded. */
    public Appended append(Segment segment) {
        checkState(segment);
        long u = segment.update();
        if (u < horizon) {
            return Appended.TOO_OLD;
        }
        Update update = find(u);
        if (update == null) {
            update = new Update(segment.totalSegments());
            place(u, update);
        }
        if (update.totalSegments != segment.totalSegments()) {
            return Appended.INCONSISTENT;
        }
        if (!update.put(segment)) {
            return Appended.DUPLICATE;
        }
        bytes += segment.payloadLength();
        segmentCount++;
        latest = Math.max(latest, u);
        enforceCap();
        return Appended.STORED;
    }

    /** Answers a RECOVER: the segments held, and what is truncated, for each missing piece. */
    public Recovered recover(long requestId, List<MissingUpdate> missing) {
        return recover(requestId, missing, Long.MAX_VALUE);
    }

    /**
     * Answers a RECOVER with at most {@code maxBytes} of payload (at least one segment): the
     * segments held in the order asked, and what is truncated. What does not fit is left out, as
     * if not held yet, and the subscriber asks again; since requests start at the subscriber's
     * oldest gap, each answer lets it deliver and move on.
     */
    public Recovered recover(long requestId, List<MissingUpdate> missing, long maxBytes) {
        List<Segment> found = new ArrayList<>();
        List<MissingUpdate> truncated = new ArrayList<>();
        long budget = maxBytes;
        for (MissingUpdate wanted : missing) {
            if (wanted.update() < horizon) {
                truncated.add(wanted);
                continue;
            }
            Update update = find(wanted.update());
            if (update == null) {
                continue;
            }
            List<Segment> pieces = new ArrayList<>();
            if (wanted.isWhole()) {
                update.forEach(pieces::add);
            } else {
                for (int segmentNo : wanted.segments()) {
                    Segment piece = segmentNo < update.totalSegments ? update.get(segmentNo) : null;
                    if (piece != null) {
                        pieces.add(piece);
                    }
                }
            }
            for (Segment segment : pieces) {
                if (!found.isEmpty() && segment.payloadLength() > budget) {
                    budget = -1;
                    break;
                }
                found.add(segment);
                budget -= segment.payloadLength();
            }
        }
        return new Recovered(requestId, stateId, found, truncated, latest);
    }

    /**
     * Drops every update below {@code update}: the subscribers all hold them. Truncation never
     * moves the horizon back, and never past the newest update plus one.
     *
     * @return the number of segments dropped
     */
    public long truncateBelow(long update) {
        long target = Math.min(update, latest + 1);
        long dropped = 0;
        while (held > 0 && oldestHeld() < target) {
            dropped += drop(oldestHeld());
        }
        horizon = Math.max(horizon, target);
        oldestHint = Math.max(oldestHint, horizon);
        return dropped;
    }

    /** The TOT_SEG of an update held (whole or in part), or empty when it is not held. */
    public OptionalInt totalSegmentsOf(long update) {
        Update found = find(update);
        return found == null ? OptionalInt.empty() : OptionalInt.of(found.totalSegments);
    }

    /** Whether every segment of the update is held. */
    public boolean holdsWhole(long update) {
        Update found = find(update);
        return found != null && found.held == found.totalSegments;
    }

    /** The first update still held or to come; everything below it is gone. */
    public long horizon() {
        return horizon;
    }

    /** The newest update ever appended, or -1. */
    public long latestUpdate() {
        return latest;
    }

    /** Payload bytes held. */
    public long bytes() {
        return bytes;
    }

    /** Segments held. */
    public long segments() {
        return segmentCount;
    }

    /** Updates held, whole or in part. */
    public int updates() {
        return held;
    }

    /** Segments dropped by the cap rather than by truncation. */
    public long evictedByCap() {
        return evictedByCap;
    }

    /** The updates held and how many of their segments, for status and tests. */
    public Map<Long, Integer> heldSegmentsPerUpdate() {
        Map<Long, Integer> view = new TreeMap<>();
        forEachHeld((u, update) -> view.put(u, update.held));
        return view;
    }

    private void checkState(Segment segment) {
        if (segment.stateId() != stateId) {
            throw new IllegalArgumentException("segment of state " + segment.stateId() + " offered to the backlog of "
                    + stateId);
        }
    }

    private void enforceCap() {
        while ((bytes > limits.maxBytes() || segmentCount > limits.maxSegments()) && held > 1) {
            long oldest = oldestHeld();
            evictedByCap += drop(oldest);
            horizon = Math.max(horizon, oldest + 1);
        }
    }

    /** The update held at {@code u}, or null. */
    private Update find(long u) {
        if (u < horizon || u - horizon >= ring.length) {
            return null;
        }
        return ring[(int) (u & mask)];
    }

    /** Puts a new update at {@code u} (at or above the horizon), growing the ring or moving the horizon up to reach it. */
    private void place(long u, Update update) {
        if (u - horizon >= MAX_SPAN) {
            long newHorizon = u - MAX_SPAN + 1;
            while (held > 0 && oldestHeld() < newHorizon) {
                evictedByCap += drop(oldestHeld());
            }
            horizon = newHorizon;
            oldestHint = Math.max(oldestHint, horizon);
        }
        if (u - horizon >= ring.length) {
            grow(u - horizon + 1);
        }
        ring[(int) (u & mask)] = update;
        held++;
        oldestHint = Math.min(oldestHint, u);
    }

    private void grow(long span) {
        int length = ring.length;
        while (length < span) {
            length <<= 1;
        }
        Update[] grown = new Update[length];
        int grownMask = length - 1;
        long end = Math.min(latest, horizon + ring.length - 1);
        for (long u = horizon; u <= end; u++) {
            Update update = ring[(int) (u & mask)];
            if (update != null) {
                grown[(int) (u & grownMask)] = update;
            }
        }
        ring = grown;
        mask = grownMask;
    }

    /** The oldest held update (there is one). */
    private long oldestHeld() {
        long u = Math.max(oldestHint, horizon);
        while (ring[(int) (u & mask)] == null) {
            u++;
        }
        oldestHint = u;
        return u;
    }

    /** Drops the update held at {@code u}; returns its segments. */
    private long drop(long u) {
        int slot = (int) (u & mask);
        Update update = ring[slot];
        ring[slot] = null;
        held--;
        long[] dropped = {0};
        update.forEach(segment -> {
            bytes -= segment.payloadLength();
            segmentCount--;
            dropped[0]++;
        });
        return dropped[0];
    }

    /** Every held update in order. */
    private void forEachHeld(java.util.function.BiConsumer<Long, Update> action) {
        if (held == 0) {
            return;
        }
        long end = Math.min(latest, horizon + ring.length - 1);
        for (long u = Math.max(oldestHint, horizon); u <= end; u++) {
            Update update = ring[(int) (u & mask)];
            if (update != null) {
                action.accept(u, update);
            }
        }
    }
}
