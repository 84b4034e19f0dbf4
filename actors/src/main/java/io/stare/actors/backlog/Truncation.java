package io.stare.actors.backlog;

import io.stare.protocol.control.TruncationReport;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

/**
 * Decides how far one state's backlog may be truncated: to the lowest update every live
 * subscriber holds completely. A subscriber that stops answering truncation queries for longer
 * than the timeout is excluded (so it cannot pin the backlog forever) and marked as needing a
 * resync; it is readmitted when it answers again.
 *
 * <p>Time comes in as arguments, so tests control it. Plain Java, driven by the state's entity.
 */
public final class Truncation {

    private record Subscriber(long heldThrough, long lastHeardMillis) {
    }

    private final long timeoutMillis;
    private final Map<String, Subscriber> subscribers = new HashMap<>();
    private final Set<String> needResync = new TreeSet<>();

    public Truncation(long timeoutMillis) {
        if (timeoutMillis <= 0) {
            throw new IllegalArgumentException("timeout must be positive: " + timeoutMillis);
        }
        this.timeoutMillis = timeoutMillis;
    }

    /** A subscriber joined (it holds nothing yet; it pins the backlog until it reports). */
    public void subscribed(String subscriberId, long nowMillis) {
        subscribers.putIfAbsent(subscriberId, new Subscriber(-1, nowMillis));
    }

    /** A subscriber left: it no longer holds the backlog back. */
    public void unsubscribed(String subscriberId) {
        subscribers.remove(subscriberId);
        needResync.remove(subscriberId);
    }

    /**
     * A subscriber answered a truncation query. It holds every update up to {@code highestUpdate}
     * completely if {@code highestSegment} is that update's last segment; otherwise only those
     * before it.
     *
     * @param lastSegmentOfHighest whether the reported segment completes the reported update
     */
    public void reported(TruncationReport report, boolean lastSegmentOfHighest, long nowMillis) {
        long heldThrough = lastSegmentOfHighest ? report.highestUpdate() : report.highestUpdate() - 1;
        Subscriber previous = subscribers.get(report.subscriberId());
        long kept = previous == null ? heldThrough : Math.max(previous.heldThrough(), heldThrough);
        subscribers.put(report.subscriberId(), new Subscriber(kept, nowMillis));
        needResync.remove(report.subscriberId());
    }

    /**
     * The update below which the backlog may be truncated now, or empty when nobody live has
     * reported. Silent subscribers past the timeout are excluded and marked for resync.
     */
    public OptionalLong truncateBelow(long nowMillis) {
        long lowest = Long.MAX_VALUE;
        boolean anyLive = false;
        for (Map.Entry<String, Subscriber> entry : subscribers.entrySet()) {
            if (nowMillis - entry.getValue().lastHeardMillis() > timeoutMillis) {
                needResync.add(entry.getKey());
                continue;
            }
            anyLive = true;
            lowest = Math.min(lowest, entry.getValue().heldThrough() + 1);
        }
        return anyLive ? OptionalLong.of(lowest) : OptionalLong.empty();
    }

    /** Subscribers excluded for silence: they must resync from the latest update. */
    public Set<String> needResync() {
        return Set.copyOf(needResync);
    }
}
