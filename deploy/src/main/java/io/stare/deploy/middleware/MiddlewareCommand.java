package io.stare.deploy.middleware;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import io.stare.actors.controller.ControllerCluster;
import io.stare.actors.controller.ControllerSettings;
import io.stare.actors.controller.ReplicaController;
import io.stare.actors.middleware.Middleware;
import io.stare.actors.middleware.MiddlewareSettings;
import io.stare.actors.middleware.gateway.GatewaySettings;
import io.stare.actors.middleware.gateway.VnfGateway;
import io.stare.actors.observability.MiddlewareMetrics;
import io.stare.deploy.cli.CliParsing;
import io.stare.deploy.cli.UserInputException;
import io.stare.deploy.cluster.Bootstrap;
import io.stare.deploy.cluster.ClusterNode;
import io.stare.deploy.cluster.ClusterTlsOption;
import io.stare.deploy.cluster.MemberLog;
import io.stare.deploy.cluster.PreviousIncarnation;
import io.stare.deploy.observability.OperatorEndpoint;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code stare middleware}: one server's middleware as a process. A cluster node with the role
 * {@code middleware} joins the replica controller's cluster, runs the {@link Middleware} (EXT
 * module) towards its switch port and the {@link VnfGateway} for VNFs in other processes, until
 * Ctrl-C or {@code --duration}; then it leaves the cluster.
 */
@Command(name = "middleware", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run one server's STARE middleware: it joins the replica controller's cluster (--seed) as a "
                + "node with the role " + MiddlewareCommand.ROLE + ", sends and receives STARE frames through its "
                + "switch port (--switch-port: with the tunnel transport, the UDP socket of a `stare softswitch` "
                + "front port) and serves VNFs in other processes over TCP (--gateway, the framing of "
                + "docs/protocol.md section 6; `stare vnf` and clients/python/stare_client.py speak it).",
                "It prints one line when it is ready and a line of counters whenever they change; on Ctrl-C or "
                        + "after --duration it closes the gateway, leaves the cluster and stops. The other "
                        + "stare.middleware settings come from 'stare --config FILE' (see "
                        + "'stare config show stare.middleware')."})
public final class MiddlewareCommand implements Callable<Integer> {

    /** The cluster role of a middleware's node. */
    public static final String ROLE = "middleware";

    @Spec
    CommandSpec spec;

    @Option(names = "--server-id", paramLabel = "ID", required = true,
            description = "this middleware's name towards the replica controller, unique per server (e.g. h1)")
    String serverId;

    @Option(names = "--switch-port", paramLabel = "HOST:PORT",
            description = "tunnel transport: the UDP address of the switch port this server is attached to "
                    + "(see `stare softswitch`'s port list); required unless --transport multicast")
    String switchPort;

    @Mixin
    ClusterTlsOption tls;

    @Option(names = "--tunnel-port", paramLabel = "PORT", defaultValue = "0",
            description = "tunnel transport: the local UDP port of this server's tunnel socket; with a fixed one "
                    + "the switch port is configured with this host (stare softswitch --hosts N=127.0.0.1:PORT) "
                    + "and listens to nobody else; 0 picks one (default: ${DEFAULT-VALUE})")
    int tunnelPort;

    @Option(names = "--sender-id", paramLabel = "N|host", defaultValue = "0",
            description = "the VNF_ID field of this server's SUB frames, 0..1023, unique per server on a shared "
                    + "segment; 'host': the low 10 bits of --host's IPv4 address, unique within a /22 "
                    + "(default: ${DEFAULT-VALUE})")
    String senderId;

    @Option(names = "--transport", paramLabel = "tunnel|multicast", defaultValue = "tunnel",
            description = "tunnel: whole frames over UDP to --switch-port; multicast: IP multicast on --interface "
                    + "(default: ${DEFAULT-VALUE})")
    String transport;

    @Option(names = "--interface", paramLabel = "IF",
            description = "multicast transport: the interface (name or address) to send on and join groups on "
                    + "(default: lo)")
    String networkInterface;

    @Option(names = "--seed", paramLabel = "HOST:PORT",
            description = "a node of the replica controller's cluster, e.g. the `stare controller` at "
                    + "127.0.0.1:25520 (repeatable; the first that answers is used). Required unless "
                    + "$STARE_CLUSTER_BOOTSTRAP is kubernetes-api: then the controller's pods are found through "
                    + "the Kubernetes API (docs/kubernetes.md)")
    List<String> seeds = new ArrayList<>();

