package io.stare.deploy.demo.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.deploy.demo.tracking.MobilityFixture.Trip;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The demo's inference run on the fixture's ground truth.
 *
 * <p>The bound: a scanner scans every period P and a stay lasts at least P, so the tracker's
 * departure (the last sighting in the old area) is in {@code (departure - P, departure]} and its
 * arrival (the first sighting in the new one) in {@code [arrival, arrival + P)}. A true walk of T ms
 * is measured as D in {@code [T, T + 2P)}, hence the speed d/D is in {@code (d / (T + 2P), d / T]}:
 * never above the truth, and below it by less than the fraction 2P / (T + 2P).
 */
class MobilityInferenceTest {

    private static final TrajectoryTracker.Settings WAIT_FOREVER =
            TrajectoryTracker.Settings.DEFAULTS.withMaxLagMillis(Long.MAX_VALUE);

    static LongStream seeds() {
        return LongStream.rangeClosed(1, 12);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void everyTripIsRecoveredWithItsDirectionAndSpeedWithinTheScanBound(long seed) {
        // Vary the scenario with the seed too: devices, speeds, period.
        Random r = new Random(seed);
        MobilityFixture.Config c = MobilityFixture.Config.defaults(seed)
                .withDevices(5 + r.nextInt(30))
                .withSpeeds(0.5 + r.nextDouble() * 0.5, 1.5 + r.nextDouble() * 1.5)
                .withPeriodMillis(1_000 + r.nextInt(4) * 1_000);
        MobilityFixture f = MobilityFixture.generate(c);
        List<Trajectory> out = run(TrajectoryTracker.forAllAreas(c.map(), TrajectoryTracker.Settings.DEFAULTS),
                f.reports());
        assertMatches(f.trips(), out, c.periodMillis());
    }

    @Test
    void thePapersTwentySecondPeriod() {
        MobilityFixture.Config c = MobilityFixture.Config.defaults(42).withPeriodMillis(20_000)
                .withDurationMillis(2 * 3_600_000L);
        MobilityFixture f = MobilityFixture.generate(c);
        List<Trajectory> out = run(TrajectoryTracker.forAllAreas(c.map(), TrajectoryTracker.Settings.DEFAULTS),
                f.reports());
        assertMatches(f.trips(), out, 20_000);
    }

    @Test
    void eachAreasTrackerFindsTheTripsBetweenTheAreasItHears() {
        MobilityFixture f = MobilityFixture.generate(MobilityFixture.Config.defaults(7));
        AreaMap map = f.config().map();
        for (String area : map.areas()) {
            Set<String> heard = map.neighbourhood(area);
            // As in the demo: the area's VNF gets its own reports and its neighbours' (its subscriptions).
            List<ScanReport> in = f.reports().stream().filter(r -> heard.contains(r.area())).toList();
            List<Trajectory> out = run(TrajectoryTracker.forArea(map, area, TrajectoryTracker.Settings.DEFAULTS), in);
            List<Trip> expected = f.trips().stream()
                    .filter(t -> heard.contains(t.from()) && heard.contains(t.to())).toList();
            assertFalse(expected.isEmpty(), area);
            assertMatches(expected, out, f.config().periodMillis());
            assertTrue(out.stream().allMatch(t -> t.from().equals(area) || t.to().equals(area)), area);
        }
    }

    @Test
    void backgroundDevicesProduceNoTrajectories() {
        MobilityFixture f = MobilityFixture.generate(MobilityFixture.Config.defaults(11));
        TrajectoryTracker t = TrajectoryTracker.forAllAreas(f.config().map(), TrajectoryTracker.Settings.DEFAULTS);
        List<Trajectory> out = run(t, f.reports());
        assertFalse(out.isEmpty());
        assertTrue(out.stream().allMatch(tr -> f.movingDevices().contains(tr.device())));
        // The tracker did see the background devices, each in one area only.
        long seenBackground = f.backgroundDevices().stream().filter(d -> t.visits(d).isPresent()).count();
        assertTrue(seenBackground > f.backgroundDevices().size() / 2, "saw " + seenBackground);
        f.backgroundDevices().forEach(d -> t.visits(d).ifPresent(v -> assertEquals(1, v.size(), d)));
        assertEquals(0, t.stats().implausible());
    }

    @Test
    void withoutMovingDevicesThereAreNoTrajectories() {
        MobilityFixture f = MobilityFixture.generate(MobilityFixture.Config.defaults(5).withDevices(0));
        assertEquals(List.of(), run(TrajectoryTracker.forAllAreas(f.config().map(), WAIT_FOREVER), f.reports()));
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void anyInterleavingOfTheAreasWithDuplicatesGivesTheSameResult(long seed) {
        MobilityFixture f = MobilityFixture.generate(MobilityFixture.Config.defaults(seed)
                .withDurationMillis(15 * 60_000L));
        AreaMap map = f.config().map();
        List<Trajectory> inOrder = run(TrajectoryTracker.forAllAreas(map, WAIT_FOREVER), f.reports());
        assertFalse(inOrder.isEmpty());

        // Each area's reports stay in order (one STARE state each); the areas interleave at random,
        // and some reports are delivered twice.
        Random rnd = new Random(seed * 31);
        Map<String, List<ScanReport>> queues = new TreeMap<>();
        for (String a : map.areas()) {
            List<ScanReport> q = new ArrayList<>();
            for (ScanReport r : f.reportsOf(a)) {
                q.add(r);
                if (rnd.nextInt(5) == 0) {
                    q.add(r);
                }
            }
            queues.put(a, q);
        }
        List<ScanReport> shuffled = new ArrayList<>();
        Map<String, Integer> next = new HashMap<>();
        List<String> live = new ArrayList<>(queues.keySet());
        while (!live.isEmpty()) {
            String a = live.get(rnd.nextInt(live.size()));
            int i = next.merge(a, 1, Integer::sum) - 1;
            shuffled.add(queues.get(a).get(i));
            if (i + 1 == queues.get(a).size()) {
                live.remove(a);
            }
        }
        TrajectoryTracker t = TrajectoryTracker.forAllAreas(map, WAIT_FOREVER);
        assertEquals(inOrder, run(t, shuffled));
        assertEquals(shuffled.size() - f.reports().size(), t.stats().duplicateReports());
        assertEquals(0, t.stats().lateSightings());

        // Whole areas delivered one after another: the extreme interleaving.
        List<ScanReport> byArea = new ArrayList<>();
        List<String> areas = new ArrayList<>(map.areas());
        java.util.Collections.reverse(areas);
        areas.forEach(a -> byArea.addAll(f.reportsOf(a)));
        assertEquals(inOrder, run(TrajectoryTracker.forAllAreas(map, WAIT_FOREVER), byArea));
    }

    @Test
    void networkDelaysWithinTheMaxLagChangeNothing() {
        MobilityFixture f = MobilityFixture.generate(MobilityFixture.Config.defaults(9));
        AreaMap map = f.config().map();
        List<Trajectory> inOrder = run(TrajectoryTracker.forAllAreas(map, TrajectoryTracker.Settings.DEFAULTS),
                f.reports());
        // Each report reaches the tracker up to 20 s late (FIFO per area), well within the 60 s max lag.
        Random rnd = new Random(99);
        record Delivery(long at, long seq, ScanReport report) {
        }
        List<Delivery> deliveries = new ArrayList<>();
        long seq = 0;
        for (String a : map.areas()) {
            long last = Long.MIN_VALUE;
            for (ScanReport r : f.reportsOf(a)) {
                last = Math.max(last, r.reportTime() + rnd.nextInt(20_000));
                deliveries.add(new Delivery(last, seq++, r));
            }
        }
        deliveries.sort(Comparator.comparingLong(Delivery::at).thenComparingLong(Delivery::seq));
        TrajectoryTracker t = TrajectoryTracker.forAllAreas(map, TrajectoryTracker.Settings.DEFAULTS);
        assertEquals(inOrder, run(t, deliveries.stream().map(Delivery::report).toList()));
        assertEquals(0, t.stats().lateSightings());
    }

    @Test
    void memoryStaysWithinTheDeviceCap() {
        MobilityFixture f = MobilityFixture.generate(MobilityFixture.Config.defaults(13));
        int cap = 50; // fewer than the 240 background devices plus 20 moving ones
        TrajectoryTracker t = TrajectoryTracker.forAllAreas(f.config().map(),
                TrajectoryTracker.Settings.DEFAULTS.withMaxDevices(cap));
        for (ScanReport r : f.reports()) {
            t.accept(r);
            assertTrue(t.trackedDevices() <= cap);
            assertTrue(t.stats().buffered() <= 4 * ScanReport.MAX_SIGHTINGS);
        }
        t.flush();
        assertTrue(t.trackedDevices() <= cap);
        assertTrue(t.stats().evicted() > 0);
    }

    @Test
    void theDefaultForgettingKeepsOnlyRecentDevices() {
        MobilityFixture f = MobilityFixture.generate(MobilityFixture.Config.defaults(17)
                .withDurationMillis(3_600_000L));
        TrajectoryTracker t = TrajectoryTracker.forAllAreas(f.config().map(),
                TrajectoryTracker.Settings.DEFAULTS.withForgetAfterMillis(120_000));
        run(t, f.reports());
        // Only devices seen in the last two minutes remain: at most every moving and background one,
        // and forgetting did happen.
        assertTrue(t.trackedDevices() <= f.movingDevices().size() + f.backgroundDevices().size());
        assertTrue(t.stats().forgotten() > 0);
    }

    // --- helpers ---

    static List<Trajectory> run(TrajectoryTracker tracker, List<ScanReport> reports) {
        List<Trajectory> out = new ArrayList<>();
        for (ScanReport r : reports) {
            out.addAll(tracker.accept(r));
        }
        out.addAll(tracker.flush());
        return out;
    }

    /** Every trip is matched, in order per device, by a trajectory within the scan bound; nothing else. */
    static void assertMatches(List<Trip> trips, List<Trajectory> out, long period) {
        Map<String, List<Trip>> tripsBy = trips.stream().collect(Collectors.groupingBy(Trip::device));
        Map<String, List<Trajectory>> outBy = out.stream().collect(Collectors.groupingBy(Trajectory::device));
        assertEquals(tripsBy.keySet(), outBy.keySet(), "devices with trips");
        assertEquals(trips.size(), out.size(), "number of trips");
        for (Map.Entry<String, List<Trip>> e : tripsBy.entrySet()) {
            List<Trip> ts = e.getValue().stream().sorted(Comparator.comparingLong(Trip::departure)).toList();
            List<Trajectory> os = outBy.get(e.getKey()).stream()
                    .sorted(Comparator.comparingLong(Trajectory::leftAt)).toList();
            assertEquals(ts.size(), os.size(), e.getKey());
            for (int i = 0; i < ts.size(); i++) {
                Trip t = ts.get(i);
                Trajectory o = os.get(i);
                String what = t + " vs " + o;
                assertEquals(t.from(), o.from(), what);
                assertEquals(t.to(), o.to(), what);
                assertEquals(t.metres(), o.metres(), what);
                assertTrue(o.leftAt() <= t.departure() && o.leftAt() > t.departure() - period, what);
                assertTrue(o.arrivedAt() >= t.arrival() && o.arrivedAt() < t.arrival() + period, what);
                long trueMillis = t.arrival() - t.departure();
                double lowest = t.metres() * 1000.0 / (trueMillis + 2 * period);
                assertTrue(o.speed() <= t.speed() && o.speed() > lowest, what);
                assertTrue((t.speed() - o.speed()) / t.speed() < 2.0 * period / (trueMillis + 2 * period), what);
            }
        }
    }
}
