package io.stare.bench.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.testing.ArteryJunk;
import io.stare.testing.TestCertificates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 17, items 8 and 9, as an operator meets them: the controller and the middlewares run as
 * processes with {@code --tls-dir} (certificates from one CA, made with openssl). Updates flow; a
 * stranger's {@code stare controller status} (no certificate, or another CA's) gets nothing, the
 * cluster's own gets the members; the 25-byte frame with length -1 that made a plain-TCP node log
 * "Dropping message" at 8 MB/s is turned away at the handshake.
 */
@Timeout(300)
class ClusterTlsProcessTest {

    @Test
    void onlyHoldersOfTheClustersCertificatesTalkToItAndJunkCostsNothing() throws Exception {
        Assumptions.assumeTrue(TestCertificates.opensslAvailable(), "openssl is not available");
        Path run = FaultRuns.directory("cluster-tls");
        TestCertificates ca = TestCertificates.authority(run.resolve("ca"), "stare-test-ca");
        Map<String, Path> certificates = Map.of("controller", ca.node("controller"), "h1", ca.node("h1"),
                "h2", ca.node("h2"));
        Path operator = ca.node("operator");
        Path stranger = TestCertificates.authority(run.resolve("other-ca"), "another-ca").node("stranger");

        try (ProcessDeployment deployment = ProcessDeployment.start(run,
                ProcessDeployment.Plan.of(2, Duration.ofSeconds(60)).withTls(certificates::get));
             SequenceTraffic traffic = new SequenceTraffic(deployment, "positions", "h1", List.of("h2"), 200,
                     Duration.ofSeconds(20))) {
            traffic.start();
            traffic.awaitAcknowledged(100);

            assertNotEquals(0, status(deployment, "status-plain", null).awaitExit(), "plain TCP got in");
            assertNotEquals(0, status(deployment, "status-other-ca", stranger).awaitExit(), "another CA got in");
            ArteryJunk.sendNegativeLengthFrame(deployment.controllerPort());

            // The marker: after the strangers and the junk, the cluster's own certificate gets the members
            // (the controller, two middlewares and the status client itself).
            RoleProcess mine = status(deployment, "status-operator", operator);
            assertEquals(0, mine.awaitExit(), mine.tail());
            assertTrue(mine.lines().stream().anyMatch(line -> line.startsWith("members (4)")), mine.tail());
            long dropping = deployment.controller().lines().stream().filter(l -> l.contains("Dropping message")).count();
            assertEquals(0, dropping, deployment.controller().tail());

            traffic.awaitAcknowledged(100);
            traffic.stopPublishing();
            SequenceCheck.Tally h2 = traffic.settle(Duration.ofSeconds(30)).get("h2");
            assertTrue(h2.clean() && h2.delivered() == traffic.acknowledged(), h2.toString());
        }
    }

    private static RoleProcess status(ProcessDeployment deployment, String name, Path tls) {
        List<String> arguments = new java.util.ArrayList<>(List.of("controller", "status", "--seed",
                "127.0.0.1:" + deployment.controllerPort(), "--host", "127.0.0.1", "--timeout", "10s"));
        if (tls != null) {
            arguments.add("--tls-dir");
            arguments.add(tls.toString());
        }
        return deployment.command(name, arguments).start();
    }

}
