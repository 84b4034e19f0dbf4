package io.stare.testkit;

import com.typesafe.config.ConfigFactory;
import io.stare.client.Delivery;
import io.stare.fabric.LocalFabric;
import io.stare.p4.topology.Topology;
import io.stare.protocol.time.TimeFactor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.awaitility.Awaitility;
import org.awaitility.core.ThrowingRunnable;
import org.junit.jupiter.api.Assumptions;

/**
 * A {@link LocalFabric} for tests: the same fabric, plus Pekko test probes on its actor system
 * ({@link #listener()}, {@link #testKit()}) whose waits scale by the same {@link TimeFactor} as the
 * fabric's own.
 *
 * <pre>{@code
 * try (StareFabric fabric = StareFabric.builder().topology(Topologies.linear(3)).start()) {
 *     StareClient tracker = fabric.vnf("h1", "tracker-1");
 *     ProbeListener updates = fabric.listener();
 *     ...
 * }
 * }</pre>
 *
 * {@link StareFabricExtension} starts one per test (or per class) for JUnit 5.
 */
public final class StareFabric extends LocalFabric {

    /** Where the shipped Python client lies in this jar (copied from clients/python by the build). */
    private static final String PYTHON_CLIENT = "io/stare/testkit/python/stare_client.py";

    private final ActorTestKit testKit;
    private final List<VnfProcess> processes = new ArrayList<>();
    private Path pythonPath;

    private StareFabric(Builder<StareFabric> settings) throws Exception {
        super(settings);
        this.testKit = ActorTestKit.create(system());
    }

    /** A builder; without a topology the fabric is one switch {@code s1} with hosts h1, h2. */
    public static Builder<StareFabric> builder() {
        return LocalFabric.builder(StareFabric::new)
                .config(ConfigFactory.parseString("pekko.actor.testkit.typed.timefactor = " + TimeFactor.current()));
    }

    /** A topology of one switch {@code s1} with the given hosts on ports 0, 1, 2, ... */
    public static Topology singleSwitch(String... hosts) {
        return LocalFabric.singleSwitch(hosts);
    }

    /** A fresh listener whose deliveries (updates and losses) arrive at a {@link TestProbe}. */
    public ProbeListener listener() {
        return new ProbeListener(testKit.createTestProbe(Delivery.class));
    }

    /**
     * Waits until {@code check} passes (its assertions hold), trying it again every 10 ms, at most
     * the fabric's {@link #timeout()}; then fails with the check's last assertion error. For what a
     * test cannot wait for on a probe: a VNF's own view, a counter, a value a listener stored.
     */
    public void eventually(ThrowingRunnable check) {
        Awaitility.await().atMost(timeout()).pollInSameThread().pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(10)).untilAsserted(check);
    }

    /** An actor test kit on the actor system that runs the fabric, for probes of a test's own. */
    public ActorTestKit testKit() {
        return testKit;
    }

    /**
     * Starts {@code command} as a VNF process attached to {@code host}'s middleware: its environment
     * carries the gateway's address in {@value VnfProcess#GATEWAY_ENV}. The fabric kills it when it
     * closes.
     */
    public VnfProcess vnfProcess(String host, String... command) throws Exception {
        return started(VnfProcess.start(gateway(host), timeout(), null, Map.of(), List.of(command)));
    }

    /**
     * Starts the Python script {@code script} (with {@code args}) as a VNF on {@code host}, with the
     * Python client that ships with STARE on its {@code PYTHONPATH}: {@code import stare_client} and
     * {@code stare_client.connect(name=...)} reach the host's gateway. Its working directory is the
     * script's. Skips the calling test (a JUnit assumption) where {@code python3} does not run.
     */
    public VnfProcess pythonVnf(String host, Path script, String... args) throws Exception {
        Assumptions.assumeTrue(Python.AVAILABLE, "python3 is not available");
        if (!Files.isRegularFile(script)) {
            throw new IllegalArgumentException("no Python script " + script.toAbsolutePath());
        }
        List<String> command = new ArrayList<>(List.of("python3", script.toAbsolutePath().toString()));
        command.addAll(Arrays.asList(args));
        return started(VnfProcess.start(gateway(host), timeout(), script.toAbsolutePath().getParent(),
                Map.of("PYTHONPATH", pythonClient().toString(), "PYTHONUNBUFFERED", "1"), command));
    }

    /** Kills the VNF processes still running, then closes the fabric. */
    @Override
    public void close() {
        synchronized (processes) {
            processes.forEach(VnfProcess::close);
        }
        try {
            super.close();
        } finally {
            deletePythonClient();
        }
    }

    private VnfProcess started(VnfProcess process) {
        synchronized (processes) {
            processes.add(process);
        }
        return process;
    }

    private synchronized Path pythonClient() throws IOException {
        if (pythonPath == null) {
            Path directory = Files.createTempDirectory("stare-python-");
            try (InputStream client = StareFabric.class.getClassLoader().getResourceAsStream(PYTHON_CLIENT)) {
                if (client == null) {
                    throw new IllegalStateException("the test kit jar lacks " + PYTHON_CLIENT);
                }
                Files.copy(client, directory.resolve("stare_client.py"), StandardCopyOption.REPLACE_EXISTING);
            }
            pythonPath = directory;
        }
        return pythonPath;
    }

    private synchronized void deletePythonClient() {
        if (pythonPath == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(pythonPath)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        pythonPath = null;
    }

    /** Whether {@code python3} runs here, found out once per JVM. */
    private static final class Python {
        static final boolean AVAILABLE = runs();

        private static boolean runs() {
            try {
                Process version = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
                return version.waitFor(10, TimeUnit.SECONDS) && version.exitValue() == 0;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }
}
