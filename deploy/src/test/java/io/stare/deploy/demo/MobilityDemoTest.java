package io.stare.deploy.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.deploy.demo.tracking.AreaMap;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The demo end to end on the embedded fabric, short: the testbed's four VNFs on a street of short
 * blocks (40 to 50 m instead of hundreds), so that devices cross several areas within seconds.
 */
@Timeout(90)
class MobilityDemoTest {

    /** The testbed's line of four areas, ten times shorter: walks of 20 to 60 s. */
    static final AreaMap SHORT_STREET = AreaMap.parse("area-1 area-2 40; area-2 area-3 35; area-3 area-4 45");

    static MobilityDemo.Settings quick(double loss) {
        // Scenario: a 1 s scan period played 10x faster, so a report per area every 100 ms; 10 s of
        // demo are 100 s of street.
        return MobilityDemo.Settings.defaults().withDevices(30).withPeriod(Duration.ofSeconds(1)).withSpeedup(10)
                .withLoss(loss).withSeed(3).withDuration(Optional.of(Duration.ofSeconds(10)))
                .withMap(SHORT_STREET);
    }

    @Test
    void theVnfsInferTheTrueTrajectories() throws Exception {
        try (MobilityDemo demo = MobilityDemo.start(quick(0))) {
            assertEquals(Map.of("area-1", "h1", "area-2", "h2", "area-3", "h2", "area-4", "h3"), demo.hosts());
            Thread.sleep(10_000); // the demo runs its scenario for these 10 s: time is the subject
            MobilityDemo.Snapshot s = demo.finish(Duration.ofSeconds(1));
            DemoCommand.summary(s, demo, demo.settings()).forEach(System.out::println);
            assertTrue(demo.failure().isEmpty(), () -> String.valueOf(demo.failure()));
            assertTrue(s.trajectories() > 0, s::toString);
            assertEquals(s.trajectories(), s.correct(), () -> "wrong directions: " + demo.trajectories().stream()
                    .filter(i -> !i.correct()).map(Object::toString).collect(Collectors.joining("\n")));
            for (MobilityDemo.VnfRow row : s.vnfs()) {
                assertTrue(row.published() > 50, row::toString);
                assertTrue(row.delivered() > 50, row::toString);
                assertEquals(0, row.refused(), row::toString);
                assertTrue(row.tracked() > 0, row::toString);
            }
            assertEquals(0, s.unrecoverable());
            // Every state has one subscriber port on s1: area-2 and area-3 share h2, whose middleware
            // delivers their states to each other locally.
            assertEquals(Map.of("scans/area-1", 1, "scans/area-2", 1, "scans/area-3", 1, "scans/area-4", 1),
                    s.subscriberPorts().get("s1"), s::toString);
            assertTrue(s.meanSpeedError() < 0.5, s::toString);
        }
    }

    @Test
    void withLossTheMiddlewaresRecoverAndTheDirectionsStayRight() throws Exception {
        try (MobilityDemo demo = MobilityDemo.start(quick(0.05))) {
            Thread.sleep(10_000); // the demo runs its scenario for these 10 s: time is the subject
            MobilityDemo.Snapshot s = demo.finish(Duration.ofSeconds(2));
            DemoCommand.summary(s, demo, demo.settings()).forEach(System.out::println);
            assertTrue(demo.failure().isEmpty(), () -> String.valueOf(demo.failure()));
            assertTrue(s.dropped() > 0, s::toString);
            assertTrue(s.recoveredSegments() > 0, s::toString);
            assertTrue(s.trajectories() > 0, s::toString);
            assertEquals(s.trajectories(), s.correct(), () -> "wrong directions: " + demo.trajectories().stream()
                    .filter(i -> !i.correct()).map(Object::toString).collect(Collectors.joining("\n")));
        }
    }
}
