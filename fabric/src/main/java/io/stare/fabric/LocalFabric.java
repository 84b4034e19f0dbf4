package io.stare.fabric;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.stare.actors.agent.AgentSettings;
import io.stare.actors.agent.AgentView;
import io.stare.actors.agent.SwitchAgent;
import io.stare.actors.controller.ControllerSettings;
import io.stare.actors.controller.ControllerStore;
import io.stare.actors.controller.ReplicaController;
import io.stare.actors.middleware.InJvmClient;
import io.stare.actors.middleware.Middleware;
import io.stare.actors.middleware.MiddlewareSettings;
import io.stare.actors.middleware.gateway.GatewaySettings;
import io.stare.actors.middleware.gateway.VnfGateway;
import io.stare.client.StareClient;
import io.stare.p4.pipeline.EmbeddedPipeline;
import io.stare.p4.pipeline.PortMask;
import io.stare.p4.pipeline.RegisterPipeline;
import io.stare.p4.pipeline.ReplicationEngine;
import io.stare.p4.program.StareProgram;
import io.stare.p4.program.StarePrograms;
import io.stare.p4.softswitch.PortCounters;
import io.stare.p4.softswitch.SoftSwitchNetwork;
import io.stare.p4.softswitch.SoftSwitchNode;
import io.stare.p4.topology.SpanningTree;
import io.stare.p4.topology.Topology;
import io.stare.protocol.time.TimeFactor;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * A whole STARE fabric inside one JVM, on 127.0.0.1: the topology's software switches (each
 * programmed by its own {@link SwitchAgent} over P4Runtime, tree ports from the spanning tree), the
 * replica controller, and one middleware per topology host, attached to its switch port through a
 * {@link FabricLink} that can inject loss, duplication and reordering. Every switch-to-switch link
 * of the topology runs through a {@code FabricLink} too ({@link #link(String, String)}), so
 * impairments can be put on the links inside the network, not only at its edge.
 *
 * <pre>{@code
 * try (LocalFabric fabric = LocalFabric.builder().topology(Topologies.linear(3)).start()) {
 *     StareClient tracker = fabric.vnf("h1", "tracker-1");
 *     fabric.link("h2").loss(0.05);
 *     fabric.link("s1", "s2").reordering(0.1);
 * }
 * }</pre>
 *
 * Every wait is bounded by {@link Builder#timeout(Duration)} (20 s by default), scaled by
 * {@link TimeFactor}.
 *
 * <p>Shipped code: {@code stare demo} and the benchmarks run on it. The test kit
 * ({@code stare-testkit}'s {@code StareFabric}) extends it with Pekko test probes and a JUnit
 * extension; this class depends on neither.
 */
public class LocalFabric implements AutoCloseable {

    private final Duration timeout;
    private final boolean relays;
    private final ActorSystem<FabricGuardian.Command> system;
    private final SoftSwitchNetwork network;
    private final List<ActorRef<SwitchAgent.Command>> agents = new ArrayList<>();
    private final Map<String, ActorRef<SwitchAgent.Command>> agentsBySwitch = new LinkedHashMap<>();
    private final ActorRef<ReplicaController.Command> controller;
    private final Map<String, ActorRef<Middleware.Command>> middlewares = new LinkedHashMap<>();
    private final Map<String, FabricLink> links = new LinkedHashMap<>();
    private final Map<Topology.Link, FabricLink> switchLinks = new LinkedHashMap<>();
    private final List<StareClient> clients = new ArrayList<>();
    private final Map<String, VnfGateway> gateways = new LinkedHashMap<>();

    /**
     * A builder; without a topology the fabric is one switch {@code s1} with hosts h1, h2. (The
     * wildcard lets the test kit's subclass offer a builder of its own kind under the same name.)
     */
    public static Builder<? extends LocalFabric> builder() {
        return new Builder<>(LocalFabric::new);
    }

    /**
     * A builder whose {@link Builder#start()} makes the fabric with {@code starter}: how a subclass
     * (the test kit's) offers the same builder.
     */
    protected static <F extends LocalFabric> Builder<F> builder(Starter<F> starter) {
        return new Builder<>(starter);
    }

    /** Makes a fabric, of a subclass, from a builder's settings. */
    @FunctionalInterface
    protected interface Starter<F extends LocalFabric> {
        /** Starts the fabric the builder describes. */
        F start(Builder<F> settings) throws Exception;
    }

    /** A topology of one switch {@code s1} with the given hosts on ports 0, 1, 2, ... */
    public static Topology singleSwitch(String... hosts) {
        Topology.Builder builder = Topology.builder().addSwitch("s1", Math.max(1, hosts.length));
        for (int i = 0; i < hosts.length; i++) {
            builder.addHost(hosts[i], "s1", i);
        }
        return builder.build();
    }

    /** How to start a fabric; {@code F} is the kind of fabric {@link #start()} returns. */
    public static final class Builder<F extends LocalFabric> {
        private final Starter<F> starter;
        private Topology topology;
        private StareProgram.Mode mode = StareProgram.Mode.REGISTER;
        private boolean agents = true;
        private boolean relays = true;
        private long seed = 1;
        private Duration timeout = Duration.ofSeconds(20);
        private Config config = ConfigFactory.empty();

        private Builder(Starter<F> starter) {
            this.starter = starter;
        }

        /** The network; default {@code singleSwitch("h1", "h2")}. */
        public Builder<F> topology(Topology topology) {
            this.topology = topology;
            return this;
        }

        /** The switch program's mode; default (and {@code null}) is register mode. */
        public Builder<F> mode(StareProgram.Mode mode) {
            this.mode = mode == null ? StareProgram.Mode.REGISTER : mode;
            return this;
        }

        /**
         * Whether switch agents program the switches (default) or the switches start with a
         * standalone program (faster to start, no P4Runtime).
         */
        public Builder<F> agents(boolean agents) {
            this.agents = agents;
            return this;
        }

        /**
         * Whether every link runs through a {@link FabricLink} relay (default), which can drop,
         * duplicate and reorder, or middlewares and switches talk to each other directly, as they do
         * in a deployment. Without relays there is no impairment and {@link #link(String)} and
         * {@link #link(String, String)} refuse; benchmarks use it so that the relays' extra UDP hop
         * and threads on every link are not measured as STARE's.
         */
        public Builder<F> relays(boolean relays) {
            this.relays = relays;
            return this;
        }

        /**
         * Seeds the links' random sources: the link of the {@code i}-th host (from 1, in topology
         * order) gets {@code seed + i}, the {@code j}-th switch link (from 1) {@code seed + hosts + j}.
         */
        public Builder<F> seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Bounds every wait of the fabric (start, VNF registration, stop), before scaling by
         * {@link TimeFactor}.
         */
        public Builder<F> timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /**
         * Settings laid over the fabric's configuration (and under nothing else): e.g. a test
         * kit's time factor, or a benchmark's middleware tuning.
         */
        public Builder<F> config(Config overrides) {
            this.config = overrides.withFallback(this.config);
            return this;
        }

        /** Starts the fabric; everything already started is stopped if a step fails. */
        public F start() throws Exception {
            return starter.start(this);
        }
    }

    /** Starts the fabric {@code b} describes; see {@link Builder#start()}. */
    protected LocalFabric(Builder<?> b) throws Exception {
        this.timeout = TimeFactor.dilated(b.timeout);
        this.relays = b.relays;
        Topology topology = b.topology != null ? b.topology : singleSwitch("h1", "h2");
        for (Topology.Switch sw : topology.switches()) {
            // The programs ignore ports past their compiled width: fail here, not as lost SUB-acks later.
            if (sw.ports() > StarePrograms.FRONT_PORTS) {
                throw new IllegalArgumentException("switch " + sw.name() + " has " + sw.ports() + " ports; the STARE "
                        + "programs are compiled for " + StarePrograms.FRONT_PORTS + " (STARE_PORTS)");
            }
        }
        // P4Runtime is gRPC over HTTP/2; stare-p4's reference.conf turns it on, but pekko-http's own
        // "off" may come later on a test classpath, so say it here.
        // The fabric's controller lives and dies with it: its backlogs in memory, unserialized.
        system = ActorSystem.create(FabricGuardian.create(), "stare-fabric", ControllerStore.inProcess(b.config
                .withFallback(ConfigFactory.parseString("pekko.http.server.preview.enable-http2 = on"))
                .withFallback(ConfigFactory.load())));
        SoftSwitchNetwork started = null;
        ActorRef<ReplicaController.Command> replicaController = null;
        try {
            started = SoftSwitchNetwork.start(system, new SoftSwitchNetwork.Settings(topology,
                    "127.0.0.1", 0, 0, b.agents ? Optional.empty() : Optional.of(b.mode)));
            // Before any agent or middleware runs: re-point both ends of each switch link at a relay.
            long linkSeed = b.seed + topology.hosts().size();
            for (Topology.Link link : b.relays ? topology.links() : List.<Topology.Link>of()) {
                SoftSwitchNode a = started.nodes().get(link.a().switchName());
                SoftSwitchNode z = started.nodes().get(link.b().switchName());
                FabricLink relay = FabricLink.betweenSwitches(link.toString(),
                        link.a().switchName(), a.portAddresses().get(link.a().port()),
                        link.b().switchName(), z.portAddresses().get(link.b().port()), ++linkSeed);
                switchLinks.put(link, relay);
                a.ports().fixPeer(link.a().port(), relay.nearSide());
                z.ports().fixPeer(link.b().port(), relay.farSide());
            }
            if (b.agents) {
                SpanningTree tree = SpanningTree.of(topology);
                var config = system.settings().config();
                for (Map.Entry<String, SoftSwitchNode> node : started.nodes().entrySet()) {
                    long deviceId = agents.size() + 1L;
                    ActorRef<SwitchAgent.Command> agent = spawn(SwitchAgent.create(AgentSettings.fromConfig(
                            config, "127.0.0.1", node.getValue().grpcAddress().getPort(), deviceId, BigInteger.ONE,
                            b.mode, tree.treePorts(node.getKey()))), "agent-" + node.getKey());
                    agents.add(agent);
                    agentsBySwitch.put(node.getKey(), agent);
                }
                for (ActorRef<SwitchAgent.Command> agent : agents) {
                    awaitReady(agent);
                }
            }
            replicaController = spawn(ReplicaController.create(
                    ControllerSettings.fromConfig(system.settings().config())), "controller");
            MiddlewareSettings base = MiddlewareSettings.fromConfig(system.settings().config());
            int sender = 1;
            for (Topology.Host host : topology.hosts()) {
                InetSocketAddress switchPort = started.hostPortAddress(host.name());
                if (b.relays) {
                    FabricLink link = FabricLink.toHost(host.name(), host.attachment().switchName(), switchPort,
                            b.seed + sender);
                    links.put(host.name(), link);
                    switchPort = link.nearSide();
                }
                middlewares.put(host.name(), spawn(Middleware.create(
                        base.forServer(host.name(), sender, switchPort), replicaController),
                        "middleware-" + host.name()));
                sender++;
            }
        } catch (Exception | Error e) {
            this.network = started;
            this.controller = replicaController;
            try {
                close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        this.network = started;
        this.controller = replicaController;
    }

    private <T> ActorRef<T> spawn(Behavior<T> behavior, String name) throws Exception {
        return await(AskPattern.<FabricGuardian.Command, ActorRef<T>>ask(system,
                replyTo -> new FabricGuardian.Spawn<>(behavior, name, replyTo), timeout, system.scheduler()));
    }

    private void stop(ActorRef<?> actor) throws Exception {
        await(AskPattern.<FabricGuardian.Command, Done>ask(system,
                replyTo -> new FabricGuardian.Stop(actor, replyTo), timeout, system.scheduler()));
    }

    private void awaitReady(ActorRef<SwitchAgent.Command> agent) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            AgentView view = await(AskPattern.ask(agent, SwitchAgent.GetView::new, timeout, system.scheduler()));
            if (view.ready()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("switch agent not ready within " + timeout + ": " + view);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for a switch agent", e);
            }
        }
    }

    /** Registers a VNF named {@code name} with the middleware of {@code host}; closed with the fabric. */
    public StareClient vnf(String host, String name) throws Exception {
        StareClient client = await(InJvmClient.connect(system, middleware(host), name));
        synchronized (clients) {
            clients.add(client);
        }
        return client;
    }

    /**
     * The TCP gateway of {@code host}'s middleware (started on first use, on 127.0.0.1 and a free
     * port, and closed with the fabric): where a VNF in another process attaches, e.g. a Python VNF
     * of {@code clients/python} started by the test.
     */
    public InetSocketAddress gateway(String host) throws Exception {
        ActorRef<Middleware.Command> middleware = middleware(host);
        synchronized (gateways) {
            VnfGateway gateway = gateways.get(host);
            if (gateway == null) {
                gateway = await(VnfGateway.start(system, middleware,
                        GatewaySettings.fromConfig(system.settings().config()).withAddress("127.0.0.1", 0)));
                gateways.put(host, gateway);
            }
            return gateway.localAddress();
        }
    }

    /**
     * Registers a VNF named {@code name} as a process of its own would: over the TCP gateway of
     * {@code host}'s middleware ({@link #gateway}), through {@link StareClient#connect}. Closed with
     * the fabric.
     */
    public StareClient tcpVnf(String host, String name) throws Exception {
        StareClient client = StareClient.connect(gateway(host), name, timeout);
        synchronized (clients) {
            clients.add(client);
        }
        return client;
    }

    /** The link between {@code host}'s middleware and its switch port. */
    public FabricLink link(String host) {
        requireRelays();
        FabricLink link = links.get(host);
        if (link == null) {
            throw new IllegalArgumentException("no host " + host + " in " + links.keySet());
        }
        return link;
    }

    /**
     * The link between switches {@code a} and {@code b} (either order). With several links between
     * the same two switches, the first the topology declares.
     *
     * @throws IllegalArgumentException if no link joins them
     */
    public FabricLink link(String a, String b) {
        requireRelays();
        for (Map.Entry<Topology.Link, FabricLink> entry : switchLinks.entrySet()) {
            String x = entry.getKey().a().switchName();
            String y = entry.getKey().b().switchName();
            if ((x.equals(a) && y.equals(b)) || (x.equals(b) && y.equals(a))) {
                return entry.getValue();
            }
        }
        throw new IllegalArgumentException("no link between switches " + a + " and " + b + " in "
                + switchLinks.keySet());
    }

    private void requireRelays() {
        if (!relays) {
            throw new IllegalStateException("this fabric was started with relays(false): its links are direct and "
                    + "cannot be impaired or counted");
        }
    }

    /** Every switch-to-switch link, in topology order (empty with one switch, or without relays). */
    public List<FabricLink> switchLinks() {
        return List.copyOf(switchLinks.values());
    }

    /** Every link: the hosts' links in topology order, then the switch links (empty without relays). */
    public List<FabricLink> links() {
        List<FabricLink> all = new ArrayList<>(links.values());
        all.addAll(switchLinks.values());
        return List.copyOf(all);
    }

    /**
     * The counters of the switch port {@code host} is attached to: {@code received} counts what
     * the host sent up, {@code sent} what the switch sent down to it.
     */
    public PortCounters portCounters(String host) {
        Topology.Endpoint at = network.topology().hostNamed(host).attachment();
        return network.nodes().get(at.switchName()).ports().counters(at.port());
    }

    /**
     * The ports switch {@code switchName} sends a publish of {@code stateId} out of, as a bit mask
     * (bit <i>i</i> = port <i>i</i>), in either program mode: register mode, the state's entry of
     * the state-ports register; embedded mode, the members of the multicast group its
     * {@code state_forwarding} entry names. 0 before the switch has a pipeline or an entry.
     */
    public long statePorts(String switchName, int stateId) {
        SoftSwitchNode node = network.nodes().get(switchName);
        if (node == null) {
            throw new IllegalArgumentException("no switch " + switchName + " in " + network.nodes().keySet());
        }
        return node.softSwitch().withPipeline(pipeline -> {
            if (pipeline instanceof RegisterPipeline register) {
                return register.statePorts().inRange(stateId) ? register.statePorts().read(stateId) : 0L;
            }
            if (pipeline instanceof EmbeddedPipeline embedded) {
                OptionalInt group = embedded.stateForwarding().lookup(stateId);
                long mask = 0;
                if (group.isPresent()) {
                    for (ReplicationEngine.Replica replica : embedded.replication().replicate(group.getAsInt())) {
                        mask |= PortMask.bit(replica.port());
                    }
                }
                return mask;
            }
            return 0L;
        }).orElse(0L);
    }

    /**
     * Waits (at most the fabric's timeout) until a publish of {@code stateId} from
     * {@code publisherHost} reaches {@code subscriberHost} through the switches: every switch on
     * the spanning-tree path between the two forwards the state towards the subscriber.
     *
     * <p>{@link StareClient#subscribe} completes once the subscriber's <em>first</em> switch has
     * acknowledged; on a multi-switch network the subscription then still travels up the tree (in
     * embedded mode through each switch's agent), and updates published meanwhile reach the
     * subscriber through RECOVER rather than the data plane. A test that counts frames on the data
     * plane waits for the route first.
     *
     * <p>Returns at once when both are the same host: its middleware delivers locally.
     *
     * @throws IllegalStateException if the route is not complete in time (naming the switch that lacks it)
     */
    public void awaitRoute(int stateId, String publisherHost, String subscriberHost) {
        Topology topology = network.topology();
        topology.hostNamed(publisherHost);
        if (publisherHost.equals(subscriberHost)) {
            return;
        }
        SpanningTree tree = SpanningTree.of(topology);
        // (switch, port) pairs that must forward the state: the subscriber's switch towards its host,
        // each switch up to the common ancestor towards the child it came from, and each switch below
        // that ancestor on the publisher's side towards its parent.
        Map<String, Integer> needed = new LinkedHashMap<>();
        Topology.Endpoint subscriberPort = topology.hostNamed(subscriberHost).attachment();
        List<String> fromSubscriber = ancestors(topology, tree, subscriberPort.switchName());
        List<String> fromPublisher = ancestors(topology, tree, topology.hostNamed(publisherHost).attachment().switchName());
        needed.put(subscriberPort.switchName(), subscriberPort.port());
        for (String child : fromSubscriber) {
            if (fromPublisher.contains(child)) {
                break;
            }
            Topology.Endpoint up = tree.parentPort(child).orElseThrow();
            Topology.ToSwitch link = (Topology.ToSwitch) topology.attachment(up).orElseThrow();
            needed.put(link.peer().switchName(), link.peer().port());
        }
        for (String below : fromPublisher) {
            if (fromSubscriber.contains(below)) {
                break;
            }
            needed.put(below, tree.parentPort(below).orElseThrow().port());
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Map.Entry<String, Integer> hop : needed.entrySet()) {
            while (!PortMask.contains(statePorts(hop.getKey(), stateId), hop.getValue())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("state " + stateId + " from " + publisherHost + " to "
                            + subscriberHost + ": switch " + hop.getKey() + " does not forward it to port "
                            + hop.getValue() + " within " + timeout + " (ports "
                            + Long.toBinaryString(statePorts(hop.getKey(), stateId)) + ")");
                }
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted waiting for a route", e);
                }
            }
        }
    }

    /** {@code switchName} and its ancestors up to the tree's root. */
    private static List<String> ancestors(Topology topology, SpanningTree tree, String switchName) {
        List<String> chain = new ArrayList<>();
        String at = switchName;
        while (true) {
            chain.add(at);
            Optional<Topology.Endpoint> up = tree.parentPort(at);
            if (up.isEmpty()) {
                return chain;
            }
            at = ((Topology.ToSwitch) topology.attachment(up.get()).orElseThrow()).peer().switchName();
        }
    }

    /** The middleware actor of {@code host}. */
    public ActorRef<Middleware.Command> middleware(String host) {
        ActorRef<Middleware.Command> middleware = middlewares.get(host);
        if (middleware == null) {
            throw new IllegalArgumentException("no host " + host + " in " + middlewares.keySet());
        }
        return middleware;
    }

    /** A middleware's counters. */
    public Middleware.Stats stats(String host) {
        try {
            return await(AskPattern.ask(middleware(host), Middleware.GetStats::new, timeout, system.scheduler()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted asking " + host + "'s middleware for its counters", e);
        } catch (Exception e) {
            throw new IllegalStateException(host + "'s middleware did not report its counters within " + timeout, e);
        }
    }

    /** Waits for a stage, at most the fabric's timeout. */
    public <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The bound on every wait. */
    public Duration timeout() {
        return timeout;
    }

    /** The topology the fabric runs. */
    public Topology topology() {
        return network.topology();
    }

    /** The software switches by name. */
    public Map<String, SoftSwitchNode> switches() {
        return network.nodes();
    }

    /** The replica controller actor. */
    public ActorRef<ReplicaController.Command> controller() {
        return controller;
    }

    /** The switch agents by switch name (empty when the fabric runs without agents). */
    public Map<String, ActorRef<SwitchAgent.Command>> agents() {
        return Map.copyOf(agentsBySwitch);
    }

    /** The actor system that runs every actor of the fabric. */
    public ActorSystem<?> system() {
        return system;
    }

    /**
     * Stops the VNFs, middlewares, agents, links and switches, then the actor system.
     *
     * @throws AssertionError if a listener or update handler of a VNF of this fabric threw (the
     *     exception inside a listener cannot fail the test where it is thrown)
     * @throws IllegalStateException if a step failed (the others still ran)
     */
    @Override
    public void close() {
        Exception failure = null;
        AssertionError listenersThrew = null;
        synchronized (clients) {
            for (StareClient client : clients) {
                if (client.listenerFailures() > 0 && listenersThrew == null) {
                    // A listener runs on the VNF's actor or the data path, where an assertion that fails
                    // is counted, not thrown: the test fails here instead of passing silently.
                    listenersThrew = new AssertionError("a listener or update handler of VNF " + client.name()
                            + " threw " + client.listenerFailures() + " time(s); the first:",
                            client.firstListenerFailure().orElse(null));
                }
                try {
                    client.close();
                } catch (RuntimeException e) {
                    failure = add(failure, e);
                }
            }
            clients.clear();
        }
        synchronized (gateways) {
            for (VnfGateway gateway : gateways.values()) {
                try {
                    await(gateway.close());
                } catch (Exception e) {
                    failure = add(failure, e);
                }
            }
            gateways.clear();
        }
        for (ActorRef<Middleware.Command> middleware : middlewares.values()) {
            try {
                stop(middleware);
            } catch (Exception e) {
                failure = add(failure, e);
            }
        }
        middlewares.clear();
        for (ActorRef<SwitchAgent.Command> agent : agents) {
            try {
                stop(agent);
            } catch (Exception e) {
                failure = add(failure, e);
            }
        }
        agents.clear();
        for (FabricLink link : links.values()) {
            link.close();
        }
        for (FabricLink link : switchLinks.values()) {
            link.close();
        }
        if (network != null) {
            try {
                network.stop().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                failure = add(failure, e);
            }
        }
        system.terminate();
        try {
            system.getWhenTerminated().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            failure = add(failure, e);
        }
        if (listenersThrew != null) {
            if (failure != null) {
                listenersThrew.addSuppressed(failure);
            }
            throw listenersThrew;
        }
        if (failure != null) {
            throw new IllegalStateException("the fabric did not stop cleanly", failure);
        }
    }

    private static Exception add(Exception first, Exception next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }
}
