package io.stare.bench.kubernetes;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.bench.faults.ProcessDeployment;
import io.stare.bench.faults.SequenceCheck;
import io.stare.bench.faults.SequenceTraffic;
import io.stare.protocol.time.TimeFactor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 18: the replica controller scaled and rolled as Kubernetes does it, under publishing, its
 * nodes and the middlewares bootstrapping through a (mock) Kubernetes API with no seed list. One
 * controller node grows to three, every node is replaced one at a time (a rolling update), the
 * controller grows to five, one node is killed (SIGKILL, its pod gone) and downed by the others,
 * then it shrinks to two, each removed node's pod deleted and its process sent SIGTERM. A publisher on h1 streams a known sequence at 200/s to subscribers on h2 and h3
 * throughout: nothing lost, repeated or reordered, and the backlog confirms every update;
 * {@code stare controller status} lists the controller nodes of each step, and the state's backlog
 * on one of them. About five minutes: run with {@code ./mvnw -Pslow -pl bench -am test}.
 */
@Tag("slow")
@Timeout(600)
class KubernetesScalingTest {

    @Test
    void scalingAndARollingUpdateUnderPublishingLoseNothing() throws Exception {
        Path run = MockKubernetes.runDirectory("scaling");
        try (MockKubernetes api = new MockKubernetes(run, 1);
             ProcessDeployment deployment = ProcessDeployment.start(run,
                     ProcessDeployment.Plan.of(3, Duration.ofSeconds(90)).withPods(api));
             SequenceTraffic traffic = new SequenceTraffic(deployment, "positions", "h1", List.of("h2", "h3"), 200,
                     Duration.ofSeconds(20))) {
            traffic.start();
            traffic.awaitAcknowledged(200);
            assertControllers(deployment, 1);

            deployment.addController();
            deployment.addController();
            traffic.awaitAcknowledged(200);
            assertControllers(deployment, 3);

            for (int n = 1; n <= 3; n++) {
                deployment.restartController(n);
                traffic.awaitAcknowledged(100);
            }
            assertControllers(deployment, 3);

            deployment.addController();
            deployment.addController();
            traffic.awaitAcknowledged(200);
            assertControllers(deployment, 5);

            // A node lost (SIGKILL): the others down it and its backlogs answer elsewhere.
            deployment.killController(5);
            traffic.awaitAcknowledged(200);
            assertControllers(deployment, 4);

            for (int n = 4; n >= 3; n--) {
                deployment.removeController(n);
                traffic.awaitAcknowledged(100);
            }
            assertControllers(deployment, 2);

            traffic.awaitAcknowledged(200);
            traffic.stopPublishing();
            Map<String, SequenceCheck.Tally> tallies = traffic.settle(Duration.ofSeconds(60));
            for (Map.Entry<String, SequenceCheck.Tally> tally : tallies.entrySet()) {
                SequenceCheck.Tally t = tally.getValue();
                assertTrue(t.clean() && t.delivered() == traffic.acknowledged() && t.lostWithNotice() == 0,
                        tally.getKey() + ": " + t + " of " + traffic.acknowledged());
            }
            Awaitility.await().atMost(TimeFactor.dilated(Duration.ofSeconds(90))).pollInterval(Duration.ofMillis(200))
                    .until(() -> deployment.unconfirmedUpdates("h1") == 0);
            System.out.println("kubernetes scaling: " + traffic.acknowledged() + " acknowledged, " + tallies);
        }
    }

    /**
     * {@code stare controller status} lists {@code count} controller nodes Up and reachable (once the
     * membership has settled), and one of them hosts the state's backlog shard.
     */
    private static void assertControllers(ProcessDeployment deployment, int count) {
        Awaitility.await().atMost(TimeFactor.dilated(Duration.ofSeconds(120))).pollInterval(Duration.ofSeconds(1))
                .until(() -> controllersUp(deployment.status()) == count);
        Awaitility.await().atMost(TimeFactor.dilated(Duration.ofSeconds(60))).pollInterval(Duration.ofSeconds(1))
                .until(() -> shardsHosted(deployment.status()) >= 1);
    }

    private static long controllersUp(List<String> status) {
        return status.stream().filter(l -> l.matches("pekko://\\S+\\s+Up\\s+yes\\s+replica-controller.*")).count();
    }

    /** The "total" row of the table "backlog shards per controller node". */
    private static int shardsHosted(List<String> status) {
        return status.stream().filter(l -> l.startsWith("total")).map(l -> Integer.parseInt(l.split("\\s+")[1]))
                .findFirst().orElse(0);
    }
}
