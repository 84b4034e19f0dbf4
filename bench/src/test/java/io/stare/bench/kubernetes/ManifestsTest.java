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
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
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
 * together, checked as typed Kubernetes objects (fabric8's model): every workload's selector
 * matches its pods' labels, every container has probes on named ports, resources and a non-root
 * security context, sets only variables the code reads and uses only $(VAR)s it defined; the
 * controller's and middlewares' ports are named as Cluster Bootstrap expects and agree with their
 * environment, and the middlewares look for the controller's pods; the RBAC grants exactly
 * get/list/watch on pods to the pods that bootstrap; Services select a workload and name its ports;
 * every object is in the overlay's namespace. Skipped where kubectl is missing.
 */
class ManifestsTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    /** The variables a controller needs in Kubernetes (docs/kubernetes.md). */
    private static final List<String> CONTROLLER_NEEDS = List.of("STARE_CLUSTER_BOOTSTRAP", "STARE_CLUSTER_HOST",
            "STARE_CLUSTER_PORT", "STARE_MANAGEMENT_HOST", "STARE_MANAGEMENT_PORT", "STARE_BOOTSTRAP_SERVICE_NAME",
            "STARE_BOOTSTRAP_REQUIRED_CONTACT_POINTS", "STARE_PERSISTENCE_STORE");
    /** The variables a middleware needs in Kubernetes. */
    private static final List<String> MIDDLEWARE_NEEDS = List.of("STARE_CLUSTER_BOOTSTRAP", "STARE_CLUSTER_HOST",
            "STARE_CLUSTER_PORT", "STARE_MANAGEMENT_HOST", "STARE_MANAGEMENT_PORT", "STARE_BOOTSTRAP_SERVICE_NAME");
    /** Set for Kubernetes' own substitution ($(POD_IP) ...) and the JVM, not read by STARE. */
    private static final Set<String> NOT_STARE = Set.of("POD_IP", "HOST_IP", "NODE_NAME", "JAVA_TOOL_OPTIONS");

    @ParameterizedTest
    @ValueSource(strings = {"dev", "prod"})
    void theOverlayRendersIntoObjectsThatFitTogether(String overlay) throws Exception {
        List<HasMetadata> objects = render(ROOT.resolve("k8s/overlays").resolve(overlay));
        Set<String> read = variablesTheCodeReads();
        List<Workload> workloads = workloads(objects);
        assertFalse(workloads.isEmpty(), "no workload");
        for (Workload workload : workloads) {
            assertWellFormed(overlay, workload, read);
        }

        Workload controller = only(workloads, "stare-controller");
        Map<String, String> controllerEnv = environment(controller.container());
        for (String needed : CONTROLLER_NEEDS) {
            assertTrue(controllerEnv.containsKey(needed), overlay + ": " + needed + " is not set");
        }
        assertBootstrapPorts(controller);
        assertEquals(controller.labels().get("app"), controllerEnv.get("STARE_BOOTSTRAP_SERVICE_NAME"),
                "the bootstrap's label selector");
        Deployment deployment = only(objects, Deployment.class, "stare-controller");
        assertTrue(Integer.parseInt(controllerEnv.get("STARE_BOOTSTRAP_REQUIRED_CONTACT_POINTS"))
                <= deployment.getSpec().getReplicas(), overlay + ": more contact points required than replicas start");
        for (PodDisruptionBudget budget : all(objects, PodDisruptionBudget.class)) {
            assertTrue(selects(budget.getSpec().getSelector().getMatchLabels(), controller.labels()),
                    budget.getMetadata().getName());
        }
        for (HorizontalPodAutoscaler autoscaler : all(objects, HorizontalPodAutoscaler.class)) {
            assertEquals("Deployment", autoscaler.getSpec().getScaleTargetRef().getKind());
            assertEquals("stare-controller", autoscaler.getSpec().getScaleTargetRef().getName());
        }

        // The middlewares find the controller's pods, never form a cluster of their own.
        Workload middleware = only(workloads, "stare-middleware");
        Map<String, String> middlewareEnv = environment(middleware.container());
        for (String needed : MIDDLEWARE_NEEDS) {
            assertTrue(middlewareEnv.containsKey(needed), overlay + ": middleware's " + needed + " is not set");
        }
        assertBootstrapPorts(middleware);
        assertEquals(controller.labels().get("app"), middlewareEnv.get("STARE_BOOTSTRAP_SERVICE_NAME"));
        assertFalse(middleware.labels().get("app").equals(controller.labels().get("app")), "a middleware is no contact point");

        // RBAC: the pods that bootstrap may get, list and watch pods, and nothing else.
        for (Workload bootstrapping : List.of(controller, middleware)) {
            String account = bootstrapping.pod().getServiceAccountName();
            only(objects, ServiceAccount.class, account);
            List<RoleBinding> bindings = all(objects, RoleBinding.class).stream()
                    .filter(b -> b.getSubjects().stream().anyMatch(s -> s.getName().equals(account))).toList();
            assertEquals(1, bindings.size(), "bindings of " + account);
            assertPodReader(only(objects, Role.class, bindings.get(0).getRoleRef().getName()));
        }
        for (Role role : all(objects, Role.class)) {
            assertPodReader(role);
        }
        assertTrue(all(objects, io.fabric8.kubernetes.api.model.rbac.ClusterRole.class).isEmpty(), "no ClusterRole");

        for (io.fabric8.kubernetes.api.model.Service service : all(objects, io.fabric8.kubernetes.api.model.Service.class)) {
            Workload target = workloads.stream().filter(w -> selects(service.getSpec().getSelector(), w.labels()))
                    .findFirst().orElseThrow(() -> new AssertionError("Service " + service.getMetadata().getName()
                            + " selects no workload"));
            for (io.fabric8.kubernetes.api.model.ServicePort port : service.getSpec().getPorts()) {
                port(target.container(), port.getTargetPort().getStrVal());
            }
        }

        String namespace = deployment.getMetadata().getNamespace();
        assertNotNull(namespace, overlay + ": the overlay sets a namespace");
        for (HasMetadata object : objects) {
            if (!(object instanceof io.fabric8.kubernetes.api.model.Namespace)) {
                assertEquals(namespace, object.getMetadata().getNamespace(), object.getKind() + " " + object.getMetadata().getName());
            }
        }
    }

    /** A Deployment or DaemonSet: its name, selector and pod template. */
    private record Workload(String name, Map<String, String> selector, PodTemplateSpec template) {

        Map<String, String> labels() {
            return template.getMetadata().getLabels();
        }

        PodSpec pod() {
            return template.getSpec();
        }

        Container container() {
            return pod().getContainers().get(0);
        }
    }

    private static List<Workload> workloads(List<HasMetadata> objects) {
        List<Workload> workloads = new ArrayList<>();
        for (Deployment d : all(objects, Deployment.class)) {
            workloads.add(new Workload(d.getMetadata().getName(), d.getSpec().getSelector().getMatchLabels(),
                    d.getSpec().getTemplate()));
        }
        for (DaemonSet d : all(objects, DaemonSet.class)) {
            workloads.add(new Workload(d.getMetadata().getName(), d.getSpec().getSelector().getMatchLabels(),
                    d.getSpec().getTemplate()));
        }
        return workloads;
    }

    private static Workload only(List<Workload> workloads, String name) {
        return workloads.stream().filter(w -> w.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no workload " + name));
    }

    /**
     * What every workload needs: a selector that selects its pods; per container probes on named
     * ports (Pekko Management's /ready and /alive), a CPU request and a memory limit, non-root and
     * no privilege escalation; every STARE variable it sets read by the code, and every $(VAR) it
     * uses defined before; Prometheus annotations pointing at the port that serves /metrics, the
     * probes' (one operator endpoint per role).
     */
    private static void assertWellFormed(String overlay, Workload workload, Set<String> read) {
        String where = overlay + "/" + workload.name();
        assertTrue(selects(workload.selector(), workload.labels()), where + ": the selector selects the pods");
        PodSpec pod = workload.pod();
        Map<String, String> annotations = workload.template().getMetadata().getAnnotations();
        assertNotNull(annotations, where + " has Prometheus annotations");
        assertEquals("true", annotations.get("prometheus.io/scrape"), where);
        assertEquals("/metrics", annotations.get("prometheus.io/path"), where);
        for (Container container : pod.getContainers()) {
            assertProbeOnNamedPort(container.getReadinessProbe(), container, where + " readiness");
            assertProbeOnNamedPort(container.getLivenessProbe(), container, where + " liveness");
            assertEquals("/ready", container.getReadinessProbe().getHttpGet().getPath(), where);
            assertEquals("/alive", container.getLivenessProbe().getHttpGet().getPath(), where);
            assertEquals(String.valueOf(port(container, container.getReadinessProbe().getHttpGet().getPort()
                    .getStrVal())), annotations.get("prometheus.io/port"), where + ": Prometheus scrapes the probes' port");
            assertNotNull(container.getResources().getRequests().get("cpu"), where + " cpu request");
            assertNotNull(container.getResources().getLimits().get("memory"), where + " memory limit");
            boolean nonRoot = Boolean.TRUE.equals(pod.getSecurityContext().getRunAsNonRoot())
                    || Boolean.TRUE.equals(container.getSecurityContext().getRunAsNonRoot());
            assertTrue(nonRoot, where + " runs as non-root");
            assertEquals(Boolean.FALSE, container.getSecurityContext().getAllowPrivilegeEscalation(), where);
            Map<String, String> env = environment(container);
            Set<String> defined = new java.util.HashSet<>();
            for (EnvVar variable : container.getEnv()) {
                String name = variable.getName();
                assertTrue(!name.startsWith("STARE_") || read.contains(name), where + ": " + name
                        + " is set but nothing reads it");
                assertTrue(name.startsWith("STARE_") || NOT_STARE.contains(name), where + ": " + name + " is unexpected");
                assertReferencesDefined(variable.getValue(), defined, where + " " + name);
                defined.add(name);
            }
            for (String argument : container.getArgs() == null ? List.<String>of() : container.getArgs()) {
                assertReferencesDefined(argument, env.keySet(), where + " argument " + argument);
            }
        }
    }

    private static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Z0-9_]+)\\)");

    private static void assertReferencesDefined(String value, Set<String> defined, String where) {
        if (value == null) {
            return;
        }
        Matcher m = REFERENCE.matcher(value);
        while (m.find()) {
            assertTrue(defined.contains(m.group(1)), where + ": $(" + m.group(1) + ") is not defined before");
        }
    }

    /** Cluster Bootstrap probes the port named "management"; Artery listens on "remoting". */
    private static void assertBootstrapPorts(Workload workload) {
        Map<String, String> env = environment(workload.container());
        assertEquals("kubernetes-api", env.get("STARE_CLUSTER_BOOTSTRAP"), workload.name());
        assertEquals(String.valueOf(port(workload.container(), "management")), env.get("STARE_MANAGEMENT_PORT"),
                workload.name());
        assertEquals(String.valueOf(port(workload.container(), "remoting")), env.get("STARE_CLUSTER_PORT"),
                workload.name());
    }

    private static void assertPodReader(Role role) {
        String name = role.getMetadata().getName();
        assertEquals(1, role.getRules().size(), "rules of " + name);
        PolicyRule rule = role.getRules().get(0);
        assertEquals(List.of(""), rule.getApiGroups(), name);
        assertEquals(List.of("pods"), rule.getResources(), name);
        assertEquals(new TreeSet<>(List.of("get", "list", "watch")), new TreeSet<>(rule.getVerbs()), name);
    }

    /**
     * The overlay as kubectl renders it: any kubectl from Debian 12's (1.20, kustomize 2, which
     * {@code .ci/run} installs where kubectl is missing) to today's. Skipped without kubectl.
     */
    private static List<HasMetadata> render(Path overlay) throws IOException, InterruptedException {
        Path errors = Files.createTempFile("kustomize", ".err");
        Process kubectl;
        try {
            // Today's kustomize warns on stderr that kustomize 2's fields are deprecated.
            kubectl = new ProcessBuilder("kubectl", "kustomize", overlay.toString())
                    .redirectError(errors.toFile()).start();
        } catch (IOException e) {
            Files.deleteIfExists(errors);
            Assumptions.abort("kubectl is not installed (.ci/run installs Debian's): " + e.getMessage());
            throw e;
        }
        String yaml = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(kubectl.waitFor(60, TimeUnit.SECONDS), "kubectl kustomize did not end");
        String stderr = Files.readString(errors);
        Files.deleteIfExists(errors);
        assertEquals(0, kubectl.exitValue(), stderr + yaml);
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
