package io.stare.actors.backlog;

import io.stare.protocol.control.Recovered;
import io.stare.protocol.segment.MissingUpdate;
import io.stare.protocol.segment.Segment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * The backlog as it was before its ring (a TreeMap of TreeMaps), kept as the model the ring is
 * checked against ({@link BacklogModelProperties}). Below: its original documentation.
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
final class ReferenceBacklog {

    /** What became of an appended segment. */
    enum Appended {
        /** Kept. */
        STORED,
        /** Already held: a retransmission or a publisher's repair. */
        DUPLICATE,
        /** Below the horizon: truncated already, not kept. */
        TOO_OLD,
        /** Its TOT_SEG disagrees with segments of the same update already held; not kept. */
        INCONSISTENT
    }

    private record Update(int totalSegments, TreeMap<Integer, Segment> segments) {
    }

    /**
     * Everything a backlog holds, as plain data: what an event-sourced owner snapshots.
     *
     * @param horizon the first update still held or to come
     * @param latest the newest update ever appended, or -1
     * @param evictedByCap segments dropped by the cap so far
     * @param segments every segment held, by update and segment number
     */
    public record Snapshot(int stateId, long horizon, long latest, long evictedByCap, List<Segment> segments) {
        public Snapshot {
            segments = List.copyOf(segments);
        }
    }

    private final int stateId;
    private BacklogLimits limits;
    private final TreeMap<Long, Update> updates = new TreeMap<>();
    private long horizon;
    private long latest = -1;
    private long bytes;
    private long segmentCount;
    private long evictedByCap;

    ReferenceBacklog(int stateId, BacklogLimits limits) {
        this.stateId = stateId;
        this.limits = limits;
    }

    public int stateId() {
        return stateId;
    }

    /** The backlog of a snapshot, as it was. */
    static ReferenceBacklog of(Snapshot snapshot, BacklogLimits limits) {
        ReferenceBacklog backlog = new ReferenceBacklog(snapshot.stateId(), limits);
        for (Segment segment : snapshot.segments()) {
            backlog.append(segment);
        }
        backlog.horizon = Math.max(backlog.horizon, snapshot.horizon());
        backlog.latest = Math.max(backlog.latest, snapshot.latest());
        backlog.evictedByCap = snapshot.evictedByCap();
        return backlog;
    }

    /** A copy of everything held. */
    public Snapshot snapshot() {
        List<Segment> held = new ArrayList<>();
        updates.values().forEach(update -> held.addAll(update.segments().values()));
        return new Snapshot(stateId, horizon, latest, evictedByCap, held);
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
        Update update = updates.get(segment.update());
        if (update == null) {
            return Appended.STORED;
        }
        if (update.totalSegments() != segment.totalSegments()) {
            return Appended.INCONSISTENT;
        }
        return update.segments().containsKey(segment.segmentNo()) ? Appended.DUPLICATE : Appended.STORED;
    }

    /** Keeps a published segment, evicting the oldest updates if the cap is exceeded. */
    public Appended append(Segment segment) {
        checkState(segment);
        if (segment.update() < horizon) {
            return Appended.TOO_OLD;
        }
        Update update = updates.computeIfAbsent(segment.update(),
                u -> new Update(segment.totalSegments(), new TreeMap<>()));
        if (update.totalSegments() != segment.totalSegments()) {
            return Appended.INCONSISTENT;
        }
        if (update.segments().putIfAbsent(segment.segmentNo(), segment) != null) {
            return Appended.DUPLICATE;
        }
        bytes += segment.payloadLength();
        segmentCount++;
        latest = Math.max(latest, segment.update());
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
            Update update = updates.get(wanted.update());
            if (update == null) {
                continue;
            }
            Iterable<Segment> pieces = wanted.isWhole() ? update.segments().values()
                    : wanted.segments().stream().map(update.segments()::get).filter(java.util.Objects::nonNull)::iterator;
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
        while (!updates.isEmpty() && updates.firstKey() < target) {
            dropped += drop(updates.pollFirstEntry().getValue());
        }
        horizon = Math.max(horizon, target);
        return dropped;
    }

    /** The TOT_SEG of an update held (whole or in part), or empty when it is not held. */
    public OptionalInt totalSegmentsOf(long update) {
        Update held = updates.get(update);
        return held == null ? OptionalInt.empty() : OptionalInt.of(held.totalSegments());
    }

    /** Whether every segment of the update is held. */
    public boolean holdsWhole(long update) {
        Update held = updates.get(update);
        return held != null && held.segments().size() == held.totalSegments();
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
        return updates.size();
    }

    /** Segments dropped by the cap rather than by truncation. */
    public long evictedByCap() {
        return evictedByCap;
    }

    /** The updates held and how many of their segments, for status and tests. */
    public Map<Long, Integer> heldSegmentsPerUpdate() {
        Map<Long, Integer> view = new TreeMap<>();
        updates.forEach((u, update) -> view.put(u, update.segments().size()));
        return view;
    }

    private void checkState(Segment segment) {
        if (segment.stateId() != stateId) {
            throw new IllegalArgumentException("segment of state " + segment.stateId() + " offered to the backlog of "
                    + stateId);
        }
    }

    private void enforceCap() {
        while ((bytes > limits.maxBytes() || segmentCount > limits.maxSegments()) && updates.size() > 1) {
            Map.Entry<Long, Update> oldest = updates.pollFirstEntry();
            evictedByCap += drop(oldest.getValue());
            horizon = Math.max(horizon, oldest.getKey() + 1);
        }
    }

    private long drop(Update update) {
        long dropped = 0;
        for (Segment segment : update.segments().values()) {
            bytes -= segment.payloadLength();
            segmentCount--;
            dropped++;
        }
        return dropped;
    }
}
