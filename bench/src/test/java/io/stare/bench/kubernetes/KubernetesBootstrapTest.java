package io.stare.bench.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.bench.faults.RoleProcess;
import io.stare.protocol.time.TimeFactor;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 18: replica controller nodes find each other with no seed list, through Pekko Management's
 * Cluster Bootstrap and the Kubernetes API, as the manifests start them: the same command and
 * environment ({@code STARE_CLUSTER_BOOTSTRAP=kubernetes-api}, the service account's directory,
 * {@code KUBERNETES_SERVICE_HOST/PORT}), each a process of its own. The API is fabric8's mock
 * server in CRUD mode over HTTPS on loopback, holding the pod objects (phase Running, pod IP
 * 127.0.0.1, a container port named "management" per pod). Three form one cluster, a middleware
 * bootstrapped the same way joins them, a fourth controller joins, one is deleted (SIGTERM) and
 * leaves, one is killed (SIGKILL) and is downed. About 90 s:
 * run with {@code ./mvnw -Pslow -pl bench -am test}.
 */
@Tag("slow")
@Timeout(300)
class KubernetesBootstrapTest {

    private static final List<String> JVM = List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-D" + TimeFactor.PROPERTY + "=" + TimeFactor.current());

    private final List<RoleProcess> nodes = new ArrayList<>();
    /** Processes that are not controller nodes (a middleware). */
    private final List<RoleProcess> others = new ArrayList<>();
    private final Map<RoleProcess, Integer> remotingPorts = new HashMap<>();
    private final Map<RoleProcess, Integer> managementPorts = new HashMap<>();
    private Path run;
    private MockKubernetes api;

    @AfterEach
    void stop() {
        nodes.forEach(RoleProcess::close);
        others.forEach(RoleProcess::close);
        if (api != null) {
            api.close();
        }
    }

    @Test
    void controllerNodesFormOneClusterThroughTheKubernetesApiAndFollowItsPods() throws Exception {
        run = MockKubernetes.runDirectory("bootstrap");
        api = new MockKubernetes(run, 3);
        for (int n = 1; n <= 3; n++) {
            start(n);
        }
        for (RoleProcess node : nodes) {
            node.awaitLine("replica controller node .* up; .*members: [1-9]");
        }
        awaitControllers(3);
        // What the pods' probes ask: ready once a member Up, alive while the system runs; and what
        // Prometheus scrapes, on the same port.
        for (int management : managementPorts.values()) {
            assertEquals(200, get(management, "/ready").statusCode());
            assertEquals(200, get(management, "/alive").statusCode());
            java.net.http.HttpResponse<String> metrics = get(management, "/metrics");
            assertEquals(200, metrics.statusCode());
            assertTrue(metrics.body().contains("stare_controller_nodes{cluster=\"stare\"} 3.0\n"), metrics.body());
        }
        // A middleware, bootstrapped the same way with no seed, joins the controllers' cluster.
        RoleProcess middleware = new RoleProcess("h1", List.of(), List.of("middleware", "--server-id", "h1",
                "--switch-port", "127.0.0.1:" + freePort(), "--gateway", "127.0.0.1:" + freePort()), run,
                environment(freePort()), JVM, TimeFactor.dilated(Duration.ofSeconds(90)));
        others.add(middleware);
        middleware.start().awaitLine("middleware h1 up");

        start(4).awaitLine("replica controller node .* up");
        awaitControllers(4);

        // Deleted: Kubernetes deletes the pod and sends SIGTERM; the node leaves, handing its shards over.
        RoleProcess deleted = nodes.get(1);
        api.podDeleted(deleted.name());
        deleted.stop();
        nodes.get(0).awaitLine("member removed: pekko://stare@127\\.0\\.0\\.1:" + remotingPorts.get(deleted)
                + " \\(replica-controller\\) \\(was Exiting\\)");
        awaitControllers(3);

        // Killed: no goodbye; the split-brain resolver downs it and the others go on.
        RoleProcess killed = nodes.get(2);
        killed.kill();
        api.podDeleted(killed.name());
        awaitControllers(2);
    }

    /** Publishes pod {@code n} and starts its controller process as the pod's container would. */
    private RoleProcess start(int n) throws Exception {
        int management = freePort();
        int remoting = freePort();
        String name = MockKubernetes.APP + "-" + n;
        api.podStarted(name, management, remoting);
        Map<String, String> environment = new HashMap<>(environment(management));
        environment.put("STARE_PERSISTENCE_STORE", "h2-file");
        environment.put("STARE_H2_PATH", run.resolve("backlogs").toString());
        RoleProcess node = new RoleProcess(name, List.of(), List.of("controller", "--host", "127.0.0.1",
                "--port", String.valueOf(remoting)), run, environment, JVM, TimeFactor.dilated(Duration.ofSeconds(90)));
        nodes.add(node);
        remotingPorts.put(node, remoting);
        managementPorts.put(node, management);
        return node.start();
    }

    /** What a pod of the manifests sets for Cluster Bootstrap, pointed at the mock API server. */
    private Map<String, String> environment(int management) {
        Map<String, String> environment = new HashMap<>(api.environment());
        environment.put("STARE_MANAGEMENT_HOST", "127.0.0.1");
        environment.put("STARE_MANAGEMENT_PORT", String.valueOf(management));
        return environment;
    }

    /**
     * Waits until {@code stare controller status}, asked of a live node, lists {@code count} controller
     * nodes Up and reachable, and every one of them hosts shards.
     */
    private void awaitControllers(int count) {
        org.awaitility.Awaitility.await().atMost(TimeFactor.dilated(Duration.ofSeconds(120)))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> controllersUp() == count);
    }

    /** The controller nodes Up and reachable in {@code stare controller status}; -1 if it failed. */
    private int controllersUp() throws InterruptedException {
        RoleProcess witness = nodes.stream().filter(RoleProcess::isAlive).findFirst().orElseThrow();
        RoleProcess status = new RoleProcess("status-" + System.nanoTime(), List.of(), List.of("controller", "status",
                "--seed", "127.0.0.1:" + remotingPorts.get(witness), "--host", "127.0.0.1", "--timeout", "20s"), run,
                Map.of(), List.of("-XX:TieredStopAtLevel=1"), TimeFactor.dilated(Duration.ofSeconds(60))).start();
        if (status.awaitExit() != 0) {
            return -1;
        }
        return (int) status.lines().stream().filter(l -> l.matches("pekko://\\S+\\s+Up\\s+yes\\s+replica-controller.*"))
                .count();
    }

    private static java.net.http.HttpResponse<String> get(int port, String path) throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(10)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
