package io.stare.p4.softswitch;

import io.stare.p4.program.StareProgram;
import io.stare.p4.topology.SpanningTree;
import io.stare.p4.topology.Topology;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.net.ssl.SSLContext;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Every switch of a {@link Topology} as a running {@link SoftSwitchNode}, linked port to port
 * over loopback UDP as the topology says. Host ports learn their peer (a middleware's tunnel) from
 * the first frame it sends.
 *
 * <p>Addresses are deterministic when bases are given: switch number {@code i} (in declaration
 * order, from 0) serves P4Runtime on {@code grpcBase + i} with device ID {@code i + 1}, and its
 * port {@code j} binds UDP {@code udpBase + 32 * i + j}. A base of 0 picks free ports instead.
 */
public final class SoftSwitchNetwork {

    /** How to start the network. */
    public record Settings(Topology topology, String host, int grpcBase, int udpBase,
                           Optional<StareProgram.Mode> standaloneProgram, Optional<SSLContext> tls) {

        /** Every switch's P4Runtime server in plain text. */
        public Settings(Topology topology, String host, int grpcBase, int udpBase,
                        Optional<StareProgram.Mode> standaloneProgram) {
            this(topology, host, grpcBase, udpBase, standaloneProgram, Optional.empty());
        }
    }

    private final Topology topology;
    private final Map<String, SoftSwitchNode> nodes;

    private SoftSwitchNetwork(Topology topology, Map<String, SoftSwitchNode> nodes) {
        this.topology = topology;
        this.nodes = nodes;
    }

    /** Starts every switch and links them. */
    public static SoftSwitchNetwork start(ActorSystem<?> system, Settings settings) throws Exception {
        Topology topology = settings.topology();
        SpanningTree tree = SpanningTree.of(topology);
        Map<String, SoftSwitchNode> nodes = new LinkedHashMap<>();
        try {
            int index = 0;
            for (Topology.Switch sw : topology.switches()) {
                List<PortBinding> ports = new ArrayList<>();
                for (int port = 0; port < sw.ports(); port++) {
                    int udp = settings.udpBase() == 0 ? 0 : settings.udpBase() + Topology.MAX_PORTS * index + port;
                    ports.add(PortBinding.loopback(port).withLocalAddress(new InetSocketAddress(settings.host(), udp)));
                }
                int grpc = settings.grpcBase() == 0 ? 0 : settings.grpcBase() + index;
                nodes.put(sw.name(), SoftSwitchNode.start(system, new SoftSwitchNode.Settings(sw.name(), index + 1L,
                        ports, new InetSocketAddress(settings.host(), grpc), settings.standaloneProgram(),
                        tree.treePorts(sw.name()), settings.tls())));
                index++;
            }
            // Both ends of a link are bound now: point each at the other. Both are STARE switches, so
            // they put several frames in a datagram.
            for (Topology.Link link : topology.links()) {
                SoftSwitchNode a = nodes.get(link.a().switchName());
                SoftSwitchNode b = nodes.get(link.b().switchName());
                a.ports().link(link.a().port(), b.portAddresses().get(link.b().port()));
                b.ports().link(link.b().port(), a.portAddresses().get(link.a().port()));
            }
        } catch (Exception e) {
            nodes.values().forEach(SoftSwitchNode::stop);
            throw e;
        }
        return new SoftSwitchNetwork(topology, nodes);
    }

    public Topology topology() {
        return topology;
    }

    /** The running switches by name, in declaration order. */
    public Map<String, SoftSwitchNode> nodes() {
        return nodes;
    }

    /** The UDP address a host's middleware sends its frames to: its switch port's socket. */
    public InetSocketAddress hostPortAddress(String host) {
        Topology.Endpoint at = topology.hostNamed(host).attachment();
        return nodes.get(at.switchName()).portAddresses().get(at.port());
    }

    /** Stops every switch. */
    public CompletionStage<Done> stop() {
        CompletableFuture<?>[] stops = nodes.values().stream()
                .map(node -> node.stop().toCompletableFuture()).toArray(CompletableFuture[]::new);
        return CompletableFuture.allOf(stops).thenApply(v -> Done.getInstance());
    }
}
