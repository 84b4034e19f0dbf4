package io.stare.deploy.softswitch;

import com.typesafe.config.ConfigFactory;
import io.stare.actors.observability.SwitchMetrics;
import io.stare.deploy.cli.CliParsing;
import io.stare.deploy.cli.UserInputException;
import io.stare.deploy.observability.OperatorEndpoint;
import io.stare.p4.program.StareProgram;
import io.stare.p4.softswitch.PortBinding;
import io.stare.p4.softswitch.SoftSwitchNetwork;
import io.stare.p4.softswitch.SoftSwitchNode;
import io.stare.p4.topology.SpanningTree;
import io.stare.p4.topology.Topology;
import io.stare.protocol.tls.TlsDirectory;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code stare softswitch}: runs one software switch, or every switch of a topology file, each
 * with its UDP-tunnel ports and its P4Runtime server, until Ctrl-C or {@code --duration}.
 */
@Command(name = "softswitch", mixinStandardHelpOptions = true,
        description = {"Run STARE's software switch: front ports are UDP sockets on loopback carrying whole "
                + "Ethernet frames, and a P4Runtime server takes a controller's pipeline and entries.",
                "Without --program the switch forwards nothing until a controller (stare agent) pushes a "
                        + "pipeline; with --program it configures itself and works alone."})
