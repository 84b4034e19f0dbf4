package io.stare.deploy.demo.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.deploy.demo.tracking.MobilityFixture.Trip;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MobilityFixtureTest {

    private static final MobilityFixture.Config DEFAULTS = MobilityFixture.Config.defaults(1);

    @Test
    void everyReportHoldsTenToFiftyDistinctDevices() {
        MobilityFixture f = MobilityFixture.generate(DEFAULTS);
        assertEquals(4 * (DEFAULTS.durationMillis() / DEFAULTS.periodMillis()), f.reports().size(), 4.0);
        for (ScanReport r : f.reports()) {
            int n = r.sightings().size();
            assertTrue(n >= 10 && n <= 50, r.area() + " " + r.reportTime() + ": " + n);
            assertEquals(n, r.sightings().stream().map(Sighting::device).distinct().count());
            assertTrue(r.sightings().stream().allMatch(s -> s.timestamp() == r.reportTime()));
        }
    }

    @Test
    void eachScannerReportsEveryPeriod() {
        MobilityFixture f = MobilityFixture.generate(DEFAULTS);
        for (String a : DEFAULTS.map().areas()) {
            List<ScanReport> rs = f.reportsOf(a);
            for (int i = 1; i < rs.size(); i++) {
                assertEquals(DEFAULTS.periodMillis(), rs.get(i).reportTime() - rs.get(i - 1).reportTime());
            }
        }
    }

    @Test
    void theSameSeedGivesTheSameFixture() {
        MobilityFixture a = MobilityFixture.generate(DEFAULTS);
        MobilityFixture b = MobilityFixture.generate(DEFAULTS);
        assertEquals(a.trips(), b.trips());
        assertEquals(a.reports(), b.reports());
        assertNotEquals(a.trips(), MobilityFixture.generate(DEFAULTS.withSeed(2)).trips());
    }

    @Test
    void tripsWalkBetweenNeighboursAtTheConfiguredSpeeds() {
        MobilityFixture f = MobilityFixture.generate(DEFAULTS);
        assertTrue(f.trips().size() > 50, "trips: " + f.trips().size());
        Map<String, Trip> last = new HashMap<>();
        for (Trip t : f.trips()) {
            assertTrue(DEFAULTS.map().neighbours(t.from()).contains(t.to()), t.toString());
            assertEquals(DEFAULTS.map().distance(t.from(), t.to()).orElseThrow(), t.metres());
            assertTrue(t.speed() >= 0.8 - 1e-3 && t.speed() <= 2.0 + 1e-3, t.toString());
            assertEquals(t.metres() * 1000.0 / (t.arrival() - t.departure()), t.speed(), 1e-9);
            Trip before = last.put(t.device(), t);
            if (before != null) {
                assertEquals(before.to(), t.from(), "a device continues from where it arrived");
                assertTrue(t.departure() - before.arrival() >= DEFAULTS.minDwellMillis());
            }
        }
        assertTrue(f.movingDevices().containsAll(last.keySet()));
    }

    @Test
    void backgroundDevicesStayInOneAreaAndMovingOnesAreHeardWhileTheyStay() {
        MobilityFixture f = MobilityFixture.generate(DEFAULTS);
        Map<String, Set<String>> areasOf = new HashMap<>();
        for (ScanReport r : f.reports()) {
            r.sightings().forEach(s -> areasOf.computeIfAbsent(s.device(), k -> new HashSet<>()).add(r.area()));
        }
        f.backgroundDevices().forEach(d -> assertTrue(areasOf.getOrDefault(d, Set.of()).size() <= 1, d));
        assertEquals(4 * DEFAULTS.backgroundPerArea(), f.backgroundDevices().size());
        assertTrue(f.trips().stream().allMatch(t -> areasOf.get(t.device()).containsAll(Set.of(t.from(), t.to()))));
        assertEquals(DEFAULTS.devices(), f.movingDevices().size());
        assertTrue(f.movingDevices().stream().noneMatch(f.backgroundDevices()::contains));
    }

    @Test
    void configurationIsValidated() {
        assertThrows(IllegalArgumentException.class, () -> DEFAULTS.withDevices(51));
        assertThrows(IllegalArgumentException.class, () -> DEFAULTS.withSpeeds(0, 1));
        assertThrows(IllegalArgumentException.class, () -> DEFAULTS.withSpeeds(2, 1));
        assertThrows(IllegalArgumentException.class, () -> DEFAULTS.withDurationMillis(1));
        assertEquals(20_000, DEFAULTS.withPeriodMillis(20_000).minDwellMillis());
    }
}
