package io.stare.actors.middleware;

import io.stare.protocol.segment.Segment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Groups the segments a server publishes into Append messages for the replica controller: one
 * batch per state, cut at a byte budget. Batching makes the backlog persist one event per batch
 * instead of one per update, and the budget keeps every message below the cluster transport's
 * frame size (an update may be split across batches; the backlog confirms it once whole).
 *
 * <p>Pure logic, not thread-safe: the EXT module drives it.
 */
final class AppendBatches {

    /** A segment's share of the budget beyond its payload (header fields, encoding). */
    static final int SEGMENT_OVERHEAD = 32;

    private final int budgetBytes;
    private final Map<Integer, List<Segment>> open = new LinkedHashMap<>();
    private final Map<Integer, Integer> openBytes = new LinkedHashMap<>();

    /** @param budgetBytes the most payload (plus overhead) one batch carries; a larger segment travels alone */
    AppendBatches(int budgetBytes) {
        if (budgetBytes < 1) {
            throw new IllegalArgumentException("budget must be positive: " + budgetBytes);
        }
        this.budgetBytes = budgetBytes;
    }

    /**
     * Adds one update's segments; returns the batches that filled up (to send now), oldest first.
     * The rest waits for {@link #drain()}.
     */
    List<List<Segment>> add(List<Segment> segments) {
        List<List<Segment>> full = new ArrayList<>();
        for (Segment segment : segments) {
            int state = segment.stateId();
            int cost = segment.payloadLength() + SEGMENT_OVERHEAD;
            int used = openBytes.getOrDefault(state, 0);
            if (used > 0 && used + cost > budgetBytes) {
                full.add(open.remove(state));
                openBytes.remove(state);
                used = 0;
            }
            open.computeIfAbsent(state, s -> new ArrayList<>()).add(segment);
            openBytes.put(state, used + cost);
        }
        return full;
    }

    /** Every batch still open, one per state, in the order the states were first added. */
    List<List<Segment>> drain() {
        List<List<Segment>> batches = new ArrayList<>(open.values());
        open.clear();
        openBytes.clear();
        return batches;
    }

    boolean isEmpty() {
        return open.isEmpty();
    }
}
