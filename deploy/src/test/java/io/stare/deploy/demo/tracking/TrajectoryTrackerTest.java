package io.stare.deploy.demo.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TrajectoryTrackerTest {

    private static final AreaMap MAP = AreaMap.paperTestbed();
    private static final String PHONE = "a1b2c3d4e5f6";
    private static final String OTHER = "0123456789ab";
    private static final TrajectoryTracker.Settings WAIT_FOREVER =
            TrajectoryTracker.Settings.DEFAULTS.withMaxLagMillis(Long.MAX_VALUE);

    private static ScanReport report(String area, long time, String... devices) {
        List<Sighting> s = new ArrayList<>();
        for (String d : devices) {
            s.add(new Sighting(d, time, -60));
        }
        return new ScanReport(area, "scanner-" + area, time, s);
    }

    private static List<Trajectory> feed(TrajectoryTracker t, ScanReport... reports) {
        List<Trajectory> out = new ArrayList<>();
        for (ScanReport r : reports) {
            out.addAll(t.accept(r));
        }
        out.addAll(t.flush());
        return out;
    }

    @Test
    void aWalkFromXToYIsInferredWithItsSpeed() {
        TrajectoryTracker t = TrajectoryTracker.forArea(MAP, "area-1", WAIT_FOREVER);
        List<Trajectory> out = feed(t,
                report("area-1", 0, PHONE), report("area-2", 0),
                report("area-1", 2_000, PHONE), report("area-2", 2_000),
                report("area-1", 4_000), report("area-2", 4_000),
                report("area-1", 202_000), report("area-2", 202_000, PHONE),
                report("area-1", 204_000), report("area-2", 204_000, PHONE));
        assertEquals(List.of(new Trajectory(PHONE, "area-1", "area-2", 2_000, 202_000, 400, 2.0)), out);
        assertEquals(1, t.stats().trajectories());
    }

    @Test
    void theDirectionFollowsTime() {
        TrajectoryTracker t = TrajectoryTracker.forArea(MAP, "area-1", WAIT_FOREVER);
        List<Trajectory> out = feed(t,
                report("area-2", 0, PHONE), report("area-1", 0),
                report("area-2", 100_000), report("area-1", 100_000, PHONE),
                report("area-2", 400_000, PHONE), report("area-1", 400_000));
        assertEquals(List.of(
                new Trajectory(PHONE, "area-2", "area-1", 0, 100_000, 400, 4.0),
                new Trajectory(PHONE, "area-1", "area-2", 100_000, 400_000, 400, 400 / 300.0)), out);
    }

    @Test
    void aDeviceSeenInOneAreaOnlyHasNoTrajectory() {
        TrajectoryTracker t = TrajectoryTracker.forAllAreas(MAP, WAIT_FOREVER);
        List<ScanReport> rs = new ArrayList<>();
        for (long time = 0; time < 100_000; time += 2_000) {
            for (String a : MAP.areas()) {
                rs.add(a.equals("area-3") ? report(a, time, PHONE, OTHER) : report(a, time));
            }
        }
        assertEquals(List.of(), feed(t, rs.toArray(ScanReport[]::new)));
        assertTrue(t.visits(PHONE).isPresent());
        assertEquals(Set.of("area-3"), t.visits(PHONE).orElseThrow().keySet());
    }

    @Test
    void visitsKeepTheLastSightingAndBestRssiPerArea() {
        TrajectoryTracker t = TrajectoryTracker.forArea(MAP, "area-1", WAIT_FOREVER);
        t.accept(new ScanReport("area-1", "s", 10, List.of(new Sighting(PHONE, 10, -70))));
        t.accept(new ScanReport("area-1", "s", 20, List.of(new Sighting(PHONE, 20, -50))));
        t.accept(new ScanReport("area-1", "s", 30, List.of(new Sighting(PHONE, 30, -80))));
        t.accept(new ScanReport("area-2", "s", 500_000, List.of(new Sighting(PHONE, 500_000, -90))));
        t.flush();
        Map<String, TrajectoryTracker.Visit> v = t.visits(PHONE).orElseThrow();
        assertEquals(new TrajectoryTracker.Visit(10, 30, -50), v.get("area-1"));
        assertEquals(new TrajectoryTracker.Visit(500_000, 500_000, -90), v.get("area-2"));
    }

    @Test
    void implausibleSpeedsAreCountedNotReported() {
        TrajectoryTracker t = TrajectoryTracker.forArea(MAP, "area-1", WAIT_FOREVER.withMaxSpeed(10));
        List<Trajectory> out = feed(t,
                report("area-1", 0, PHONE), report("area-2", 0),
                report("area-1", 20_000), report("area-2", 20_000, PHONE),       // 400 m in 20 s: 20 m/s
                report("area-1", 30_000, OTHER), report("area-2", 30_000, OTHER)); // simultaneous
        assertEquals(List.of(), out);
        assertEquals(2, t.stats().implausible());
    }

    @Test
    void noTrajectorySpansAForgottenGap() {
        TrajectoryTracker t = TrajectoryTracker.forArea(MAP, "area-1", WAIT_FOREVER.withForgetAfterMillis(60_000));
        List<Trajectory> out = feed(t,
                report("area-1", 0, PHONE), report("area-2", 0),
                report("area-1", 60_001), report("area-2", 60_001, PHONE));
        assertEquals(List.of(), out);
        assertEquals(1, t.stats().forgotten());
        TrajectoryTracker u = TrajectoryTracker.forArea(MAP, "area-1", WAIT_FOREVER.withForgetAfterMillis(60_000));
        assertEquals(1, feed(u,
                report("area-1", 0, PHONE), report("area-2", 0),
                report("area-1", 60_000), report("area-2", 60_000, PHONE)).size());
    }

    @Test
    void forgottenDevicesAreDroppedFromMemory() {
        TrajectoryTracker t = TrajectoryTracker.forArea(MAP, "area-1", WAIT_FOREVER.withForgetAfterMillis(10_000));
        t.accept(report("area-1", 0, PHONE, OTHER));
        t.accept(report("area-2", 0));
        t.accept(report("area-1", 5_000, OTHER));
        t.accept(report("area-2", 5_000));
        assertEquals(2, t.trackedDevices());
        t.accept(report("area-1", 12_000));
        t.accept(report("area-2", 12_000));
        assertEquals(1, t.trackedDevices());
        assertTrue(t.visits(PHONE).isEmpty());
        t.accept(report("area-1", 16_000));
        t.accept(report("area-2", 16_000));
        assertEquals(0, t.trackedDevices());
        assertEquals(2, t.stats().forgotten());
    }

    @Test
    void theDeviceCapEvictsTheLeastRecentlySeen() {
        int cap = 10;
        TrajectoryTracker t = TrajectoryTracker.forArea(MAP, "area-1", WAIT_FOREVER.withMaxDevices(cap));
        for (int i = 0; i < 100; i++) {
            t.accept(report("area-1", i * 1_000L, String.format("%012x", i)));
            t.accept(report("area-2", i * 1_000L));
            assertTrue(t.trackedDevices() <= cap);
        }
        t.flush();
        assertEquals(cap, t.trackedDevices());
        assertEquals(90, t.stats().evicted());
        for (int i = 0; i < 100; i++) {
            assertEquals(i >= 90, t.visits(String.format("%012x", i)).isPresent(), "device " + i);
        }
        // An evicted device seen elsewhere later yields nothing; a kept one yields its walk.
        List<Trajectory> out = feed(t, report("area-2", 300_000, String.format("%012x", 0), String.format("%012x", 99)),
                report("area-1", 300_000));
        assertEquals(1, out.size());
        assertEquals(String.format("%012x", 99), out.get(0).device());
    }

    @Test
    void aDeviceTouchedAgainIsNotEvicted() {
        TrajectoryTracker t = TrajectoryTracker.forArea(MAP, "area-1", WAIT_FOREVER.withMaxDevices(2));
        t.accept(report("area-1", 0, PHONE));
        t.accept(report("area-1", 1, OTHER));
        t.accept(report("area-1", 2, PHONE));
        t.accept(report("area-1", 3, "bbbbbbbbbbbb"));
        t.accept(report("area-2", 10));
        t.flush();
        assertTrue(t.visits(PHONE).isPresent());
        assertTrue(t.visits(OTHER).isEmpty());
    }

    @Test
    void duplicateAndForeignReportsAreDropped() {
        TrajectoryTracker t = TrajectoryTracker.forArea(MAP, "area-1", WAIT_FOREVER);
        ScanReport r = report("area-1", 0, PHONE);
        t.accept(r);
        t.accept(r);
        t.accept(report("area-3", 0, PHONE));
        TrajectoryTracker.Stats s = t.stats();
        assertEquals(1, s.reports());
        assertEquals(1, s.duplicateReports());
        assertEquals(1, s.foreignReports());
    }

    @Test
    void sightingsWaitForEveryListenedArea() {
        TrajectoryTracker t = TrajectoryTracker.forArea(MAP, "area-2", WAIT_FOREVER);
        assertEquals(Set.of("area-1", "area-2", "area-3"), t.areas());
        t.accept(report("area-1", 0, PHONE));
        t.accept(report("area-2", 200_000, PHONE));
        assertEquals(2, t.stats().buffered());
        assertEquals(0, t.stats().sightings());
        // Every area has reported: the watermark is area-1's 0, and only what precedes it is processed.
        assertEquals(List.of(), t.accept(report("area-3", 100_000)));
        assertEquals(2, t.stats().buffered());
        assertEquals(List.of(), t.accept(report("area-1", 200_001)));   // watermark 100 000
        assertEquals(1, t.stats().buffered());
        assertEquals(List.of(), t.accept(report("area-3", 200_001)));   // watermark 200 000
        List<Trajectory> out = t.accept(report("area-2", 200_001));    // watermark 200 001
        assertEquals(List.of(new Trajectory(PHONE, "area-1", "area-2", 0, 200_000, 400, 2.0)), out);
        assertEquals(0, t.stats().buffered());
    }

    @Test
    void aSilentNeighbourHoldsBackNoLongerThanTheMaxLag() {
        TrajectoryTracker t = TrajectoryTracker.forArea(MAP, "area-1",
                TrajectoryTracker.Settings.DEFAULTS.withMaxLagMillis(30_000));
        t.accept(report("area-1", 0, PHONE));
        assertEquals(1, t.stats().buffered());
        t.accept(report("area-1", 30_000));
        assertEquals(1, t.stats().buffered()); // released strictly before 0
        t.accept(report("area-1", 30_001));
        assertEquals(0, t.stats().buffered());
        // The neighbour comes back with an old sighting: it is late.
        t.accept(report("area-2", 0, OTHER));
        assertEquals(1, t.stats().lateSightings());
    }

    @Test
    void settingsValidate() {
        TrajectoryTracker.Settings d = TrajectoryTracker.Settings.DEFAULTS;
        assertThrows(IllegalArgumentException.class, () -> d.withForgetAfterMillis(0));
        assertThrows(IllegalArgumentException.class, () -> d.withMaxDevices(0));
        assertThrows(IllegalArgumentException.class, () -> d.withMaxSpeed(0));
        assertThrows(IllegalArgumentException.class, () -> d.withMaxSpeed(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> d.withMaxLagMillis(-1));
        assertThrows(IllegalArgumentException.class, () -> new TrajectoryTracker(MAP, Set.of(), d));
        assertThrows(IllegalArgumentException.class, () -> new TrajectoryTracker(MAP, Set.of("area-9"), d));
    }
}