    @Option(names = "--host", paramLabel = "HOST", defaultValue = "${env:STARE_CLUSTER_HOST:-127.0.0.1}",
            description = "the address the cluster reaches this node at (default: $STARE_CLUSTER_HOST, else "
                    + "127.0.0.1)")
    String host;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "${env:STARE_CLUSTER_PORT:-0}",
            description = "this node's cluster (Artery TCP) port; 0 picks a free one (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--gateway", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:65431",
            description = "where VNFs in other processes connect (TCP); port 0 picks a free one, printed when "
                    + "ready (default: ${DEFAULT-VALUE})")
    String gateway;

    @Option(names = "--metrics", paramLabel = "HOST:PORT",
            description = "serve the middleware's counters as Prometheus metrics at http://HOST:PORT/metrics, with "
                    + "/ready and /alive (Pekko Management; ready once the node is Up and the gateway listens)")
    String metrics;

    @Option(names = "--join-timeout", paramLabel = "DURATION", defaultValue = "60s",
            description = "give up when no seed node has let this node in by then (default: ${DEFAULT-VALUE})")
    String joinTimeout;

    @Option(names = "--publish-log-dir", paramLabel = "DIR",
            defaultValue = "${env:STARE_MIDDLEWARE_PUBLISH_LOG_DIR:-data/publish-log}",
            description = "where the publish log's file lives, so that a killed and restarted middleware "
                    + "loses nothing it told a VNF was published and reuses no update number; \"\" keeps it on "
                    + "the heap (default: ${DEFAULT-VALUE})")
    String publishLogDir;

    @Option(names = "--stats-every", paramLabel = "DURATION", defaultValue = "1s",
            description = "how often the counters are read; a line is printed only when they changed "
                    + "(default: ${DEFAULT-VALUE})")
    String statsEvery;

    @Option(names = "--duration", paramLabel = "DURATION",
            description = "leave the cluster and stop after this long, e.g. 30s or 5m (default: until Ctrl-C)")
    String duration;

    @Override
    public Integer call() throws Exception {
        ClusterNode.port(port);
        List<String> seedNodes = ClusterNode.seeds(seeds);
        senderId(senderId, host); // a bad value is refused before anything starts
        MiddlewareSettings.TransportSettings.Kind kind;
        try {
            kind = MiddlewareSettings.TransportSettings.Kind.parse(transport);
        } catch (IllegalArgumentException e) {
            throw new UserInputException("--transport must be tunnel or multicast, not '" + transport + "'");
        }
        InetSocketAddress switchAddress = null;
        if (kind == MiddlewareSettings.TransportSettings.Kind.TUNNEL) {
            if (switchPort == null) {
                throw new UserInputException("--switch-port is required with the tunnel transport: the UDP address "
                        + "of a switch port, HOST:PORT");
            }
            if (networkInterface != null) {
                throw new UserInputException("--interface is for --transport multicast");
            }
        }
        if (switchPort != null) {
            switchAddress = CliParsing.address("--switch-port", switchPort);
            if (switchAddress.getPort() == 0) {
                throw new UserInputException("--switch-port needs a port, not 0");
            }
            if (switchAddress.isUnresolved()) {
                throw new UserInputException("--switch-port '" + switchPort + "': unknown host "
                        + switchAddress.getHostString());
            }
        }
        InetSocketAddress gatewayAt = CliParsing.address("--gateway", gateway);
        InetSocketAddress metricsAt = metrics == null ? null : CliParsing.address("--metrics", metrics);
        Duration joinBound = positive("--join-timeout", joinTimeout);
        Duration statsPeriod = positive("--stats-every", statsEvery);
        Optional<Duration> runFor = duration == null ? Optional.empty()
                : Optional.of(CliParsing.duration("--duration", duration));

        Config config;
        Bootstrap.Mode bootstrap;
        MiddlewareSettings settings;
        GatewaySettings gatewaySettings;
        ControllerSettings controllerSettings;
        try {
            config = ControllerCluster.nodeConfig(host, port, seedNodes,
                    List.of(ROLE, PreviousIncarnation.role(ROLE, serverId)),
                    overrides(kind, switchAddress, gatewayAt, metricsAt));
            bootstrap = Bootstrap.mode(config);
            Bootstrap.checkSeeds(bootstrap, seedNodes);
            Bootstrap.checkEndpoint(bootstrap, metricsAt != null);
            if (bootstrap == Bootstrap.Mode.SEEDS && seedNodes.isEmpty()) {
                throw new UserInputException("--seed is required: a node of the replica controller's cluster, "
                        + "HOST:PORT (or $STARE_CLUSTER_BOOTSTRAP=kubernetes-api in Kubernetes)");
            }
            settings = MiddlewareSettings.fromConfig(config);
            gatewaySettings = GatewaySettings.fromConfig(config);
            controllerSettings = ControllerSettings.fromConfig(config);
            if (kind == MiddlewareSettings.TransportSettings.Kind.MULTICAST) {
                settings.transport().multicast().resolveInterface();
            }
        } catch (IllegalArgumentException | ConfigException e) {
            throw new UserInputException(String.valueOf(e.getMessage())
                    .replace("stare.middleware.multicast.interface", "--interface"));
        }

        PrintWriter out = spec.commandLine().getOut();
        probeGatewayPort(gatewaySettings);
        ActorSystem<Void> system = ClusterNode.start(config, host, port);
        CompletableFuture<Void> up = new CompletableFuture<>();
        AtomicBoolean gatewayBound = new AtomicBoolean();
        try {
            ClusterNode.sayGoodbye(system, out, up, "the controller drops its subscriptions once it notices");
            ActorRef<ReplicaController.Command> router = ControllerCluster.start(system, controllerSettings)
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
            ActorRef<Middleware.Command> middleware = spawnStoppable(system, Middleware.create(settings, router));
            // A restarted middleware downs its dead incarnation instead of waiting for the resolver to.
            system.systemActorOf(PreviousIncarnation.downer(PreviousIncarnation.role(ROLE, serverId), out),
                    "stare-previous-incarnation", Props.empty());
            String where = kind == MiddlewareSettings.TransportSettings.Kind.TUNNEL
                    ? "switch port " + switchAddress.getHostString() + ":" + switchAddress.getPort()
                    : "multicast on " + settings.transport().multicast().networkInterface();
            system.systemActorOf(MemberLog.create(out, members -> null, up), "stare-member-log", Props.empty());
            if (bootstrap == Bootstrap.Mode.KUBERNETES_API || metricsAt != null) {
                String serverId = settings.serverId();
                InetSocketAddress endpoint = OperatorEndpoint.start(system,
                        () -> stats(system, middleware).thenApply(s -> MiddlewareMetrics.snapshots(Map.of(serverId, s))),
                        gatewayBound::get, Duration.ofSeconds(30));
                print(out, "metrics at " + OperatorEndpoint.describe(endpoint));
            }
            if (bootstrap == Bootstrap.Mode.KUBERNETES_API) {
                // Not a contact point itself: it joins the cluster the controller's pods formed.
                Bootstrap.start(system);
                print(out, "finding " + Bootstrap.describeDiscovery(config));
            }

            CompletableFuture<?> terminated = system.getWhenTerminated().toCompletableFuture();
            try {
                CompletableFuture.anyOf(up, terminated).get(joinBound.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException notUp) {
                throw new UserInputException((bootstrap == Bootstrap.Mode.SEEDS
                        ? "no seed node let this node in within " + ClusterNode.human(joinBound) + " ("
                                + String.join(", ", seedNodes) + "); is `stare controller` running there, and can it "
                        : "no controller found through " + Bootstrap.describeDiscovery(config) + " let this node in "
                                + "within " + ClusterNode.human(joinBound) + "; are they running, and can they ")
                        + "reach this node at " + host + " (--host)?");
            }
            if (terminated.isDone()) {
                print(out, "stopped before this node was let into the cluster");
                return 1;
            }
            // VNFs attach only to a member of the cluster: a node that never got in (or is about to be
            // downed) must not tell a VNF it is subscribed.
            VnfGateway vnfGateway = bindGateway(system, middleware, gatewaySettings);
            gatewayBound.set(true);
            CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceUnbind(), "stare-close-gateway",
                    () -> vnfGateway.close().exceptionally(error -> Done.getInstance()));
            InetSocketAddress boundAt = vnfGateway.localAddress();
            print(out, "middleware " + settings.serverId() + " up: " + where + ", gateway " + boundAt.getHostString()
                    + ":" + boundAt.getPort() + ", controller cluster " + controllerAddress(system, seedNodes)
                    + " (members: " + Cluster.get(system).state().members().size() + ")");
            print(out, runFor.map(d -> "running for " + ClusterNode.human(d) + "; Ctrl-C stops earlier")
                    .orElse("running; Ctrl-C to stop"));
            long deadline = runFor.map(d -> System.nanoTime() + d.toNanos()).orElse(Long.MAX_VALUE);
            String last = null;
            while (!terminated.isDone()) {
                long left = remainingMillis(deadline);
                if (left == 0) {
                    print(out, "stopping after " + duration + ": leaving the cluster");
                    break;
                }
                try {
                    terminated.get(Math.min(left, statsPeriod.toMillis()), TimeUnit.MILLISECONDS);
                } catch (TimeoutException tick) {
                    Optional<String> line = statsLine(system, middleware, vnfGateway, settings.serverId());
                    if (line.isPresent() && !line.get().equals(last)) {
                        if (last != null || !line.get().equals(idleLine(settings.serverId()))) {
                            print(out, line.get());
                        }
                        last = line.get();
                    }
                }
            }
        } finally {
            ClusterNode.leave(system, CoordinatedShutdown.jvmExitReason(), Duration.ofSeconds(30));
        }
        return 0;
    }

    /**
     * The {@code --sender-id}: a number, or {@code host}, the low 10 bits of the host's IPv4
     * address, which servers on one segment of up to 1,024 addresses (a /22) do not share: what a
     * DaemonSet, whose pods all get the same arguments, gives every node.
     */
    static int senderId(String value, String host) {
        if (value.trim().equalsIgnoreCase("host")) {
            byte[] address;
            try {
                address = java.net.InetAddress.getByName(host).getAddress();
            } catch (java.net.UnknownHostException e) {
                throw new UserInputException("--sender-id host: unknown host '" + host + "' (--host)");
            }
            if (address.length != 4) {
                throw new UserInputException("--sender-id host needs an IPv4 --host, not " + host);
            }
            return ((address[2] & 0x03) << 8) | (address[3] & 0xff);
        }
        int id;
        try {
            id = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new UserInputException("--sender-id must be 0..1023 or host, not '" + value + "'");
        }
        if (id < 0 || id > 1023) {
            throw new UserInputException("--sender-id " + id + " is out of range 0..1023");
        }
        return id;
    }

    /** The flags as configuration, over system properties' and application.conf's. */
    private Config overrides(MiddlewareSettings.TransportSettings.Kind kind, InetSocketAddress switchAddress,
                             InetSocketAddress gatewayAt, InetSocketAddress metricsAt) {
        Map<String, Object> values = new HashMap<>();
        values.put("stare.middleware.server-id", serverId);
        values.put("stare.middleware.sender-id", senderId(senderId, host));
        values.put("stare.middleware.transport", kind.name().toLowerCase(Locale.ROOT));
        values.put("stare.middleware.tunnel-port", tunnelPort);
        if (switchAddress != null) {
            values.put("stare.middleware.switch-port", switchAddress.getHostString() + ":" + switchAddress.getPort());
        }
        if (networkInterface != null) {
            values.put("stare.middleware.multicast.interface", networkInterface);
        }
        values.put("stare.middleware.publish-log-dir", publishLogDir);
        values.put("stare.middleware.gateway.host", gatewayAt.getHostString());
        values.put("stare.middleware.gateway.port", gatewayAt.getPort());
        Config flags = tls.overrides().withFallback(ConfigFactory.parseMap(values));
        if (metricsAt != null) {
            flags = OperatorEndpoint.at(metricsAt, true).withFallback(flags);
        }
        return flags.withFallback(ConfigFactory.defaultApplication());
    }

    /**
     * Spawns the middleware under a parent that stops it in coordinated shutdown's service-stop
     * phase, before its streams' materializer goes away (its supervisor would restart it otherwise).
     */
    private static ActorRef<Middleware.Command> spawnStoppable(ActorSystem<?> system,
                                                               Behavior<Middleware.Command> behavior)
            throws Exception {
        CompletableFuture<ActorRef<Middleware.Command>> child = new CompletableFuture<>();
        CompletableFuture<Done> stopped = new CompletableFuture<>();
        ActorRef<String> parent = system.systemActorOf(Behaviors.<String>setup(context -> {
            child.complete(context.spawn(behavior, "ext"));
            return Behaviors.receive(String.class)
                    .onMessage(String.class, stop -> Behaviors.stopped())
                    .onSignal(PostStop.class, signal -> {
                        stopped.complete(Done.getInstance());
                        return Behaviors.same();
                    })
                    .build();
        }), "middleware", Props.empty());
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceStop(), "stare-stop-middleware",
                () -> {
                    parent.tell("stop");
                    return stopped.completeOnTimeout(Done.getInstance(), 5, TimeUnit.SECONDS);
                });
        return child.get(10, TimeUnit.SECONDS);
    }

    /**
     * Tries the gateway's port before anything else starts, so a taken port is a one-line error at
     * once (the gateway itself opens only once this node is in the cluster); Pekko would log a stack
     * trace before failing the same way.
     */
    private static void probeGatewayPort(GatewaySettings settings) {
        String at = settings.host() + ":" + settings.port();
        if (settings.port() != 0) {
            try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
                probe.setReuseAddress(true);
                probe.bind(new InetSocketAddress(settings.host(), settings.port()));
            } catch (java.net.BindException e) {
                throw new UserInputException("cannot listen for VNFs on " + at + ": "
                        + (String.valueOf(e.getMessage()).contains("in use")
                        ? "the port is in use (another middleware on this machine? choose another with --gateway "
                                + "HOST:PORT, 0 for any)"
                        : e.getMessage() + " (is it an address of this machine?)"));
            } catch (java.io.IOException | RuntimeException e) {
                // Let Pekko try and say what is wrong.
            }
        }
    }

    private static VnfGateway bindGateway(ActorSystem<?> system, ActorRef<Middleware.Command> middleware,
                                          GatewaySettings settings) throws InterruptedException {
        String at = settings.host() + ":" + settings.port();
        probeGatewayPort(settings);
        try {
            return VnfGateway.start(system, middleware, settings).toCompletableFuture().get(15, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            String why = String.valueOf(cause.getMessage());
            for (Throwable t = cause; t != null; t = t.getCause()) {
                if (t instanceof java.net.BindException || String.valueOf(t.getMessage()).contains("in use")) {
                    throw new UserInputException("cannot listen for VNFs on " + at + ": the port is in use (another "
                            + "middleware on this machine? choose another with --gateway HOST:PORT, 0 for any)");
                }
            }
            throw new UserInputException("cannot listen for VNFs on " + at + ": " + why.replaceAll("\\s+", " "));
        } catch (TimeoutException e) {
            throw new UserInputException("cannot listen for VNFs on " + at + ": no answer within 15 s");
        }
    }

    private static CompletionStage<Middleware.Stats> stats(ActorSystem<?> system,
                                                           ActorRef<Middleware.Command> middleware) {
        return AskPattern.ask(middleware, Middleware.GetStats::new, Duration.ofSeconds(5), system.scheduler());
    }

    /** The counters line, or empty when the middleware did not answer. */
    private static Optional<String> statsLine(ActorSystem<?> system, ActorRef<Middleware.Command> middleware,
                                              VnfGateway gateway, String serverId) {
        try {
            Middleware.Stats s = stats(system, middleware).toCompletableFuture().get(6, TimeUnit.SECONDS);
            return Optional.of(describe(serverId, s, gateway.counters().open()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException | TimeoutException e) {
            return Optional.empty();
        }
    }

    /** One line of a middleware's counters. */
    static String describe(String serverId, Middleware.Stats s, long sessions) {
        return String.format(Locale.ROOT, "%s: %d VNF connected; published %d; delivered %d from the network, %d "
                        + "locally; recovered %d segments (%d RECOVER requests), %d updates lost; SUB-register/remove "
                        + "%d acknowledged, %d pending; %d published updates unconfirmed by the backlog",
                serverId, sessions, s.updatesPublished(),
                s.deliveredFromNetwork(), s.localDeliveries(), s.recoveredSegments(), s.recoverRequests(),
                s.unrecoverableUpdates(), s.arq().acknowledged(), s.arq().pending(), s.unconfirmedAppends());
    }

    /** The line of a middleware that has done nothing yet (not printed). */
    private static String idleLine(String serverId) {
        return serverId + ": 0 VNF connected; published 0; delivered 0 from the network, 0 locally; recovered 0 "
                + "segments (0 RECOVER requests), 0 updates lost; SUB-register/remove 0 acknowledged, 0 pending; 0 published "
                + "updates unconfirmed by the backlog";
    }

    /** The replica controller nodes this node sees (the seeds when it sees none yet). */
    private static String controllerAddress(ActorSystem<?> system, List<String> seeds) {
        String role = system.settings().config().getString("stare.controller.role");
        List<String> controllers = new ArrayList<>();
        for (Member m : Cluster.get(system).state().getMembers()) {
            if (m.hasRole(role)) {
                controllers.add(m.address().toString());
            }
        }
        return String.join(", ", controllers.isEmpty() ? seeds : controllers);
    }

    private static Duration positive(String option, String text) {
        Duration d = CliParsing.duration(option, text);
        if (d.isZero()) {
            throw new UserInputException(option + " must be longer than 0");
        }
        return d;
    }

    private static long remainingMillis(long deadline) {
        if (deadline == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        return Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
    }

    private static void print(PrintWriter out, String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }
}
