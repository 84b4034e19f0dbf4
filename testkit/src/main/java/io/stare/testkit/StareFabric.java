package io.stare.testkit;

import com.typesafe.config.ConfigFactory;
import io.stare.client.Delivery;
import io.stare.fabric.LocalFabric;
import io.stare.p4.topology.Topology;
import io.stare.protocol.time.TimeFactor;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.awaitility.Awaitility;
import org.awaitility.core.ThrowingRunnable;

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

    private final ActorTestKit testKit;

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
}
