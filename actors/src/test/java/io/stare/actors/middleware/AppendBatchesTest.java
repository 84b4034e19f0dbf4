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
        AppendBatches batches = new AppendBatches(64 * 1024);
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
    void statesNeverShareABatch() {
        AppendBatches batches = new AppendBatches(64 * 1024);
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
        AppendBatches batches = new AppendBatches(16 * 1024);
        List<Segment> big = update(5, 0, 100 * 1024); // 70 segments of at most 1464 bytes
        List<List<Segment>> full = batches.add(big);
        assertTrue(full.size() >= 6, "100 KiB over 16 KiB batches: " + full.size());
        for (List<Segment> batch : full) {
            int bytes = batch.stream().mapToInt(s -> s.payloadLength() + AppendBatches.SEGMENT_OVERHEAD).sum();
            assertTrue(bytes <= 16 * 1024, "within budget: " + bytes);
        }
    }

    /** Whatever the sizes and the budget: nothing lost, nothing repeated, order kept, budget held. */
    @Property(tries = 200)
    void everySegmentLeavesOnceInOrderWithinBudget(
            @ForAll @Size(min = 1, max = 30) List<@IntRange(min = 0, max = 20_000) Integer> sizes,
            @ForAll @IntRange(min = 1, max = 4) int states,
            @ForAll @IntRange(min = 2_000, max = 70_000) int budget) {
        AppendBatches batches = new AppendBatches(budget);
        List<Segment> sent = new ArrayList<>();
        List<Segment> out = new ArrayList<>();
        for (int i = 0; i < sizes.size(); i++) {
            List<Segment> segments = update(i % states, i / states, sizes.get(i));
            sent.addAll(segments);
            batches.add(segments).forEach(out::addAll);
            batches.add(List.of()).forEach(out::addAll);
        }
        List<List<Segment>> rest = batches.drain();
        for (List<Segment> batch : rest) {
            out.addAll(batch);
            int bytes = batch.stream().mapToInt(s -> s.payloadLength() + AppendBatches.SEGMENT_OVERHEAD).sum();
            assertTrue(bytes <= budget || batch.size() == 1);
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
