package io.stare.protocol.segment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * The reassembler against a lossy, duplicating, reordering network: whatever the channel does,
 * exactly the complete prefix is delivered, exactly the missing pieces are requested, and after
 * recovery every update arrives once, in order, per state.
 */
class ReassemblyProperties {

    private static final long GRACE = 1_000;
    private static final Segmenter SEGMENTER = new Segmenter(100);

    /** A publisher's history: states 1..n, each with consecutive updates from 0. */
    private record History(Map<Integer, List<byte[]>> updates) {
        static History random(Random random, int states, int maxUpdates) {
            Map<Integer, List<byte[]>> updates = new TreeMap<>();
            for (int state = 1; state <= states; state++) {
                List<byte[]> values = new ArrayList<>();
                int count = 1 + random.nextInt(maxUpdates);
                for (int u = 0; u < count; u++) {
                    byte[] value = new byte[random.nextInt(400)];
                    random.nextBytes(value);
                    values.add(value);
                }
                updates.put(state, values);
            }
            return new History(updates);
        }

        List<Segment> segments(int state, long update) {
            return SEGMENTER.split(state, state + 100, update, updates.get(state).get((int) update));
        }

        List<Segment> all() {
            List<Segment> all = new ArrayList<>();
            updates.forEach((state, values) -> {
                for (int u = 0; u < values.size(); u++) {
                    all.addAll(segments(state, u));
                }
            });
            return all;
        }
    }

    /** Loses, duplicates and locally reorders segments (each moves at most {@code window} places). */
    private static List<Segment> channel(List<Segment> sent, Random random, double loss, double duplication,
                                         int window, Set<Segment> lost) {
        List<Segment> out = new ArrayList<>();
        for (Segment s : sent) {
            if (random.nextDouble() < loss) {
                lost.add(s);
                continue;
            }
            out.add(s);
            if (random.nextDouble() < duplication) {
                out.add(s);
            }
        }
        for (int i = 0; i + 1 < out.size(); i++) {
            int j = Math.min(out.size() - 1, i + random.nextInt(window + 1));
            Collections.swap(out, i, j);
        }
        return out;
    }

    private static ReassemblyConfig config() {
        return new ReassemblyConfig(1 << 20, 1 << 22, 4096, GRACE, GRACE, 1_000, 100_000);
    }

    @Property(tries = 300)
    void deliversExactlyTheCompletePrefixAndRequestsExactlyWhatIsMissing(
            @ForAll long seed, @ForAll @IntRange(min = 0, max = 30) int lossPercent,
            @ForAll @IntRange(min = 0, max = 30) int dupPercent, @ForAll @IntRange(min = 0, max = 20) int window) {
        Random random = new Random(seed);
        History history = History.random(random, 3, 12);
        Set<Segment> lost = new HashSet<>();
        List<Segment> received = channel(history.all(), random, lossPercent / 100.0, dupPercent / 100.0, window, lost);

        RecordingListener listener = new RecordingListener();
        Reassembler reassembler = new Reassembler(config(), listener);
        history.updates().forEach((state, values) -> reassembler.expect(state, state + 100, 0));
        for (Segment s : received) {
            reassembler.accept(s.header(), s.payload(), 0);
        }

        // Before the grace ends nobody is asked for anything, and only whole prefixes are delivered.
        assertTrue(listener.requests.isEmpty());
        Map<Integer, Long> highestSeen = new HashMap<>();
        for (Segment s : received) {
            highestSeen.merge(s.stateId(), s.update(), Math::max);
        }
        history.updates().forEach((state, values) -> {
            long firstIncomplete = firstIncomplete(history, state, lost);
            List<Long> delivered = deliveredFor(listener, state);
            assertEquals(range(0, firstIncomplete), delivered, "state " + state);
        });
        for (RecordingListener.Update update : listener.updates) {
            assertArrayEquals(history.updates().get(update.stateId()).get((int) update.update()), update.value());
        }

        // After the grace, each incomplete state asks for exactly the pieces it lacks up to the
        // highest update it has seen.
        reassembler.poll(GRACE);
        Map<Integer, List<MissingUpdate>> requested = new HashMap<>();
        for (RecoveryRequest request : listener.requests) {
            assertEquals(request.stateId() + 100, request.vnfId());
            requested.merge(request.stateId(), request.missing(), (a, b) -> {
                throw new AssertionError("two requests for state " + request.stateId());
            });
        }
        history.updates().forEach((state, values) -> {
            List<MissingUpdate> expected = new ArrayList<>();
            long highest = highestSeen.getOrDefault(state, -1L);
            for (long u = firstIncomplete(history, state, lost); u <= highest; u++) {
                List<Integer> lostSegments = new ArrayList<>();
                List<Segment> all = history.segments(state, u);
                for (Segment s : all) {
                    if (lost.contains(s)) {
                        lostSegments.add(s.segmentNo());
                    }
                }
                if (lostSegments.size() == all.size()) {
                    expected.add(MissingUpdate.whole(u));
                } else if (!lostSegments.isEmpty()) {
                    expected.add(new MissingUpdate(u, lostSegments));
                }
            }
            assertEquals(expected, requested.getOrDefault(state, List.of()), "state " + state);
        });

        // The backlog answers; with the latest numbers known, everything arrives once, in order.
        long now = GRACE;
        for (int round = 0; round < 10; round++) {
            List<RecoveryRequest> pending = new ArrayList<>(listener.requests);
            listener.requests.clear();
            for (RecoveryRequest request : pending) {
                for (MissingUpdate missing : request.missing()) {
                    for (Segment s : history.segments(request.stateId(), missing.update())) {
                        if (missing.isWhole() || missing.segments().contains(s.segmentNo())) {
                            reassembler.acceptRecovered(s, now);
                        }
                    }
                }
            }
            now += GRACE;
            for (Map.Entry<Integer, List<byte[]>> e : history.updates().entrySet()) {
                reassembler.noteLatest(e.getKey(), e.getKey() + 100, e.getValue().size() - 1, now);
            }
            reassembler.poll(now);
        }
        history.updates().forEach((state, values) ->
                assertEquals(range(0, values.size()), deliveredFor(listener, state), "state " + state));
        assertTrue(listener.gaps.isEmpty());
        for (RecordingListener.Update update : listener.updates) {
            assertArrayEquals(history.updates().get(update.stateId()).get((int) update.update()), update.value());
        }
    }

