package io.stare.actors.middleware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.protocol.segment.Segment;
import io.stare.protocol.segment.Segmenter;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class AppendBatchesTest {

    private static final Segmenter SEGMENTER = new Segmenter(1500);

    private static List<Segment> update(int state, long update, int bytes) {
        return SEGMENTER.split(state, 1, update, new byte[bytes]);
    }

    @Test
    void smallUpdatesOfOneStateShareOneBatchUntilDrained() {
        AppendBatches batches = new AppendBatches(64 * 1024, 1000);
        for (long u = 0; u < 10; u++) {
            assertEquals(List.of(), batches.add(update(3, u, 100)));
        }
        List<List<Segment>> drained = batches.drain();
        assertEquals(1, drained.size());
        assertEquals(10, drained.get(0).size());
        assertTrue(batches.isEmpty());
        assertEquals(List.of(), batches.drain());
    }

    @Test
    void aBatchOfSmallUpdatesLeavesAtTheSegmentCountBeforeTheBudget() {
        AppendBatches batches = new AppendBatches(128 * 1024, 4);
        List<List<Segment>> full = new ArrayList<>();
        for (long u = 0; u < 10; u++) {
            full.addAll(batches.add(update(7, u, 64)));
        }
        assertEquals(2, full.size(), "10 one-segment updates in batches of 4");
        assertEquals(List.of(0L, 1L, 2L, 3L), full.get(0).stream().map(Segment::update).toList());
        assertEquals(List.of(4L, 5L, 6L, 7L), full.get(1).stream().map(Segment::update).toList());
        assertEquals(List.of(8L, 9L), batches.drain().get(0).stream().map(Segment::update).toList());
    }

    @Test
    void statesNeverShareABatch() {
        AppendBatches batches = new AppendBatches(64 * 1024, 1000);
        batches.add(update(1, 0, 10));
        batches.add(update(2, 0, 10));
        batches.add(update(1, 1, 10));
        List<List<Segment>> drained = batches.drain();
        assertEquals(2, drained.size());
        assertEquals(List.of(1, 1), drained.get(0).stream().map(Segment::stateId).toList());
        assertEquals(List.of(2), drained.get(1).stream().map(Segment::stateId).toList());
    }

    @Test
    void aLargeUpdateIsCutAtTheBudgetAndKeepsItsSegmentOrder() {
        AppendBatches batches = new AppendBatches(16 * 1024, 1000);
        List<Segment> big = update(5, 0, 100 * 1024); // 70 segments of at most 1464 bytes
        List<List<Segment>> full = batches.add(big);
        assertTrue(full.size() >= 6, "100 KiB over 16 KiB batches: " + full.size());
        for (List<Segment> batch : full) {
            int bytes = batch.stream().mapToInt(s -> s.payloadLength() + AppendBatches.SEGMENT_OVERHEAD).sum();
            assertTrue(bytes <= 16 * 1024, "within budget: " + bytes);
        }
    }

    /** Whatever the sizes, the budget and the count: nothing lost, nothing repeated, order kept, budget held. */
    @Property(tries = 200)
    void everySegmentLeavesOnceInOrderWithinBudget(
            @ForAll @Size(min = 1, max = 30) List<@IntRange(min = 0, max = 20_000) Integer> sizes,
            @ForAll @IntRange(min = 1, max = 4) int states,
            @ForAll @IntRange(min = 2_000, max = 70_000) int budget,
            @ForAll @IntRange(min = 1, max = 64) int maxSegments) {
        AppendBatches batches = new AppendBatches(budget, maxSegments);
        List<Segment> sent = new ArrayList<>();
        List<List<Segment>> batchesOut = new ArrayList<>();
        for (int i = 0; i < sizes.size(); i++) {
            List<Segment> segments = update(i % states, i / states, sizes.get(i));
            sent.addAll(segments);
            batchesOut.addAll(batches.add(segments));
            batchesOut.addAll(batches.add(List.of()));
        }
        batchesOut.addAll(batches.drain());
        List<Segment> out = new ArrayList<>();
        for (List<Segment> batch : batchesOut) {
            out.addAll(batch);
            int bytes = batch.stream().mapToInt(s -> s.payloadLength() + AppendBatches.SEGMENT_OVERHEAD).sum();
            assertTrue(bytes <= budget || batch.size() == 1);
            assertTrue(batch.size() <= maxSegments);
            assertEquals(1, batch.stream().map(Segment::stateId).distinct().count());
        }
        assertEquals(sent.size(), out.size());
        for (int state = 0; state < states; state++) {
            int s = state;
            assertEquals(sent.stream().filter(x -> x.stateId() == s).toList(),
                    out.stream().filter(x -> x.stateId() == s).toList(), "state " + s + " in order");
        }
    }
}
