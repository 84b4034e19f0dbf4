package io.stare.p4.softswitch;

import io.stare.p4.pipeline.Pipeline;
import io.stare.p4.pipeline.RegisterPipeline;
import io.stare.p4.program.StareProgram;
import io.stare.p4.program.StarePrograms;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.ServerBinding;

/**
 * One running software switch: the {@link SoftSwitch}, its UDP ports and its P4Runtime server,
 * started and stopped together.
 */
public final class SoftSwitchNode {

    /**
     * How to start a node.
     *
     * @param tls TLS for the P4Runtime server, every controller's certificate required; empty: plain text
     */
    public record Settings(String name, long deviceId, List<PortBinding> ports, InetSocketAddress grpc,
                           Optional<StareProgram.Mode> standaloneProgram, long treePorts, Optional<SSLContext> tls) {
        public Settings {
            if (ports.isEmpty()) {
                throw new IllegalArgumentException("switch " + name + " needs at least one port");
            }
            ports = List.copyOf(ports);
        }

        /** A node whose P4Runtime server speaks plain text (loopback, tests, the demo). */
        public Settings(String name, long deviceId, List<PortBinding> ports, InetSocketAddress grpc,
                        Optional<StareProgram.Mode> standaloneProgram, long treePorts) {
            this(name, deviceId, ports, grpc, standaloneProgram, treePorts, Optional.empty());
        }

        /** These settings with P4Runtime over TLS ({@code io.stare.protocol.tls.TlsDirectory} loads one). */
        public Settings withTls(SSLContext context) {
            return new Settings(name, deviceId, ports, grpc, standaloneProgram, treePorts, Optional.of(context));
        }
    }

    private final SoftSwitch softSwitch;
    private final UdpPorts ports;
    private final P4RuntimeServer server;
    private final ServerBinding grpcBinding;
    private final SortedMap<Integer, InetSocketAddress> portAddresses;

    private SoftSwitchNode(SoftSwitch softSwitch, UdpPorts ports, P4RuntimeServer server, ServerBinding grpcBinding,
                           SortedMap<Integer, InetSocketAddress> portAddresses) {
        this.softSwitch = softSwitch;
        this.ports = ports;
        this.server = server;
        this.grpcBinding = grpcBinding;
        this.portAddresses = portAddresses;
    }

    /**
     * Binds the ports and the P4Runtime server. With a standalone program, the switch configures
     * itself as its agent would (pipeline, port-mask groups, tree ports), so it forwards without
     * a controller; otherwise it waits for one to push a pipeline.
     */
    public static SoftSwitchNode start(ActorSystem<?> system, Settings settings) throws Exception {
        int portCount = settings.ports().stream().mapToInt(PortBinding::port).max().orElseThrow() + 1;
        SoftSwitch softSwitch = new SoftSwitch(settings.name(), portCount);
        P4RuntimeServer server = new P4RuntimeServer(softSwitch, settings.deviceId(), system);
        if (settings.standaloneProgram().isPresent()) {
            server.preload(StarePrograms.config(settings.standaloneProgram().get()));
            softSwitch.withPipeline(pipeline -> configureStandalone(pipeline, settings.treePorts()));
        }
        UdpPorts ports = UdpPorts.bind(system, softSwitch, settings.ports());
        SortedMap<Integer, InetSocketAddress> addresses =
                ports.boundAddresses().toCompletableFuture().get(10, TimeUnit.SECONDS);
        ServerBinding binding = server.bind(system, settings.grpc().getHostString(), settings.grpc().getPort(),
                settings.tls().orElse(null)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        return new SoftSwitchNode(softSwitch, ports, server, binding, addresses);
    }

    private static Void configureStandalone(Pipeline pipeline, long treePorts) {
        if (pipeline instanceof RegisterPipeline register) {
            register.replication().installPortMaskGroups(register.portCount());
            register.setTreePorts(treePorts);
        }
        // An embedded pipeline needs its controller (the switch agent) for every subscription.
        return null;
    }

    public SoftSwitch softSwitch() {
        return softSwitch;
    }

    public UdpPorts ports() {
        return ports;
    }

    public P4RuntimeServer server() {
        return server;
    }

    /** The address of each front port's socket. */
    public SortedMap<Integer, InetSocketAddress> portAddresses() {
        return portAddresses;
    }

    /** Where the P4Runtime server listens. */
    public InetSocketAddress grpcAddress() {
        return grpcBinding.localAddress();
    }

    /**
     * Stops the P4Runtime server, closing the controllers' open connections too (a stopped switch
     * must look stopped to its agents), and releases the ports.
     */
    public CompletionStage<Done> stop() {
        return grpcBinding.terminate(java.time.Duration.ofSeconds(1)).thenCompose(terminated -> ports.close());
    }
}
