package io.stare.actors.middleware;

import io.stare.protocol.segment.Segment;
import java.util.ArrayList;
import java.util.List;

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
    /** Open batches by state, and the order their states first came in (for drain). */
    private final StateMap<Batch> open = new StateMap<>();
    private final List<Batch> order = new ArrayList<>();

    private static final class Batch {
        final int stateId;
        List<Segment> segments = new ArrayList<>();
        int bytes;

        Batch(int stateId) {
            this.stateId = stateId;
        }
    }

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
     * The rest waits for {@link #drain()}. For tests and tools; the main path adds segment by segment.
     */
    List<List<Segment>> add(List<Segment> segments) {
        List<List<Segment>> full = new ArrayList<>();
        for (Segment segment : segments) {
            List<Segment> filled = add(segment);
            if (filled != null) {
                full.add(filled);
            }
        }
        return full;
    }

    /**
     * Adds one segment; returns a batch of the same state that filled up because of it (to send
     * now), or null. Allocates nothing but the batch's list.
     */
    List<Segment> add(Segment segment) {
        int state = segment.stateId();
        int cost = segment.payloadLength() + SEGMENT_OVERHEAD;
        Batch batch = open.get(state);
        List<Segment> filled = null;
        if (batch != null && batch.bytes > 0 && batch.bytes + cost > budgetBytes) {
            filled = close(batch);
            batch = null;
        }
        if (batch == null) {
            batch = new Batch(state);
            open.put(state, batch);
            order.add(batch);
        }
        batch.segments.add(segment);
        batch.bytes += cost;
        if (filled == null && batch.segments.size() >= maxSegments) {
            return close(batch);
        }
        return filled; // a batch that also reached its count (count 1) leaves with the next add or drain
    }

    private List<Segment> close(Batch batch) {
        open.remove(batch.stateId);
        order.remove(batch);
        return batch.segments;
    }

    /** Every batch still open, one per state, in the order the states were first added. */
    List<List<Segment>> drain() {
        if (order.isEmpty()) {
            return List.of();
        }
        List<List<Segment>> batches = new ArrayList<>(order.size());
        for (Batch batch : order) {
            batches.add(batch.segments);
            open.remove(batch.stateId);
        }
        order.clear();
        return batches;
    }

    boolean isEmpty() {
        return order.isEmpty();
    }
}
