package io.stare.bench.kubernetes;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.stare.bench.faults.PodDirectory;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;

/**
 * A Kubernetes API server for the bootstrap tests: fabric8's mock in CRUD mode, over HTTPS on
 * loopback, and a service-account directory (token, namespace, the server's certificate as CA)
 * as Kubernetes mounts one in a pod. The controller pods it holds are Running, on 127.0.0.1, with
 * container ports named "management" and "remoting".
 */
final class MockKubernetes implements PodDirectory, AutoCloseable {

    static final String NAMESPACE = "stare";
    static final String APP = "stare-controller";

    private final KubernetesMockServer api;
    private final KubernetesClient client;
    private final Path account;
    private final int requiredContactPoints;

    /**
     * @param directory where the service-account directory goes
     * @param requiredContactPoints the controller pods that must answer before a cluster is formed
     */
    MockKubernetes(Path directory, int requiredContactPoints) throws IOException {
        this.requiredContactPoints = requiredContactPoints;
        MockWebServer https = new MockWebServer();
        api = new KubernetesMockServer(new Context(), https, new HashMap<>(), new JsonCrudDispatcher(), true);
        api.init(InetAddress.getLoopbackAddress(), 0);
        account = Files.createDirectories(directory.resolve("serviceaccount"));
        Files.writeString(account.resolve("token"), "a-token-the-mock-does-not-check");
        Files.writeString(account.resolve("namespace"), NAMESPACE);
        Files.copy(Path.of(https.getSelfSignedCertificate().certificatePath()), account.resolve("ca.crt"),
                StandardCopyOption.REPLACE_EXISTING);
        client = api.createClient();
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

    @Override
    public Map<String, String> environment() {
        return Map.of(
                "STARE_CLUSTER_BOOTSTRAP", "kubernetes-api",
                "STARE_BOOTSTRAP_SERVICE_NAME", APP,
                "STARE_BOOTSTRAP_REQUIRED_CONTACT_POINTS", String.valueOf(requiredContactPoints),
                "STARE_KUBERNETES_SERVICE_ACCOUNT_DIR", account.toString(),
                "KUBERNETES_SERVICE_HOST", "localhost",
                "KUBERNETES_SERVICE_PORT", String.valueOf(api.getPort()));
    }

    @Override
    public void podStarted(String name, int managementPort, int remotingPort) {
        Pod pod = new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(NAMESPACE).addToLabels("app", APP).endMetadata()
                .withNewSpec().addNewContainer().withName("controller")
                .addNewPort().withName("management").withContainerPort(managementPort).endPort()
                .addNewPort().withName("remoting").withContainerPort(remotingPort).endPort()
                .endContainer().endSpec()
                .withNewStatus().withPhase("Running").withPodIP("127.0.0.1").endStatus()
                .build();
        client.pods().inNamespace(NAMESPACE).resource(pod).createOr(existing -> existing.update());
        client.pods().inNamespace(NAMESPACE).resource(pod).updateStatus();
    }

    @Override
    public void podDeleted(String name) {
        client.pods().inNamespace(NAMESPACE).withName(name).delete();
    }

    /** Where a test's processes run and log: {@code target/kubernetes/NAME}, emptied first, kept after. */
    static Path runDirectory(String name) throws IOException {
        Path directory = Path.of("target", "kubernetes", name).toAbsolutePath();
        if (Files.exists(directory)) {
            try (var old = Files.walk(directory)) {
                old.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
        return Files.createDirectories(directory);
    }

    @Override
    public void close() {
        client.close();
        api.destroy();
    }
}