public final class SoftSwitchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--name", defaultValue = "s1", description = "switch name (default: ${DEFAULT-VALUE})")
    String name;

    @Option(names = "--ports", defaultValue = "8", description = "front ports, 1..16 (default: ${DEFAULT-VALUE})")
    int ports;

    @Option(names = "--grpc", defaultValue = "127.0.0.1:9559",
            description = "P4Runtime address HOST:PORT; with --topology, switch i listens on PORT+i "
                    + "(default: ${DEFAULT-VALUE})")
    String grpc;

    @Option(names = "--device-id", defaultValue = "1", description = "P4Runtime device ID (default: ${DEFAULT-VALUE})")
    long deviceId;

    @Option(names = "--udp-base", defaultValue = "0",
            description = "UDP port of front port 0 (port j binds BASE+j; with --topology switch i's port j binds "
                    + "BASE+32*i+j); 0 picks free ports (default: ${DEFAULT-VALUE})")
    int udpBase;

    @Option(names = "--hosts", split = ",", paramLabel = "PORT=HOST:PORT",
            description = "the middleware tunnel socket behind each front port, e.g. 0=127.0.0.1:40000 (the "
                    + "middleware's --tunnel-port): such a port sends only there and drops what any other socket "
                    + "sends it. Ports not named learn their host from the last datagram, which lets any local "
                    + "socket take them over: name every port in a deployment")
    List<String> hosts;

    @Option(names = "--program", defaultValue = "none",
            description = "configure the switch itself: register, embedded or none (default: ${DEFAULT-VALUE})")
    String program;

    @Option(names = "--topology", description = "run every switch of this topology file, linked as it says")
    Path topology;

    @Option(names = "--metrics", paramLabel = "HOST:PORT",
            description = "serve the switches' counters as Prometheus metrics at http://HOST:PORT/metrics, with "
                    + "/ready and /alive (Pekko Management; e.g. 127.0.0.1:9464)")
    String metrics;

    @Option(names = "--duration", description = "stop after this long, e.g. 30s or 5m (default: until Ctrl-C)")
    String duration;

    @Option(names = "--tls-dir", paramLabel = "DIR",
            description = "P4Runtime over TLS 1.3: a directory with tls.key, tls.crt and ca.crt (PEM); every "
                    + "controller must present a certificate the same CA signed (default: "
                    + "$STARE_SOFTSWITCH_TLS_DIR, else plain text)")
    Path tlsDirectory;

    @Override
    public Integer call() throws Exception {
        Optional<StareProgram.Mode> mode = parseProgram(program);
        InetSocketAddress grpcAddress = CliParsing.address("--grpc", grpc);
        Optional<Duration> runFor = duration == null ? Optional.empty() : Optional.of(CliParsing.duration("--duration", duration));
        Optional<Topology> topo = topology == null ? Optional.empty() : Optional.of(CliParsing.topology(topology));
        Optional<InetSocketAddress> metricsAt = metrics == null ? Optional.empty()
                : Optional.of(CliParsing.address("--metrics", metrics));
        if (topo.isEmpty() && (ports < 1 || ports > 16)) {
            throw new UserInputException("--ports " + ports + " is out of range 1..16");
        }
        Optional<Path> tlsFrom = tlsDirectory();
        Optional<SSLContext> tls = tlsFrom.map(SoftSwitchCommand::tls);

        PrintWriter out = spec.commandLine().getOut();
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "stare-softswitch", metricsAt
                .map(at -> OperatorEndpoint.at(at, false).withFallback(ConfigFactory.load()))
                .orElseGet(ConfigFactory::load));
        try {
            Supplier<CompletionStage<Done>> stop;
            Map<String, SoftSwitchNode> nodes;
            if (topo.isPresent()) {
                SoftSwitchNetwork network = SoftSwitchNetwork.start(system, new SoftSwitchNetwork.Settings(topo.get(),
                        grpcAddress.getHostString(), grpcAddress.getPort(), udpBase, mode, tls));
                nodes = network.nodes();
                print(out, network.nodes(), mode, Optional.of(SpanningTree.of(topo.get())));
                stop = network::stop;
            } else {
                Map<Integer, InetSocketAddress> configured = hostsByPort(hosts, ports);
                List<PortBinding> bindings = new ArrayList<>();
                for (int port = 0; port < ports; port++) {
                    PortBinding binding = PortBinding.loopback(port).withLocalAddress(
                            new InetSocketAddress(grpcAddress.getHostString(), udpBase == 0 ? 0 : udpBase + port));
                    bindings.add(configured.containsKey(port) ? binding.withHost(configured.get(port)) : binding);
                }
                SoftSwitchNode node = SoftSwitchNode.start(system,
                        new SoftSwitchNode.Settings(name, deviceId, bindings, grpcAddress, mode, 0, tls));
                nodes = Map.of(name, node);
                print(out, Map.of(name, node), mode, Optional.empty());
                stop = node::stop;
            }
            if (metricsAt.isPresent()) {
                InetSocketAddress endpoint = OperatorEndpoint.start(system,
                        () -> CompletableFuture.completedFuture(SwitchMetrics.snapshots(nodes)), () -> true,
                        Duration.ofSeconds(10));
                out.println("metrics at " + OperatorEndpoint.describe(endpoint));
            }
            // Ctrl-C runs Pekko's coordinated shutdown: the switches close their ports first.
            CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceUnbind(), "stop-switches",
                    stop::get);
            if (tls.isPresent()) {
                out.println("P4Runtime over TLS 1.3; controllers need a certificate of the CA in " + tlsFrom.get());
            }
            out.println(runFor.map(d -> "running for " + d.toSeconds() + " s").orElse("running; Ctrl-C to stop"));
            out.flush();
            try {
                if (runFor.isPresent()) {
                    system.getWhenTerminated().toCompletableFuture().get(runFor.get().toMillis(), TimeUnit.MILLISECONDS);
                } else {
                    system.getWhenTerminated().toCompletableFuture().get();
                }
            } catch (TimeoutException elapsed) {
                out.println("stopped after " + duration);
            }
        } catch (org.apache.pekko.stream.BindFailedException | java.net.BindException e) {
            throw new UserInputException("cannot bind: " + e.getMessage());
        } finally {
            await(CoordinatedShutdown.get(system).runAll(CoordinatedShutdown.jvmExitReason()).toCompletableFuture());
        }
        return 0;
    }

    private static void print(PrintWriter out, Map<String, SoftSwitchNode> nodes, Optional<StareProgram.Mode> mode,
                              Optional<SpanningTree> tree) {
        out.println("switch    P4Runtime              program    ports (front port -> UDP socket)");
        for (Map.Entry<String, SoftSwitchNode> entry : nodes.entrySet()) {
            SoftSwitchNode node = entry.getValue();
            StringBuilder portList = new StringBuilder();
            node.portAddresses().forEach((port, address) -> portList.append(port).append("->")
                    .append(address.getHostString()).append(':').append(address.getPort()).append(' '));
            out.printf("%-9s %-22s %-10s %s%n", entry.getKey(),
                    node.grpcAddress().getHostString() + ":" + node.grpcAddress().getPort(),
                    mode.map(m -> m.name().toLowerCase(java.util.Locale.ROOT)).orElse("(awaits)"), portList.toString().trim());
        }
        tree.ifPresent(t -> out.println("distribution tree rooted at " + t.root() + ": " + t.links()));
    }

    private static Optional<StareProgram.Mode> parseProgram(String text) {
        return switch (text.toLowerCase(java.util.Locale.ROOT)) {
            case "none" -> Optional.empty();
            case "register" -> Optional.of(StareProgram.Mode.REGISTER);
            case "embedded" -> Optional.of(StareProgram.Mode.EMBEDDED);
            default -> throw new UserInputException("--program must be register, embedded or none, not '" + text + "'");
        };
    }




    private static void await(java.util.concurrent.CompletableFuture<?> future) {
        try {
            future.get(15, TimeUnit.SECONDS);
        } catch (Exception e) {
            // Shutting down: nothing more to do with a failure here.
        }
    }

    /** --hosts as front port to host address; every port named once and below {@code ports}. */
    static Map<Integer, InetSocketAddress> hostsByPort(List<String> hosts, int ports) {
        Map<Integer, InetSocketAddress> byPort = new java.util.TreeMap<>();
        if (hosts == null) {
            return byPort;
        }
        for (String entry : hosts) {
            int equals = entry.indexOf('=');
            int port;
            try {
                port = Integer.parseInt(entry.substring(0, Math.max(0, equals)).trim());
            } catch (NumberFormatException e) {
                throw new UserInputException("--hosts '" + entry + "' must be PORT=HOST:PORT, e.g. 0=127.0.0.1:40000");
            }
            if (port < 0 || port >= ports) {
                throw new UserInputException("--hosts '" + entry + "': the switch has front ports 0.." + (ports - 1));
            }
            InetSocketAddress host = CliParsing.address("--hosts", entry.substring(equals + 1).trim());
            if (host.getPort() == 0 || host.isUnresolved()) {
                throw new UserInputException("--hosts '" + entry + "' needs a resolvable host and a port, not 0");
            }
            if (byPort.put(port, host) != null) {
                throw new UserInputException("--hosts names port " + port + " twice");
            }
        }
        return byPort;
    }

    /** --tls-dir, else stare.softswitch.tls-directory ($STARE_SOFTSWITCH_TLS_DIR); empty: plain text. */
    private Optional<Path> tlsDirectory() {
        if (tlsDirectory != null) {
            return Optional.of(tlsDirectory);
        }
        String configured = ConfigFactory.load().getString("stare.softswitch.tls-directory").trim();
        return configured.isEmpty() ? Optional.empty() : Optional.of(Path.of(configured));
    }

    /** The directory's TLS context; a missing or unreadable file is a one-line error. */
    private static SSLContext tls(Path directory) {
        try {
            return TlsDirectory.load(directory, "--tls-dir: P4Runtime TLS");
        } catch (IllegalArgumentException e) {
            throw new UserInputException(e.getMessage());
        }
    }
}
