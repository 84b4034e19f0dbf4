package io.stare.actors.middleware;

import io.stare.protocol.segment.Segment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Groups the segments a server publishes into Append messages for the replica controller: one
 * batch per state, cut at a byte budget or a segment count, whichever comes first. Batching makes
 * the backlog persist one event per batch instead of one per update, and the budget keeps every
 * message below the cluster transport's frame size (an update may be split across batches; the
 * backlog confirms it once whole). The count cut lets a batch of small updates leave before the
 * middleware's bound on unconfirmed updates is reached: otherwise every batch of 64-byte updates
 * would wait for the flush timer, capping a publisher at about 26,000 updates/s.
 *
 * <p>Pure logic, not thread-safe: the EXT module drives it.
 */
final class AppendBatches {

    /** A segment's share of the budget beyond its payload (header fields, encoding). */
    static final int SEGMENT_OVERHEAD = 32;

    private final int budgetBytes;
    private final int maxSegments;
    private final Map<Integer, List<Segment>> open = new LinkedHashMap<>();
    private final Map<Integer, Integer> openBytes = new LinkedHashMap<>();

    /**
     * @param budgetBytes the most payload (plus overhead) one batch carries; a larger segment travels alone
     * @param maxSegments the most segments one batch carries
     */
    AppendBatches(int budgetBytes, int maxSegments) {
        if (budgetBytes < 1 || maxSegments < 1) {
            throw new IllegalArgumentException("budget and segment count must be positive: " + budgetBytes + ", "
                    + maxSegments);
        }
        this.budgetBytes = budgetBytes;
        this.maxSegments = maxSegments;
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
            List<Segment> batch = open.computeIfAbsent(state, s -> new ArrayList<>());
            batch.add(segment);
            openBytes.put(state, used + cost);
            if (batch.size() >= maxSegments) {
                full.add(open.remove(state));
                openBytes.remove(state);
            }
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
