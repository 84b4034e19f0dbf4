package io.stare.bench.faults;

import io.stare.fabric.FabricLink;
import io.stare.protocol.time.TimeFactor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * STARE deployed as separate processes on loopback, as the getting-started guide runs it by hand: a
 * replica controller node (its backlogs in an H2 file of the run's directory), a software switch
 * running the register program, and one middleware per server on the switch's ports, each with a
 * TCP gateway for VNFs. Each role is a {@link RoleProcess} a fault scenario can kill and restart.
 */
public final class ProcessDeployment implements AutoCloseable {

    private static final String LOOPBACK = "127.0.0.1";

    private final Path directory;
    private final Duration timeout;
    private final List<String> jvmOptions;
    private final int controllerPort;
    private final int udpBase;
    private final List<RoleProcess> controllers = new ArrayList<>();
    private final List<Integer> controllerPorts = new ArrayList<>();
    private final RoleProcess softswitch;
    private final Map<String, RoleProcess> middlewares = new LinkedHashMap<>();
    private final Map<String, InetSocketAddress> gateways = new LinkedHashMap<>();
    private final int p4RuntimePort;
    private final int tunnelBase;
    /** The relay to PostgreSQL the controller nodes journal through, if they do. */
    private final TcpProxy postgres;
    /** Per server, the lossy relay between its middleware and its switch port, if the deployment has them. */
    private final Map<String, FabricLink> links = new LinkedHashMap<>();
    /** The file system the H2 file lives on, if the plan gave it one. */
    private final SmallDisk h2Disk;
    /** The controller nodes' network namespaces, if the plan asked for them. */
    private final NodeNetwork network;
    /** The address cluster members in this network namespace bind (loopback, or the bridge's). */
    private final String clusterHost;
    private final List<String> controllerHosts = new ArrayList<>();
    /** Per controller node, its Pekko Management port (used when the nodes bootstrap). */
    private final List<Integer> managementPorts = new ArrayList<>();
    /** The pods' API the nodes bootstrap through, or null: seeds. */
    private final PodDirectory pods;
    private final Function<String, Path> tls;
    /** The controller nodes' store flags. */
    private final List<String> store;

    /**
     * What to deploy: how many controller nodes and servers, how long each role may take to come up
     * (scaled by the time factor), and the options a fault scenario needs.
     *
     * @param controllerNodes controller nodes ("controller", "controller-2", ...), joining the first
     * @param servers middlewares h1, h2, ..., one per switch port
     * @param timeout how long each role may take to come up
     * @param tls each cluster role's {@code --tls-dir} by name (null: none)
     * @param relays each middleware reaches its switch port through a relay in this JVM ({@link #link})
     *     that can lose, duplicate and reorder frames, perfect until told otherwise
     * @param postgres the controller nodes journal in this PostgreSQL (a fresh schema) through a relay
     *     a fault can cut ({@link #postgres()}); null: in an H2 file
     * @param h2DiskBytes above 0: the H2 file lives on a file system of this size of its own, which a
     *     fault can fill ({@link #h2Disk()}); needs root
     * @param partitionable every controller node runs in a network namespace of its own, bridged to
     *     the others, so that a fault can cut one off ({@link #network()}); needs root
     * @param pods the cluster nodes bootstrap through this Kubernetes API instead of a seed list;
     *     null: seeds
     */
    public record Plan(int controllerNodes, int servers, Duration timeout, Function<String, Path> tls, boolean relays,
                       InetSocketAddress postgres, long h2DiskBytes, boolean partitionable, PodDirectory pods) {

        /** One controller node, {@code servers} servers, nothing else. */
        public static Plan of(int servers, Duration timeout) {
            return new Plan(1, servers, timeout, role -> null, false, null, 0, false, null);
        }

        public Plan withControllerNodes(int nodes) {
            return new Plan(nodes, servers, timeout, tls, relays, postgres, h2DiskBytes, partitionable, pods);
        }

        public Plan withTls(Function<String, Path> directories) {
            return new Plan(controllerNodes, servers, timeout, directories, relays, postgres, h2DiskBytes, partitionable, pods);
        }

        public Plan withRelays() {
            return new Plan(controllerNodes, servers, timeout, tls, true, postgres, h2DiskBytes, partitionable, pods);
        }

        public Plan withPostgres(InetSocketAddress server) {
            return new Plan(controllerNodes, servers, timeout, tls, relays, server, h2DiskBytes, partitionable, pods);
        }

        public Plan withH2Disk(long bytes) {
            return new Plan(controllerNodes, servers, timeout, tls, relays, postgres, bytes, partitionable, pods);
        }

        public Plan withPartitions() {
            return new Plan(controllerNodes, servers, timeout, tls, relays, postgres, h2DiskBytes, true, pods);
        }

        public Plan withPods(PodDirectory directory) {
            return new Plan(controllerNodes, servers, timeout, tls, relays, postgres, h2DiskBytes, partitionable,
                    directory);
        }
    }

    private ProcessDeployment(Path directory, Plan plan, SmallDisk h2Disk, NodeNetwork network) {
        this.directory = directory;
        this.timeout = TimeFactor.dilated(plan.timeout());
        this.h2Disk = h2Disk;
        this.network = network;
        this.pods = plan.pods();
        this.tls = plan.tls();
        int servers = plan.servers();
        this.jvmOptions = List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-D" + TimeFactor.PROPERTY + "=" + TimeFactor.current());
        // Cluster members reach each other on loopback, or across the bridge of the nodes' namespaces.
        this.clusterHost = network == null ? LOOPBACK : network.hostAddress();
        this.controllerPort = FixedPorts.tcp();
        int udpPorts = FixedPorts.udp(2 * servers); // the switch's ports, then the middlewares' tunnel sockets
        this.udpBase = udpPorts;
        // Controller nodes share one H2 file (its AUTO_SERVER mode), or one PostgreSQL schema through
        // a relay a fault can cut, and join the first one.
        try {
            this.postgres = plan.postgres() == null ? null : new TcpProxy(clusterHost, plan.postgres());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path h2File = (h2Disk == null ? directory : h2Disk.path()).resolve("backlogs");
        this.store = postgres == null
                ? List.of("--store", "h2-file", "--h2-path", h2File.toString())
                : List.of("--store", "postgres", "--postgres-url", "jdbc:postgresql://" + clusterHost + ":"
                        + postgres.port() + "/test", "--postgres-schema", "faults_" + Long.toHexString(System.nanoTime()));
        for (int c = 0; c < plan.controllerNodes(); c++) {
            controllerPorts.add(c == 0 ? controllerPort : FixedPorts.tcp());
            controllerHosts.add(network == null ? LOOPBACK : network.nodeAddress(c + 1));
            managementPorts.add(FixedPorts.tcp());
        }
        for (int c = 0; c < plan.controllerNodes(); c++) {
            controllers.add(controllerRole(c, plan.controllerNodes() > 1));
        }
        // Each switch port is configured with its middleware's tunnel socket, as a deployment does:
        // no other socket can take a port over, and a restarted middleware is its port's host again.
        this.tunnelBase = udpPorts + servers;
        List<String> hosts = new ArrayList<>();
        for (int i = 0; i < servers; i++) {
            InetSocketAddress host = new InetSocketAddress(LOOPBACK, tunnelBase + i);
            if (plan.relays()) {
                // The middleware talks to the relay, the relay to the switch port, as to a lossy wire.
                try {
                    FabricLink link = FabricLink.toHost("h" + (i + 1), "s1", new InetSocketAddress(LOOPBACK, udpBase + i),
                            17 + i);
                    links.put("h" + (i + 1), link);
                    host = link.farSide();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            hosts.add(i + "=" + host.getHostString() + ":" + host.getPort());
        }
        this.p4RuntimePort = FixedPorts.tcp();
        this.softswitch = role("softswitch", List.of("softswitch", "--ports", String.valueOf(servers), "--program",
                "register", "--udp-base", String.valueOf(udpBase), "--grpc", LOOPBACK + ":" + p4RuntimePort,
                "--hosts", String.join(",", hosts)), List.of());
        for (int i = 0; i < servers; i++) {
            String server = "h" + (i + 1);
            InetSocketAddress gateway = new InetSocketAddress(LOOPBACK, FixedPorts.tcp());
            gateways.put(server, gateway);
            InetSocketAddress switchPort = plan.relays() ? links.get(server).nearSide()
                    : new InetSocketAddress(LOOPBACK, udpBase + i);
            List<String> arguments = concat(List.of("middleware", "--server-id", server,
                    "--sender-id", String.valueOf(i + 1), "--switch-port",
                    switchPort.getHostString() + ":" + switchPort.getPort(),
                    "--tunnel-port", String.valueOf(tunnelBase + i), "--host", clusterHost, "--port", "0",
                    "--gateway", LOOPBACK + ":" + gateway.getPort()), pods == null ? seedArguments() : List.of());
            middlewares.put(server, role(server, withTls(plan.tls(), server, arguments), List.of(),
                    pods == null ? Map.of() : bootstrapEnvironment(FixedPorts.tcp())));
        }
    }

    /**
     * Starts a controller node, a switch with one port per server and a middleware per server
     * ({@code h1}, {@code h2}, ...), and waits until every one is up.
     *
     * @param directory where the roles run and log (one file per incarnation)
     * @param servers how many servers
     * @param timeout how long each role may take to come up (scaled by the time factor)
     */
    public static ProcessDeployment start(Path directory, int servers, Duration timeout) {
        try {
            return start(directory, Plan.of(servers, timeout));
        } catch (ScenarioUnavailable impossible) {
            throw new IllegalStateException("a plain deployment needs nothing special", impossible);
        }
    }

    /**
     * Starts what {@code plan} says and waits until every role is up.
     *
     * @param directory where the roles run and log (one file per incarnation)
     * @throws ScenarioUnavailable where the plan needs what this machine does not allow (root)
     */
    public static ProcessDeployment start(Path directory, Plan plan) throws ScenarioUnavailable {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SmallDisk disk = null;
        NodeNetwork network = null;
        ProcessDeployment deployment = null;
        try {
            if (plan.h2DiskBytes() > 0) {
                disk = SmallDisk.mount(directory.resolve("h2-disk"), plan.h2DiskBytes());
            }
            if (plan.partitionable()) {
                network = NodeNetwork.create(plan.controllerNodes());
            }
            deployment = new ProcessDeployment(directory, plan, disk, network);
            if (plan.pods() != null) {
                // Bootstrapping nodes form the cluster together: all start before any is up.
                for (int c = 0; c < deployment.controllers.size(); c++) {
                    deployment.startController(c);
                }
            } else {
                deployment.controller().start();
            }
            deployment.softswitch.start();
            deployment.controller().awaitLine("replica controller node .* up");
            if (plan.pods() == null) {
                for (RoleProcess other : deployment.controllers.subList(1, deployment.controllers.size())) {
                    other.start();
                }
            }
            for (RoleProcess other : deployment.controllers.subList(1, deployment.controllers.size())) {
                other.awaitLine("replica controller node .* up");
            }
            deployment.softswitch.awaitLine("running");
            deployment.middlewares.values().forEach(RoleProcess::start);
            for (String server : deployment.middlewares.keySet()) {
                deployment.awaitMiddleware(server);
            }
            return deployment;
        } catch (ScenarioUnavailable | IOException | RuntimeException | Error e) {
            if (deployment != null) {
                deployment.close();
            } else {
                if (disk != null) {
                    disk.close();
                }
                if (network != null) {
                    network.close();
                }
            }
            if (e instanceof IOException io) {
                throw new UncheckedIOException(io);
            } else if (e instanceof ScenarioUnavailable unavailable) {
                throw unavailable;
            } else if (e instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw (Error) e;
        }
    }

    /** {@code --seed HOST:PORT} for every controller node, the first first. */
    private List<String> seedArguments() {
        List<String> arguments = new ArrayList<>();
        for (int c = 0; c < controllerPorts.size(); c++) {
            arguments.add("--seed");
            arguments.add(controllerHosts.get(c) + ":" + controllerPorts.get(c));
        }
        return arguments;
    }

    /**
     * Controller node {@code c} (from 0) as a role: its store, and its seeds or, bootstrapping, the
     * environment that points it at the pods' API.
     */
    private RoleProcess controllerRole(int c, boolean seeded) {
        String name = c == 0 ? "controller" : "controller-" + (c + 1);
        List<String> arguments = new ArrayList<>(List.of("controller", "--host", controllerHosts.get(c), "--port",
                String.valueOf(controllerPorts.get(c))));
        arguments.addAll(store);
        arguments.addAll(List.of("--namespace", "faults"));
        if (pods == null && seeded) {
            // Every node lists every node, the first node first: the first node founds the cluster
            // only when no other answers within seed-node-timeout, so a restarted first node
            // joins the others instead of founding a second cluster.
            arguments.addAll(seedArguments());
        }
        List<String> launcher = network == null ? List.of() : network.launcher(c + 1);
        return role(name, withTls(tls, name, arguments), launcher,
                pods == null ? Map.of() : bootstrapEnvironment(managementPorts.get(c)));
    }

    private Map<String, String> bootstrapEnvironment(int managementPort) {
        Map<String, String> environment = new java.util.HashMap<>(pods.environment());
        environment.put("STARE_MANAGEMENT_HOST", LOOPBACK);
        environment.put("STARE_MANAGEMENT_PORT", String.valueOf(managementPort));
        return environment;
    }

    /** Starts controller node {@code c} (from 0), publishing its pod first when the nodes bootstrap. */
    private void startController(int c) {
        if (pods != null) {
            pods.podStarted(controllers.get(c).name(), managementPorts.get(c), controllerPorts.get(c));
        }
        controllers.get(c).start();
    }

    /**
     * Adds a controller node, as a scaled-up Deployment does, and waits until it is up.
     *
     * @return its number (from 1)
     */
    public int addController() {
        int c = controllers.size();
        controllerPorts.add(FixedPorts.tcp());
        controllerHosts.add(LOOPBACK);
        managementPorts.add(FixedPorts.tcp());
        controllers.add(controllerRole(c, true));
        startController(c);
        controllers.get(c).awaitLine("replica controller node .* up");
        return c + 1;
    }

    /**
     * Stops controller node {@code n} (from 1) as Kubernetes deletes a pod: its pod object first,
     * then SIGTERM, and waits until the process has left the cluster and ended.
     */
    public void removeController(int n) throws InterruptedException {
        RoleProcess node = controller(n);
        if (pods != null) {
            pods.podDeleted(node.name());
        }
        node.stop();
    }

    /**
     * Kills controller node {@code n} (from 1) as a lost node or the OOM killer does: SIGKILL, then
     * its pod object gone; the others down it.
     */
    public void killController(int n) throws InterruptedException {
        RoleProcess node = controller(n);
        node.kill();
        if (pods != null) {
            pods.podDeleted(node.name());
        }
    }

    /** Replaces controller node {@code n} (from 1) as a rolling update does: removed, then started again. */
    public void restartController(int n) throws InterruptedException {
        removeController(n);
        startController(n - 1);
        controller(n).awaitLine("replica controller node .* up");
    }

    private static List<String> concat(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    /** The gateway a VNF on {@code server} connects to. */
    public InetSocketAddress gateway(String server) {
        return gateways.get(server);
    }

    /** The relay between {@code server}'s middleware and its switch port (a deployment started with relays). */
    public FabricLink link(String server) {
        FabricLink link = links.get(server);
        if (link == null) {
            throw new IllegalStateException(links.isEmpty() ? "this deployment was started without relays"
                    : "no server " + server + "; servers: " + links.keySet());
        }
        return link;
    }

    /** The relay the controller nodes reach PostgreSQL through (a deployment started with PostgreSQL). */
    TcpProxy postgres() {
        if (postgres == null) {
            throw new IllegalStateException("this deployment journals in an H2 file, not PostgreSQL");
        }
        return postgres;
    }

    /** Where the software switch serves P4Runtime. */
    public InetSocketAddress p4Runtime() {
        return new InetSocketAddress(LOOPBACK, p4RuntimePort);
    }

    /** The UDP socket of {@code server}'s middleware that its switch port is configured with. */
    public InetSocketAddress tunnel(String server) {
        int index = new ArrayList<>(middlewares.keySet()).indexOf(server);
        if (index < 0) {
            throw new IllegalArgumentException("no server " + server + "; servers: " + middlewares.keySet());
        }
        return new InetSocketAddress(LOOPBACK, tunnelBase + index);
    }

    /** A server's middleware. */
    public RoleProcess middleware(String server) {
        RoleProcess middleware = middlewares.get(server);
        if (middleware == null) {
            throw new IllegalArgumentException("no server " + server + "; servers: " + middlewares.keySet());
        }
        return middleware;
    }

    /** The UDP address of the switch port {@code server}'s middleware is attached to. */
    public InetSocketAddress switchPort(String server) {
        int index = new ArrayList<>(middlewares.keySet()).indexOf(server);
        if (index < 0) {
            throw new IllegalArgumentException("no server " + server);
        }
        return new InetSocketAddress(LOOPBACK, udpBase + index);
    }

    /** The first controller node (the seed). */
    public RoleProcess controller() {
        return controllers.get(0);
    }

    /**
     * The controller node (from 1) that hosts the most backlog shards now, as {@code stare controller
     * status} reports it (the table "backlog shards per controller node").
     */
    public int busiestController() throws InterruptedException {
        List<String> lines = status();
        java.util.regex.Pattern row = java.util.regex.Pattern.compile("^pekko://stare@[^:]+:(\\d+)\\s+(\\d+)\\s+\\d+");
        boolean inTable = false;
        int best = -1;
        int bestShards = -1;
        for (String line : lines) {
            if (line.startsWith("backlog shards per controller node")) {
                inTable = true;
            } else if (inTable && line.isBlank()) {
                break;
            } else if (inTable) {
                java.util.regex.Matcher m = row.matcher(line);
                if (m.find() && Integer.parseInt(m.group(2)) > bestShards) {
                    bestShards = Integer.parseInt(m.group(2));
                    best = controllerPorts.indexOf(Integer.parseInt(m.group(1))) + 1;
                }
            }
        }
        if (best <= 0) {
            throw new AssertionError("no controller node hosts a shard:\n" + String.join("\n", lines));
        }
        return best;
    }

    /** What {@code stare controller status} prints now, asked of the running controller nodes. */
    public List<String> status() throws InterruptedException {
        List<String> seeds = new ArrayList<>();
        for (int c = 0; c < controllers.size(); c++) {
            if (controllers.get(c).isAlive()) {
                seeds.add("--seed");
                seeds.add(controllerHosts.get(c) + ":" + controllerPorts.get(c));
            }
        }
        RoleProcess status = command("status-" + System.nanoTime(), concat(List.of("controller", "status", "--host",
                clusterHost, "--timeout", "20s"), seeds)).start();
        if (status.awaitExit() != 0) {
            throw new AssertionError("controller status failed:\n" + status.tail());
        }
        return status.lines();
    }

    /** Controller node {@code n}, from 1. */
    public RoleProcess controller(int n) {
        return controllers.get(n - 1);
    }

    /** The software switch. */
    public RoleProcess softswitch() {
        return softswitch;
    }

    /** Waits until the current incarnation of {@code server}'s middleware is up. */
    public void awaitMiddleware(String server) {
        middleware(server).awaitLine("middleware " + server + " up");
    }

    /**
     * The segments {@code server}'s middleware has recovered from the backlog so far, as its latest
     * counters line says (printed once a second when they changed); 0 before the first line.
     */
    public long recoveredSegments(String server) {
        List<Long> reports = counters(server, RECOVERED);
        return reports.isEmpty() ? 0 : reports.get(reports.size() - 1);
    }

    /** One figure of {@code server}'s counters lines (the first group of {@code figure}), line by line, oldest first. */
    private List<Long> counters(String server, java.util.regex.Pattern figure) {
        List<Long> reports = new ArrayList<>();
        for (String line : middleware(server).lines()) {
            java.util.regex.Matcher m = figure.matcher(line);
            if (m.find()) {
                reports.add(Long.parseLong(m.group(1)));
            }
        }
        return reports;
    }

    private static final java.util.regex.Pattern RECOVERED = java.util.regex.Pattern.compile("recovered (\\d+) segments");

    /**
     * The updates {@code server}'s middleware had published that the backlog had not confirmed, as
     * each of its counters lines said (printed once a second when they changed), oldest first.
     */
    public List<Long> unconfirmedReports(String server) {
        return counters(server, UNCONFIRMED);
    }

    /** The latest of {@link #unconfirmedReports}; 0 before the first. */
    public long unconfirmedUpdates(String server) {
        List<Long> reports = unconfirmedReports(server);
        return reports.isEmpty() ? 0 : reports.get(reports.size() - 1);
    }

    private static final java.util.regex.Pattern UNCONFIRMED =
            java.util.regex.Pattern.compile("(\\d+) published updates unconfirmed by the backlog");

    /** The file system the controller's H2 file lives on (a deployment planned with one). */
    SmallDisk h2Disk() {
        if (h2Disk == null) {
            throw new IllegalStateException("this deployment's H2 file is on the run's own disk");
        }
        return h2Disk;
    }

    /** The controller nodes' network namespaces (a partitionable deployment). */
    NodeNetwork network() {
        if (network == null) {
            throw new IllegalStateException("this deployment's controller nodes share the machine's network");
        }
        return network;
    }

    /** The run's directory (role logs, the controller's H2 file). */
    public Path directory() {
        return directory;
    }

    @Override
    public void close() {
        middlewares.values().forEach(RoleProcess::close);
        softswitch.close();
        controllers.forEach(RoleProcess::close);
        links.values().forEach(FabricLink::close);
        if (h2Disk != null) {
            h2Disk.close();
        }
        if (network != null) {
            network.close();
        }
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /**
     * A one-off {@code stare} command against this deployment (e.g. {@code controller status}), not
     * started yet.
     */
    public RoleProcess command(String name, List<String> arguments) {
        return role(name, arguments, List.of());
    }

    /** The controller node's cluster port. */
    public int controllerPort() {
        return controllerPort;
    }

    private static List<String> withTls(Function<String, Path> tls, String role, List<String> arguments) {
        Path directory = tls.apply(role);
        if (directory == null) {
            return arguments;
        }
        List<String> all = new ArrayList<>(arguments);
        all.add("--tls-dir");
        all.add(directory.toString());
        return all;
    }

    private RoleProcess role(String name, List<String> arguments, List<String> launcher) {
        return role(name, arguments, launcher, Map.of());
    }

    private RoleProcess role(String name, List<String> arguments, List<String> launcher,
                             Map<String, String> environment) {
        return new RoleProcess(name, launcher, arguments, directory, environment, new ArrayList<>(jvmOptions), timeout);
    }
}
