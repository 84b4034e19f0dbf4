package io.stare.bench.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.stare.bench.faults.RoleProcess;
import io.stare.protocol.time.TimeFactor;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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

    private static final String NAMESPACE = "stare";
    private static final String APP = "stare-controller";

    private static final List<String> JVM = List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            "-D" + TimeFactor.PROPERTY + "=" + TimeFactor.current());

    private final List<RoleProcess> nodes = new ArrayList<>();
    /** Processes that are not controller nodes (a middleware). */
    private final List<RoleProcess> others = new ArrayList<>();
    private final Map<RoleProcess, Integer> remotingPorts = new HashMap<>();
    private final Map<RoleProcess, Integer> managementPorts = new HashMap<>();
    private Path run;
    private KubernetesMockServer api;

    @AfterEach
    void stop() {
        nodes.forEach(RoleProcess::close);
        others.forEach(RoleProcess::close);
        if (api != null) {
            api.destroy();
        }
    }

    @Test
    void controllerNodesFormOneClusterThroughTheKubernetesApiAndFollowItsPods() throws Exception {
        run = directory();
        MockWebServer https = new MockWebServer();
        api = new KubernetesMockServer(new Context(), https, new HashMap<>(), new JsonCrudDispatcher(), true);
        api.init(InetAddress.getLoopbackAddress(), 0);
        Path account = Files.createDirectories(run.resolve("serviceaccount"));
        Files.writeString(account.resolve("token"), "a-token-the-mock-does-not-check");
        Files.writeString(account.resolve("namespace"), NAMESPACE);
        Files.copy(Path.of(https.getSelfSignedCertificate().certificatePath()), account.resolve("ca.crt"),
                StandardCopyOption.REPLACE_EXISTING);

        try (KubernetesClient client = api.createClient()) {
            for (int n = 1; n <= 3; n++) {
                start(client, run, account, n);
            }
            for (RoleProcess node : nodes) {
                node.awaitLine("replica controller node .* up; .*members: [1-9]");
            }
            awaitControllers(3);
            // What the pods' probes ask: ready once a member Up, alive while the system runs.
            for (int management : managementPorts.values()) {
                assertEquals(200, get(management, "/ready"));
                assertEquals(200, get(management, "/alive"));
            }
            // A middleware, bootstrapped the same way with no seed, joins the controllers' cluster.
            RoleProcess middleware = new RoleProcess("h1", List.of(), List.of("middleware", "--server-id", "h1",
                    "--switch-port", "127.0.0.1:" + freePort(), "--gateway", "127.0.0.1:" + freePort()), run,
                    bootstrapEnvironment(account, freePort()), JVM, TimeFactor.dilated(Duration.ofSeconds(90)));
            others.add(middleware);
            middleware.start().awaitLine("middleware h1 up");

            start(client, run, account, 4).awaitLine("replica controller node .* up");
            awaitControllers(4);

            // Deleted: Kubernetes sends SIGTERM; the node leaves and hands its shards over.
            RoleProcess deleted = nodes.get(1);
            client.pods().inNamespace(NAMESPACE).withName(APP + "-2").delete();
            deleted.stop();
            nodes.get(0).awaitLine("member removed: pekko://stare@127\\.0\\.0\\.1:" + remotingPorts.get(deleted)
                    + " \\(replica-controller\\) \\(was Exiting\\)");
            awaitControllers(3);

            // Killed: no goodbye; the split-brain resolver downs it and the others go on.
            RoleProcess killed = nodes.get(2);
            killed.kill();
            client.pods().inNamespace(NAMESPACE).withName(APP + "-3").delete();
            awaitControllers(2);
        }
    }

    /**
     * The CRUD dispatcher, its reads labelled as JSON, as a real API server labels them (the mock
     * sends no Content-Type, and Pekko's discovery refuses a body it cannot tell is JSON).
     */
    private static final class JsonCrudDispatcher extends KubernetesCrudDispatcher {
        @Override
        public MockResponse handleGet(String path) {
            return super.handleGet(path).setHeader("Content-Type", "application/json");
        }
    }

    /** Creates pod {@code n} and starts its controller process as the pod's container would. */
    private RoleProcess start(KubernetesClient client, Path run, Path account, int n) throws Exception {
        int management = freePort();
        int remoting = freePort();
        Pod pod = new PodBuilder()
                .withNewMetadata().withName(APP + "-" + n).withNamespace(NAMESPACE).addToLabels("app", APP).endMetadata()
                .withNewSpec().addNewContainer().withName("controller")
                .addNewPort().withName("management").withContainerPort(management).endPort()
                .addNewPort().withName("remoting").withContainerPort(remoting).endPort()
                .endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP("127.0.0.1").endStatus()
                .build();
        client.pods().inNamespace(NAMESPACE).resource(pod).create();
        client.pods().inNamespace(NAMESPACE).resource(pod).updateStatus();
        Map<String, String> environment = new HashMap<>(bootstrapEnvironment(account, management));
        environment.put("STARE_PERSISTENCE_STORE", "h2-file");
        environment.put("STARE_H2_PATH", run.resolve("backlogs").toString());
        RoleProcess node = new RoleProcess(APP + "-" + n, List.of(), List.of("controller", "--host", "127.0.0.1",
                "--port", String.valueOf(remoting)), run, environment, JVM, TimeFactor.dilated(Duration.ofSeconds(90)));
        nodes.add(node);
        remotingPorts.put(node, remoting);
        managementPorts.put(node, management);
        return node.start();
    }

    /** What a pod of the manifests sets for Cluster Bootstrap, pointed at the mock API server. */
    private Map<String, String> bootstrapEnvironment(Path account, int management) {
        return Map.of(
                "STARE_CLUSTER_BOOTSTRAP", "kubernetes-api",
                "STARE_BOOTSTRAP_SERVICE_NAME", APP,
                "STARE_BOOTSTRAP_REQUIRED_CONTACT_POINTS", "3",
                "STARE_KUBERNETES_SERVICE_ACCOUNT_DIR", account.toString(),
                "KUBERNETES_SERVICE_HOST", "localhost",
                "KUBERNETES_SERVICE_PORT", String.valueOf(api.getPort()),
                "STARE_MANAGEMENT_HOST", "127.0.0.1",
                "STARE_MANAGEMENT_PORT", String.valueOf(management));
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

    private static int get(int port, String path) throws Exception {
        java.net.http.HttpResponse<String> response = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(10)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        return response.statusCode();
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static Path directory() throws java.io.IOException {
        Path directory = Path.of("target", "kubernetes", "bootstrap").toAbsolutePath();
        if (Files.exists(directory)) {
            try (var old = Files.walk(directory)) {
                old.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
        return Files.createDirectories(directory);
    }
}
