package io.stare.bench.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 18: every overlay of {@code k8s/} renders ({@code kubectl kustomize}) into objects that fit
 * together, checked as typed Kubernetes objects (fabric8's model): selectors match the pods'
 * labels, every container has probes on named ports, resources and a non-root security context,
 * the ports are named as Cluster Bootstrap expects and agree with the environment, the RBAC grants
 * exactly get/list/watch on pods to the pods' service account, every variable the controller needs
 * is set, and every STARE variable set is one the code reads. Skipped where kubectl is missing.
 */
class ManifestsTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    /** The variables a controller needs in Kubernetes (docs/kubernetes.md). */
    private static final List<String> CONTROLLER_NEEDS = List.of("STARE_CLUSTER_BOOTSTRAP", "STARE_CLUSTER_HOST",
            "STARE_CLUSTER_PORT", "STARE_MANAGEMENT_HOST", "STARE_MANAGEMENT_PORT", "STARE_BOOTSTRAP_SERVICE_NAME",
            "STARE_BOOTSTRAP_REQUIRED_CONTACT_POINTS", "STARE_PERSISTENCE_STORE");
    /** Set for Kubernetes' own substitution ($(POD_IP)) and the JVM, not read by STARE. */
    private static final Set<String> NOT_STARE = Set.of("POD_IP", "JAVA_TOOL_OPTIONS");

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void theOverlayRendersIntoObjectsThatFitTogether(String overlay) throws Exception {
        List<HasMetadata> objects = render(ROOT.resolve("k8s/overlays").resolve(overlay));
        Deployment controller = only(objects, Deployment.class, "stare-controller");
        PodTemplateSpec template = controller.getSpec().getTemplate();
        Map<String, String> labels = template.getMetadata().getLabels();

        assertTrue(selects(controller.getSpec().getSelector().getMatchLabels(), labels), "the Deployment's selector");
        for (PodDisruptionBudget budget : all(objects, PodDisruptionBudget.class)) {
            assertTrue(selects(budget.getSpec().getSelector().getMatchLabels(), labels), budget.getMetadata().getName());
        }
        for (HorizontalPodAutoscaler autoscaler : all(objects, HorizontalPodAutoscaler.class)) {
            assertEquals("Deployment", autoscaler.getSpec().getScaleTargetRef().getKind());
            assertEquals(controller.getMetadata().getName(), autoscaler.getSpec().getScaleTargetRef().getName());
        }

        PodSpec pod = template.getSpec();
        for (Container container : pod.getContainers()) {
            String where = overlay + "/" + container.getName();
            assertProbeOnNamedPort(container.getReadinessProbe(), container, where + " readiness");
            assertProbeOnNamedPort(container.getLivenessProbe(), container, where + " liveness");
            assertNotNull(container.getResources().getRequests().get("cpu"), where + " cpu request");
            assertNotNull(container.getResources().getLimits().get("memory"), where + " memory limit");
            boolean nonRoot = Boolean.TRUE.equals(pod.getSecurityContext().getRunAsNonRoot())
                    || Boolean.TRUE.equals(container.getSecurityContext().getRunAsNonRoot());
            assertTrue(nonRoot, where + " runs as non-root");
            assertEquals(Boolean.FALSE, container.getSecurityContext().getAllowPrivilegeEscalation(), where);
        }

        Container node = pod.getContainers().get(0);
        Map<String, String> env = environment(node);
        for (String needed : CONTROLLER_NEEDS) {
            assertTrue(env.containsKey(needed), overlay + ": " + needed + " is not set");
        }
        Set<String> read = variablesTheCodeReads();
        for (String set : env.keySet()) {
            assertTrue(NOT_STARE.contains(set) || read.contains(set), overlay + ": " + set + " is set but nothing reads it");
        }
        // Cluster Bootstrap probes the port named "management"; Artery listens on "remoting".
        assertEquals(String.valueOf(port(node, "management")), env.get("STARE_MANAGEMENT_PORT"));
        assertEquals(String.valueOf(port(node, "remoting")), env.get("STARE_CLUSTER_PORT"));
        assertEquals("kubernetes-api", env.get("STARE_CLUSTER_BOOTSTRAP"));
        assertEquals(labels.get("app"), env.get("STARE_BOOTSTRAP_SERVICE_NAME"), "the bootstrap's label selector");
        assertTrue(Integer.parseInt(env.get("STARE_BOOTSTRAP_REQUIRED_CONTACT_POINTS")) <= controller.getSpec().getReplicas(),
                overlay + ": more contact points required than replicas start");

        // RBAC: the pods' service account may get, list and watch pods, and nothing else.
        String account = pod.getServiceAccountName();
        only(objects, ServiceAccount.class, account);
        List<RoleBinding> bindings = all(objects, RoleBinding.class).stream()
                .filter(b -> b.getSubjects().stream().anyMatch(s -> s.getName().equals(account))).toList();
        assertEquals(1, bindings.size(), "bindings of " + account);
        Role role = only(objects, Role.class, bindings.get(0).getRoleRef().getName());
        assertEquals(1, role.getRules().size(), "rules of " + role.getMetadata().getName());
        PolicyRule rule = role.getRules().get(0);
        assertEquals(List.of(""), rule.getApiGroups());
        assertEquals(List.of("pods"), rule.getResources());
        assertEquals(new TreeSet<>(List.of("get", "list", "watch")), new TreeSet<>(rule.getVerbs()));
        assertTrue(all(objects, io.fabric8.kubernetes.api.model.rbac.ClusterRole.class).isEmpty(), "no ClusterRole");

        String namespace = controller.getMetadata().getNamespace();
        assertNotNull(namespace, overlay + ": the overlay sets a namespace");
        for (HasMetadata object : objects) {
            if (!(object instanceof io.fabric8.kubernetes.api.model.Namespace)) {
                assertEquals(namespace, object.getMetadata().getNamespace(), object.getKind() + " " + object.getMetadata().getName());
            }
        }
    }

    private static List<HasMetadata> render(Path overlay) throws IOException, InterruptedException {
        Process kubectl;
        try {
            kubectl = new ProcessBuilder("kubectl", "kustomize", overlay.toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort("kubectl is not installed: " + e.getMessage());
            throw e;
        }
        String yaml = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(kubectl.waitFor(60, TimeUnit.SECONDS), "kubectl kustomize did not end");
        assertEquals(0, kubectl.exitValue(), yaml);
        List<HasMetadata> objects = new ArrayList<>();
        for (String document : yaml.split("(?m)^---$")) {
            if (!document.isBlank()) {
                objects.add(Serialization.unmarshal(document));
            }
        }
        assertFalse(objects.isEmpty(), "nothing rendered");
        return objects;
    }

    private static <T extends HasMetadata> List<T> all(List<HasMetadata> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    private static <T extends HasMetadata> T only(List<HasMetadata> objects, Class<T> type, String name) {
        List<T> named = all(objects, type).stream().filter(o -> o.getMetadata().getName().equals(name)).toList();
        assertEquals(1, named.size(), type.getSimpleName() + " " + name);
        return named.get(0);
    }

    private static boolean selects(Map<String, String> selector, Map<String, String> labels) {
        return !selector.isEmpty() && labels.entrySet().containsAll(selector.entrySet());
    }

    private static void assertProbeOnNamedPort(Probe probe, Container container, String what) {
        assertNotNull(probe, what);
        assertNotNull(probe.getHttpGet(), what + " is an HTTP GET");
        String port = probe.getHttpGet().getPort().getStrVal();
        assertNotNull(port, what + " names its port");
        port(container, port);
    }

    private static int port(Container container, String name) {
        return container.getPorts().stream().filter(p -> name.equals(p.getName())).map(ContainerPort::getContainerPort)
                .findFirst().orElseThrow(() -> new AssertionError(container.getName() + " has no port named " + name));
    }

    private static Map<String, String> environment(Container container) {
        Map<String, String> env = new java.util.LinkedHashMap<>();
        for (EnvVar variable : container.getEnv()) {
            assertFalse(env.containsKey(variable.getName()), variable.getName() + " set twice");
            env.put(variable.getName(), variable.getValue());
        }
        return env;
    }

    /**
     * The environment variables STARE's shipped code and configuration read: {@code ${?NAME}} in a
     * module's configuration files, {@code getenv("NAME")}, picocli's {@code ${env:NAME}} and
     * {@code envOr("NAME", ...)} in its sources.
     */
    static Set<String> variablesTheCodeReads() throws IOException {
        Pattern reads = Pattern.compile("\\$\\{\\?([A-Z0-9_]+)\\}|getenv\\(\"([A-Z0-9_]+)\"\\)|env:([A-Z0-9_]+)"
                + "|envOr\\(\"([A-Z0-9_]+)\"");
        Set<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.walk(ROOT)) {
            for (Path file : files.filter(f -> f.toString().contains("/src/main/") && !f.toString().contains("/target/"))
                    .filter(f -> f.toString().endsWith(".java") || f.toString().endsWith(".conf")).toList()) {
                Matcher m = reads.matcher(Files.readString(file));
                while (m.find()) {
                    for (int g = 1; g <= m.groupCount(); g++) {
                        if (m.group(g) != null) {
                            names.add(m.group(g));
                        }
                    }
                }
            }
        }
        return names;
    }
}
