package io.stare.bench.faults;

import io.stare.fabric.FabricLink;
import io.stare.protocol.time.TimeFactor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * STARE deployed as separate processes on loopback, as the getting-started guide runs it by hand: a
 * replica controller node (its backlogs in an H2 file of the run's directory), a software switch
 * running the register program, and one middleware per server on the switch's ports, each with a
 * TCP gateway for VNFs. Each role is a {@link RoleProcess} a fault scenario can kill and restart.
 */
public final class ProcessDeployment implements AutoCloseable {

    private static final String LOOPBACK = "127.0.0.1";
    /** Fixed ports are drawn from here: below Linux's default ephemeral range (32768..60999). */
    private static final int FIXED_PORTS_FROM = 20_000;
    private static final int FIXED_PORTS_TO = ephemeralLow();

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

    private ProcessDeployment(Path directory, int controllerNodes, int servers, Duration timeout,
                              Function<String, Path> tls, boolean relays, InetSocketAddress postgresServer) {
        this.directory = directory;
        this.timeout = timeout;
        this.jvmOptions = List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-D" + TimeFactor.PROPERTY + "=" + TimeFactor.current());
        this.controllerPort = freeTcpPort();
        int udpPorts = freeUdpPorts(2 * servers); // the switch's ports, then the middlewares' tunnel sockets
        this.udpBase = udpPorts;
        // Controller nodes share one H2 file (its AUTO_SERVER mode), or one PostgreSQL schema through
        // a relay a fault can cut, and join the first one.
        try {
            this.postgres = postgresServer == null ? null : new TcpProxy(postgresServer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> store = postgres == null
                ? List.of("--store", "h2-file", "--h2-path", directory.resolve("backlogs").toString())
                : List.of("--store", "postgres", "--postgres-url", "jdbc:postgresql://" + LOOPBACK + ":" + postgres.port()
                        + "/test", "--postgres-schema", "faults_" + Long.toHexString(System.nanoTime()));
        for (int c = 0; c < controllerNodes; c++) {
            String name = c == 0 ? "controller" : "controller-" + (c + 1);
            int port = c == 0 ? controllerPort : freeTcpPort();
            controllerPorts.add(port);
            List<String> arguments = new ArrayList<>(List.of("controller", "--host", LOOPBACK, "--port",
                    String.valueOf(port)));
            arguments.addAll(store);
            arguments.addAll(List.of("--namespace", "faults"));
            if (c > 0) {
                arguments.addAll(List.of("--seed", LOOPBACK + ":" + controllerPort));
            }
            controllers.add(role(name, withTls(tls, name, arguments)));
        }
        // Each switch port is configured with its middleware's tunnel socket, as a deployment does:
        // no other socket can take a port over, and a restarted middleware is its port's host again.
        this.tunnelBase = udpPorts + servers;
        List<String> hosts = new ArrayList<>();
        for (int i = 0; i < servers; i++) {
            InetSocketAddress host = new InetSocketAddress(LOOPBACK, tunnelBase + i);
            if (relays) {
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
        this.p4RuntimePort = freeTcpPort();
        this.softswitch = role("softswitch", List.of("softswitch", "--ports", String.valueOf(servers), "--program",
                "register", "--udp-base", String.valueOf(udpBase), "--grpc", LOOPBACK + ":" + p4RuntimePort,
                "--hosts", String.join(",", hosts)));
        for (int i = 0; i < servers; i++) {
            String server = "h" + (i + 1);
            InetSocketAddress gateway = new InetSocketAddress(LOOPBACK, freeTcpPort());
            gateways.put(server, gateway);
            InetSocketAddress switchPort = relays ? links.get(server).nearSide()
                    : new InetSocketAddress(LOOPBACK, udpBase + i);
            middlewares.put(server, role(server, withTls(tls, server, List.of("middleware", "--server-id", server,
                    "--sender-id", String.valueOf(i + 1), "--switch-port",
                    switchPort.getHostString() + ":" + switchPort.getPort(),
                    "--tunnel-port", String.valueOf(tunnelBase + i), "--seed", LOOPBACK + ":" + controllerPort,
                    "--host", LOOPBACK, "--port", "0", "--gateway", LOOPBACK + ":" + gateway.getPort()))));
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
        return start(directory, 1, servers, timeout, role -> null);
    }

    /**
     * The same, with cluster TLS: {@code tls} gives each cluster role ("controller", "h1", ...) its
     * {@code --tls-dir} (null: none).
     */
    public static ProcessDeployment start(Path directory, int servers, Duration timeout, Function<String, Path> tls) {
        return start(directory, 1, servers, timeout, tls);
    }

    /** The same with {@code controllerNodes} controller nodes ("controller", "controller-2", ...). */
    public static ProcessDeployment start(Path directory, int controllerNodes, int servers, Duration timeout,
                                          Function<String, Path> tls) {
        return start(directory, controllerNodes, servers, timeout, tls, false);
    }

    /**
     * The same, with {@code relays}: each middleware reaches its switch port through a relay in this
     * JVM ({@link #link}) that can lose, duplicate and reorder frames, perfect until told otherwise.
     */
    public static ProcessDeployment start(Path directory, int controllerNodes, int servers, Duration timeout,
                                          Function<String, Path> tls, boolean relays) {
        return start(directory, controllerNodes, servers, timeout, tls, relays, null);
    }

    /**
     * The same, with the controller nodes journalling in PostgreSQL at {@code postgres} (a fresh
     * schema) through a relay a fault can cut ({@link #postgres()}); null: the H2 file.
     */
    public static ProcessDeployment start(Path directory, int controllerNodes, int servers, Duration timeout,
                                          Function<String, Path> tls, boolean relays, InetSocketAddress postgres) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ProcessDeployment deployment = new ProcessDeployment(directory, controllerNodes, servers,
                TimeFactor.dilated(timeout), tls, relays, postgres);
        try {
            deployment.controller().start();
            deployment.softswitch.start();
            deployment.controller().awaitLine("replica controller node .* up");
            for (RoleProcess other : deployment.controllers.subList(1, deployment.controllers.size())) {
                other.start();
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
        } catch (RuntimeException | Error e) {
            deployment.close();
            throw e;
        }
    }

    /** The gateway a VNF on {@code server} connects to. */
    public InetSocketAddress gateway(String server) {
        return gateways.get(server);
    }

    /** A server's middleware. */
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
        RoleProcess status = command("status-" + System.nanoTime(), List.of("controller", "status", "--seed",
                LOOPBACK + ":" + controllerPort, "--host", LOOPBACK, "--timeout", "20s")).start();
        if (status.awaitExit() != 0) {
            throw new AssertionError("controller status failed:\n" + status.tail());
        }
        java.util.regex.Pattern row = java.util.regex.Pattern.compile("^pekko://stare@127\\.0\\.0\\.1:(\\d+)\\s+(\\d+)\\s+\\d+");
        boolean inTable = false;
        int best = -1;
        int bestShards = -1;
        for (String line : status.lines()) {
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
            throw new AssertionError("no controller node hosts a shard:\n" + String.join("\n", status.lines()));
        }
        return best;
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
        long recovered = 0;
        for (String line : middleware(server).lines()) {
            java.util.regex.Matcher m = RECOVERED.matcher(line);
            if (m.find()) {
                recovered = Long.parseLong(m.group(1));
            }
        }
        return recovered;
    }

    private static final java.util.regex.Pattern RECOVERED = java.util.regex.Pattern.compile("recovered (\\d+) segments");

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
        return role(name, arguments);
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

    private RoleProcess role(String name, List<String> arguments) {
        return new RoleProcess(name, arguments, directory, new ArrayList<>(jvmOptions), timeout);
    }

    /**
     * A TCP port free on loopback now, below the kernel's ephemeral range: a port the roles are told
     * to bind, and bind again after a restart, must not be one the kernel may hand to some socket's
     * port 0 or outgoing connection meanwhile (seen on a loaded machine: a restarted middleware found
     * its gateway port taken).
     */
    private static int freeTcpPort() {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(FIXED_PORTS_FROM, FIXED_PORTS_TO);
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
                return port;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IllegalStateException("no free TCP port on loopback in " + FIXED_PORTS_FROM + ".." + FIXED_PORTS_TO);
    }

    /** The kernel's lowest ephemeral port (Linux), 32768 where it cannot be read. */
    private static int ephemeralLow() {
        try {
            String range = java.nio.file.Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
            int low = Integer.parseInt(range.split("\\s+")[0]);
            return low > FIXED_PORTS_FROM + 1_000 ? low : 32_768;
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }

    /** The first of {@code count} consecutive UDP ports free on loopback now. */
    private static int freeUdpPorts(int count) {
        for (int attempt = 0; attempt < 100; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(FIXED_PORTS_FROM, FIXED_PORTS_TO - count);
            if (udpFree(base, count)) {
                return base;
            }
        }
        throw new IllegalStateException("no " + count + " consecutive free UDP ports on loopback in 100 attempts");
    }

    private static boolean udpFree(int base, int count) {
        List<DatagramSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                held.add(new DatagramSocket(new InetSocketAddress(LOOPBACK, base + i)));
            }
            return true;
        } catch (SocketException e) {
            return false;
        } finally {
            held.forEach(DatagramSocket::close);
        }
    }
}
