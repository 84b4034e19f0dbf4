package io.stare.protocol.segment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The fast path ({@link Reassembler#acceptInPlace}) must decide nothing the slow path would not:
 * the same updates, in the same order, with the same bytes, and the same RECOVER requests, whatever
 * the loss, reordering, duplication, segment counts and update-number wrap.
 */
class InPlaceDeliveryProperties {

    private static final int STATE = 7;
    private static final int VNF = 9;

    @Property(tries = 200)
    void theFastPathDeliversWhatTheSlowPathDelivers(@ForAll long seed, @ForAll @IntRange(min = 0, max = 30) int lossPercent) {
        Random random = new Random(seed);
        Segmenter segmenter = new Segmenter(100);
        long start = 65_500 + random.nextInt(100); // crosses the 16-bit wrap
        List<Segment> wire = new ArrayList<>();
        for (long u = start; u < start + 200; u++) {
            byte[] value = new byte[random.nextInt(4) == 0 ? 150 : random.nextInt(60)];
            random.nextBytes(value);
            for (Segment s : segmenter.split(STATE, VNF, u, value)) {
                if (random.nextInt(100) >= lossPercent) {
                    wire.add(s);
                }
                if (random.nextInt(50) == 0) {
                    wire.add(s); // duplicated
                }
            }
        }
        for (int i = 0; i + 1 < wire.size(); i++) {
            if (random.nextInt(20) == 0) {
                Segment a = wire.get(i);
                wire.set(i, wire.get(i + 1));
                wire.set(i + 1, a);
            }
        }
        ReassemblyConfig config = new ReassemblyConfig(1 << 20, 1 << 22, 1024, 10, 100, 3, 1024);
        RecordingListener slowSeen = new RecordingListener();
        RecordingListener fastSeen = new RecordingListener();
        Reassembler slow = new Reassembler(config, slowSeen);
        Reassembler fast = new Reassembler(config, fastSeen);
        slow.expect(STATE, VNF, start);
        fast.expect(STATE, VNF, start);
        long now = 0;
        for (Segment s : wire) {
            now += random.nextInt(3);
            slow.accept(s.header(), s.payload(), now);
            long inPlace = fast.acceptInPlace(STATE, VNF, s.header().updateNo(), s.totalSegments(), now);
            if (inPlace >= 0) {
                fastSeen.onUpdate(STATE, VNF, inPlace, s.payload());
            } else {
                fast.accept(s.header(), s.payload(), now);
            }
            if (random.nextInt(10) == 0) {
                slow.poll(now);
                fast.poll(now);
            }
        }
        assertEquals(slowSeen.updateNumbers(), fastSeen.updateNumbers());
        for (int i = 0; i < slowSeen.updates.size(); i++) {
            assertArrayEquals(slowSeen.updates.get(i).value(), fastSeen.updates.get(i).value());
        }
        assertEquals(slowSeen.requests, fastSeen.requests);
        assertEquals(slow.counters().delivered(), fast.counters().delivered());
        assertEquals(slow.nextUpdate(STATE, VNF), fast.nextUpdate(STATE, VNF));
    }
}