    @Property(tries = 200)
    void unansweredRequestsEndInExactGapReports(@ForAll long seed,
                                                @ForAll @IntRange(min = 5, max = 40) int lossPercent) {
        Random random = new Random(seed);
        History history = History.random(random, 2, 10);
        Set<Segment> lost = new HashSet<>();
        List<Segment> received = channel(history.all(), random, lossPercent / 100.0, 0.1, 5, lost);
        RecordingListener listener = new RecordingListener();
        Reassembler reassembler = new Reassembler(
                new ReassemblyConfig(1 << 20, 1 << 22, 4096, 10, 10, 3, 100_000), listener);
        history.updates().forEach((state, values) -> reassembler.expect(state, state + 100, 0));
        for (Segment s : received) {
            reassembler.accept(s.header(), s.payload(), 0);
        }
        history.updates().forEach((state, values) ->
                reassembler.noteLatest(state, state + 100, values.size() - 1, 0));
        for (long now = 0; now <= 100; now += 10) {
            reassembler.poll(now);
        }
        // Every update is either delivered (intact, in order) or inside exactly one reported gap.
        history.updates().forEach((state, values) -> {
            Set<Long> complete = new HashSet<>();
            for (long u = 0; u < values.size(); u++) {
                if (history.segments(state, u).stream().noneMatch(lost::contains)) {
                    complete.add(u);
                }
            }
            List<Long> delivered = deliveredFor(listener, state);
            assertEquals(complete.stream().sorted().toList(), delivered, "state " + state);
            Set<Long> inGaps = new HashSet<>();
            for (int i = 0; i < listener.gaps.size(); i++) {
                if (listener.gapStates.get(i) == state) {
                    for (long u = listener.gaps.get(i)[0]; u <= listener.gaps.get(i)[1]; u++) {
                        assertTrue(inGaps.add(u), "update " + u + " reported twice");
                    }
                }
            }
            Set<Long> all = new HashSet<>(complete);
            all.addAll(inGaps);
            assertEquals(values.size(), all.size());
            assertTrue(Collections.disjoint(complete, inGaps));
        });
    }

    @Property(tries = 100)
    void memoryStaysBoundedAndNothingIsLost(@ForAll long seed) {
        Random random = new Random(seed);
        History history = History.random(random, 1, 40);
        RecordingListener listener = new RecordingListener();
        int limit = 1_000; // a few updates' worth, far below what reordering would hold
        Reassembler reassembler = new Reassembler(new ReassemblyConfig(limit, limit, 8, 0, 10, 1_000, 100_000),
                listener);
        reassembler.expect(1, 101, 0);
        Set<Segment> lost = new HashSet<>();
        for (Segment s : channel(history.all(), random, 0.2, 0.0, 30, lost)) {
            reassembler.accept(s.header(), s.payload(), 0);
            assertTrue(reassembler.bufferedBytes(101) <= limit);
        }
        int size = history.updates().get(1).size();
        long now = 0;
        for (int round = 0; round < 200 && deliveredFor(listener, 1).size() < size; round++) {
            now += 10;
            reassembler.noteLatest(1, 101, size - 1, now);
            reassembler.poll(now);
            List<RecoveryRequest> pending = new ArrayList<>(listener.requests);
            listener.requests.clear();
            for (RecoveryRequest request : pending) {
                for (MissingUpdate missing : request.missing()) {
                    for (Segment s : history.segments(1, missing.update())) {
                        if (missing.isWhole() || missing.segments().contains(s.segmentNo())) {
                            reassembler.acceptRecovered(s, now);
                            assertTrue(reassembler.bufferedBytes(101) <= limit);
                        }
                    }
                }
            }
        }
        assertEquals(range(0, size), deliveredFor(listener, 1));
    }

    private static long firstIncomplete(History history, int state, Set<Segment> lost) {
        int count = history.updates().get(state).size();
        for (long u = 0; u < count; u++) {
            if (history.segments(state, u).stream().anyMatch(lost::contains)) {
                return u;
            }
        }
        return count;
    }

    private static List<Long> deliveredFor(RecordingListener listener, int state) {
        return listener.updates.stream().filter(u -> u.stateId() == state).map(RecordingListener.Update::update)
                .toList();
    }

    private static List<Long> range(long fromInclusive, long toExclusive) {
        List<Long> range = new ArrayList<>();
        for (long u = fromInclusive; u < toExclusive; u++) {
            range.add(u);
        }
        return range;
    }
}
