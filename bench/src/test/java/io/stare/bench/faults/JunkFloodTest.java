package io.stare.bench.faults;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 17, item 10: junk at every listener (switch ports, tunnel sockets, gateways, the cluster
 * port, P4Runtime) while a publisher streams: nothing is lost, repeated or reordered, and every
 * role still serves the stream to its end. How much the junk slows genuine traffic is a figure of
 * the fault table (p50 first beside p50 last, {@code stare bench faults}), not asserted here.
 */
@Timeout(300)
class JunkFloodTest {

    @Test
    void junkAtEveryListenerLosesNothing() throws Exception {
        java.util.Map<String, long[]> resident = new java.util.TreeMap<>(); // before and after, KiB
        FaultScenario.Outcome outcome = FaultScenario.JUNK_FLOOD.run(FaultRuns.directory("junk-flood"), 200, 400, 800,
                (deployment, traffic) -> {
                    for (String role : java.util.List.of("h1", "h2", "h3")) {
                        resident.put(role, new long[] {deployment.middleware(role).residentKiB(), -1});
                    }
                    resident.put("softswitch", new long[] {deployment.softswitch().residentKiB(), -1});
                    return () -> resident.forEach((role, kib) -> kib[1] = role.equals("softswitch")
                            ? deployment.softswitch().residentKiB() : deployment.middleware(role).residentKiB());
                });
        System.out.println("junk flood: " + outcome);
        resident.forEach((role, kib) -> System.out.printf("junk flood: %s resident %,d KiB before, %,d KiB after%n",
                role, kib[0], kib[1]));
        assertTrue(outcome.junk() > 1_000, "the flood ran alongside the stream: " + outcome);
        assertTrue(outcome.nothingLost(), outcome.toString());
    }
}
