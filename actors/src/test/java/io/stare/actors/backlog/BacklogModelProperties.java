package io.stare.actors.backlog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stare.protocol.control.Recovered;
import io.stare.protocol.segment.MissingUpdate;
import io.stare.protocol.segment.Segment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * The backlog's ring against the TreeMap-of-TreeMaps it replaced ({@link ReferenceBacklog}): any
 * mix of appends (in order, out of order, duplicated, inconsistent, jumping ahead), truncations,
 * caps and RECOVERs gives the same outcomes, the same contents and the same answers.
 */
class BacklogModelProperties {

    private static final int STATE = 5;

    @Property(tries = 300)
    void theRingBehavesAsTheTreeMapsDid(@ForAll long seed) {
        Random random = new Random(seed);
        BacklogLimits limits = new BacklogLimits(200 + random.nextInt(2000), 10 + random.nextInt(200));
        Backlog ring = new Backlog(STATE, limits);
        ReferenceBacklog model = new ReferenceBacklog(STATE, limits);
        long next = random.nextInt(3) == 0 ? 70_000 : 0;
        for (int step = 0; step < 600; step++) {
            int action = random.nextInt(20);
            if (action < 14) {
                long update = random.nextInt(10) == 0 ? Math.max(0, next - random.nextInt(40)) // late or repeated
                        : random.nextInt(50) == 0 ? next + random.nextInt(3000) : next++;       // a jump, or the next
                int total = 1 + (random.nextInt(4) == 0 ? random.nextInt(4) : 0);
                int segment = random.nextInt(total);
                Segment s = new Segment(STATE, 1, update, total, segment, new byte[random.nextInt(30)]);
                assertEquals(model.classify(s).name(), ring.classify(s).name(), "classify " + s);
                assertEquals(model.append(s).name(), ring.append(s).name(), "append " + s);
            } else if (action < 16) {
                long below = Math.max(0, next - random.nextInt(60));
                assertEquals(model.truncateBelow(below), ring.truncateBelow(below), "truncate below " + below);
            } else if (action < 17) {
                BacklogLimits tighter = new BacklogLimits(100 + random.nextInt(2000), 5 + random.nextInt(200));
                model.limit(tighter);
                ring.limit(tighter);
            } else {
                List<MissingUpdate> missing = new ArrayList<>();
                for (int i = 0; i < 1 + random.nextInt(6); i++) {
                    long update = Math.max(0, next - random.nextInt(80));
                    missing.add(random.nextBoolean() ? MissingUpdate.whole(update)
                            : new MissingUpdate(update, List.of(random.nextInt(4))));
                }
                long budget = random.nextBoolean() ? Long.MAX_VALUE : random.nextInt(100);
                Recovered expected = model.recover(step, missing, budget);
                Recovered actual = ring.recover(step, missing, budget);
                assertEquals(expected.segments(), actual.segments(), "recover " + missing);
                assertEquals(expected.truncated(), actual.truncated());
                assertEquals(expected.latestUpdate(), actual.latestUpdate());
            }
            assertEquals(model.horizon(), ring.horizon());
            assertEquals(model.latestUpdate(), ring.latestUpdate());
            assertEquals(model.bytes(), ring.bytes());
            assertEquals(model.segments(), ring.segments());
            assertEquals(model.updates(), ring.updates());
            assertEquals(model.evictedByCap(), ring.evictedByCap());
            assertEquals(model.heldSegmentsPerUpdate(), ring.heldSegmentsPerUpdate(), "after step " + step + " action " + action);
        }
        assertEquals(model.heldSegmentsPerUpdate(), ring.heldSegmentsPerUpdate());
        assertEquals(model.snapshot().segments(), ring.snapshot().segments());
        Backlog restored = Backlog.of(ring.snapshot(), BacklogLimits.UNBOUNDED); // as a snapshot is read back
        assertEquals(ring.heldSegmentsPerUpdate(), restored.heldSegmentsPerUpdate());
        assertEquals(ring.horizon(), restored.horizon());
    }
}
