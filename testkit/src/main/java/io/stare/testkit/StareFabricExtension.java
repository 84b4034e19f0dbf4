package io.stare.testkit;

import io.stare.actors.middleware.Middleware;
import io.stare.client.StareClient;
import io.stare.fabric.FabricLink;
import io.stare.fabric.LocalFabric;
import io.stare.p4.program.StareProgram;
import io.stare.p4.softswitch.PortCounters;
import io.stare.p4.topology.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.awaitility.core.ThrowingRunnable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that starts a {@link StareFabric} before each test (or once per class) and
 * closes it after. Register it with {@code @RegisterExtension}:
 *
 * <pre>{@code
 * @RegisterExtension
 * final StareFabricExtension fabric = StareFabricExtension.builder().topology(Topologies.linear(3)).build();
 * }</pre>
 *
 * A {@code static} field with {@link Builder#perClass()} shares one fabric between a class's tests.
 */
public final class StareFabricExtension
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

    private final LocalFabric.Builder<StareFabric> fabricBuilder;
    private final boolean perClass;
    private final List<Consumer<StareFabric>> setups;
    private StareFabric fabric;

    private StareFabricExtension(Builder builder) {
        this.fabricBuilder = builder.fabric;
        this.perClass = builder.perClass;
        this.setups = List.copyOf(builder.setups);
    }

    /** A builder; by default a fabric per test on {@code StareFabric.singleSwitch("h1", "h2")}. */
    public static Builder builder() {
        return new Builder();
    }

    /** How to build the extension. */
    public static final class Builder {
        private final LocalFabric.Builder<StareFabric> fabric = StareFabric.builder();
        private boolean perClass;
        private final List<Consumer<StareFabric>> setups = new ArrayList<>();

        private Builder() {
        }

        /** The network. */
        public Builder topology(Topology topology) {
            fabric.topology(topology);
            return this;
        }

        /** The switch program's mode (register by default). */
        public Builder mode(StareProgram.Mode mode) {
            fabric.mode(mode);
            return this;
        }

        /** Whether switch agents program the switches (default true). */
        public Builder agents(boolean agents) {
            fabric.agents(agents);
            return this;
        }

        /** Seeds the links' loss / duplication / reordering. */
        public Builder seed(long seed) {
            fabric.seed(seed);
            return this;
        }

        /** Bounds every wait. */
        public Builder timeout(Duration timeout) {
            fabric.timeout(timeout);
            return this;
        }

        /** Something to do on each fresh fabric, e.g. {@code f -> f.link("h2").loss(0.05)}. */
        public Builder onStart(Consumer<StareFabric> setup) {
            setups.add(setup);
            return this;
        }

        /** One fabric for all the tests of the class (the field must then be static). */
        public Builder perClass() {
            this.perClass = true;
            return this;
        }

        /** The extension. */
        public StareFabricExtension build() {
            return new StareFabricExtension(this);
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (perClass) {
            start();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (perClass) {
            stop();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        if (!perClass) {
            start();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (!perClass) {
            stop();
        }
    }

    private void start() throws Exception {
        fabric = fabricBuilder.start();
        for (Consumer<StareFabric> setup : setups) {
            setup.accept(fabric);
        }
    }

    private void stop() throws Exception {
        StareFabric running = fabric;
        fabric = null;
        if (running != null) {
            running.close();
        }
    }

    /** The running fabric. */
    public StareFabric fabric() {
        if (fabric == null) {
            throw new IllegalStateException("no fabric running (outside a test, or a static field without perClass?)");
        }
        return fabric;
    }

    /** See {@link LocalFabric#vnf(String, String)}. */
    public StareClient vnf(String host, String name) throws Exception {
        return fabric().vnf(host, name);
    }

    /** See {@link LocalFabric#tcpVnf(String, String)}. */
    public StareClient tcpVnf(String host, String name) throws Exception {
        return fabric().tcpVnf(host, name);
    }

    /** See {@link LocalFabric#gateway(String)}. */
    public java.net.InetSocketAddress gateway(String host) throws Exception {
        return fabric().gateway(host);
    }

    /** See {@link StareFabric#vnfProcess(String, String...)}. */
    public VnfProcess vnfProcess(String host, String... command) throws Exception {
        return fabric().vnfProcess(host, command);
    }

    /** See {@link StareFabric#pythonVnf(String, java.nio.file.Path, String...)}. */
    public VnfProcess pythonVnf(String host, java.nio.file.Path script, String... args) throws Exception {
        return fabric().pythonVnf(host, script, args);
    }

    /** See {@link LocalFabric#link(String)}. */
    public FabricLink link(String host) {
        return fabric().link(host);
    }

    /** See {@link LocalFabric#link(String, String)}. */
    public FabricLink link(String a, String b) {
        return fabric().link(a, b);
    }

    /** See {@link LocalFabric#links()}. */
    public List<FabricLink> links() {
        return fabric().links();
    }

    /** See {@link LocalFabric#portCounters(String)}. */
    public PortCounters portCounters(String host) {
        return fabric().portCounters(host);
    }

    /** See {@link LocalFabric#statePorts(String, int)}. */
    public long statePorts(String switchName, int stateId) {
        return fabric().statePorts(switchName, stateId);
    }

    /** See {@link LocalFabric#awaitRoute(int, String, String)}. */
    public void awaitRoute(int stateId, String publisherHost, String subscriberHost) {
        fabric().awaitRoute(stateId, publisherHost, subscriberHost);
    }

    /** See {@link StareFabric#listener()}. */
    public ProbeListener listener() {
        return fabric().listener();
    }

    /** See {@link LocalFabric#stats(String)}. */
    public Middleware.Stats stats(String host) {
        return fabric().stats(host);
    }

    /** See {@link StareFabric#eventually(ThrowingRunnable)}. */
    public void eventually(ThrowingRunnable check) {
        fabric().eventually(check);
    }

    /** See {@link LocalFabric#await(CompletionStage)}. */
    public <T> T await(CompletionStage<T> stage) throws Exception {
        return fabric().await(stage);
    }
}
