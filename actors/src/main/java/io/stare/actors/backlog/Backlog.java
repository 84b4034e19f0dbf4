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
 * One state's backlog of published segments at the replica controller: what RECOVER is answered
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

    private record Update(int totalSegments, TreeMap<Integer, Segment> segments) {
    }

    private final int stateId;
    private final BacklogLimits limits;
    private final TreeMap<Long, Update> updates = new TreeMap<>();
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

    /** Keeps a published segment, evicting the oldest updates if the cap is exceeded. */
    public Appended append(Segment segment) {
        if (segment.stateId() != stateId) {
            throw new IllegalArgumentException("segment of state " + segment.stateId() + " offered to the backlog of "
                    + stateId);
        }
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
        List<Segment> found = new ArrayList<>();
        List<MissingUpdate> truncated = new ArrayList<>();
        for (MissingUpdate wanted : missing) {
            if (wanted.update() < horizon) {
                truncated.add(wanted);
                continue;
            }
            Update update = updates.get(wanted.update());
            if (update == null) {
                continue;
            }
            if (wanted.isWhole()) {
                found.addAll(update.segments().values());
            } else {
                for (int segmentNo : wanted.segments()) {
                    Segment segment = update.segments().get(segmentNo);
                    if (segment != null) {
                        found.add(segment);
                    }
                }
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
