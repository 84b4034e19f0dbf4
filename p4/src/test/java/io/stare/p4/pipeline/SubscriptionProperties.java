package io.stare.p4.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stare.p4.topology.SpanningTree;
import io.stare.p4.topology.Topologies;
import io.stare.p4.topology.Topology;
import io.stare.protocol.address.MessageKind;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Arbitrary interleavings of SUB-register and SUB-remove, retransmissions included, leave every
 * switch's bitmask exact: bit q of switch S for a state is set iff a subscribed host is reachable
 * through port q on the spanning tree (attached to q, or anywhere behind the tree link on q).
 * Frames are delivered in a random order that keeps each link direction FIFO, so SUB messages
 * cross on links and race through the tree.
 */
class SubscriptionProperties {

    private static final int STATES = 3;

    /** One host action: a SUB message, possibly sent twice, possibly followed by a pause until the network is idle. */
    record Op(int host, int state, boolean register, boolean retransmit, boolean settle) {
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Op> op = Combinators.combine(Arbitraries.integers().between(0, 1 << 16),
                Arbitraries.integers().between(0, STATES - 1), Arbitraries.of(true, false),
                Arbitraries.integers().between(0, 4).map(i -> i == 0), Arbitraries.integers().between(0, 5).map(i -> i == 0))
                .as(Op::new);
        return op.list().ofMinSize(1).ofMaxSize(40);
    }

    @Provide
    Arbitrary<String> smallTopology() {
        return Arbitraries.of("linear4", "triangle", "binary3", "star");
    }

    private static Topology topology(String name) {
        return switch (name) {
            case "linear4" -> Topologies.linear(4);
            case "triangle" -> Topologies.triangle();
            case "binary3" -> Topologies.kAryTree(2, 3, 2);
            case "star" -> Topology.builder()
                    .addSwitch("hub", 4).addSwitch("a", 3).addSwitch("b", 3).addSwitch("c", 3)
                    .addLink("hub", 1, "a", 0).addLink("hub", 2, "b", 0).addLink("hub", 3, "c", 0)
                    .addHost("h0", "hub", 0).addHost("ha1", "a", 1).addHost("ha2", "a", 2)
                    .addHost("hb1", "b", 1).addHost("hb2", "b", 2).addHost("hc1", "c", 1)
                    .build();
            default -> throw new IllegalArgumentException(name);
        };
    }

    @Property(tries = 150)
    void bitmasksStayExactOnSmallNetworks(@ForAll("smallTopology") String name, @ForAll("ops") List<Op> ops,
                                          @ForAll Fabric.Mode mode, @ForAll long seed) {
        check(topology(name), ops, mode, seed);
    }

    @Property(tries = 12)
    void bitmasksStayExactOnThePapersTree(@ForAll("ops") List<Op> ops, @ForAll Fabric.Mode mode, @ForAll long seed) {
        check(PAPER_TREE, ops, mode, seed);
    }

    private static final Topology PAPER_TREE = Topologies.paperTree(2);

    private static void check(Topology topology, List<Op> ops, Fabric.Mode mode, long seed) {
        SpanningTree tree = SpanningTree.of(topology);
        Random random = new Random(seed);
        Fabric fabric = new Fabric(topology, tree, mode, random);
        List<Topology.Host> hosts = topology.hosts();
        Map<Integer, Set<String>> subscribed = new HashMap<>();
        for (int s = 0; s < STATES; s++) {
            subscribed.put(s, new TreeSet<>());
        }
        for (Op op : ops) {
            String host = hosts.get(op.host() % hosts.size()).name();
            MessageKind kind = op.register() ? MessageKind.SUB_REGISTER : MessageKind.SUB_REMOVE;
            byte[] frame = fabric.subscribe(host, kind, op.state());
            if (op.retransmit()) {
                fabric.send(host, frame);
            }
            if (op.register()) {
                subscribed.get(op.state()).add(host);
            } else {
                subscribed.get(op.state()).remove(host);
            }
            if (op.settle()) {
                fabric.run();
            }
        }
        fabric.run();

        Map<Topology.Endpoint, Set<String>> behind = hostsBehindPorts(topology, tree);
        for (Topology.Switch sw : topology.switches()) {
            for (int s = 0; s < STATES; s++) {
                long expected = 0;
                for (int port = 0; port < sw.ports(); port++) {
                    Set<String> reachable = behind.getOrDefault(new Topology.Endpoint(sw.name(), port), Set.of());
                    if (reachable.stream().anyMatch(subscribed.get(s)::contains)) {
                        expected |= 1L << port;
                    }
                }
                assertEquals(PortMask.format(expected, sw.ports()), PortMask.format(fabric.mask(sw.name(), s), sw.ports()),
                        "switch " + sw.name() + ", state " + s + ", subscribers " + subscribed.get(s));
            }
        }

        // And the masks do their job: a publish reaches exactly the other subscribers, once each.
        String publisher = hosts.get(random.nextInt(hosts.size())).name();
        fabric.clearReceived();
        fabric.publish(publisher, 0, 999);
        fabric.run();
        for (Topology.Host host : hosts) {
            int expected = subscribed.get(0).contains(host.name()) && !host.name().equals(publisher) ? 1 : 0;
            assertEquals(expected, fabric.publishesReceived(host.name()).size(), "publish from " + publisher + " at " + host.name());
        }
    }

    /** For every switch port: the hosts reachable through it on the tree (none for ports off the tree). */
    private static Map<Topology.Endpoint, Set<String>> hostsBehindPorts(Topology topology, SpanningTree tree) {
        Map<Topology.Endpoint, Set<String>> behind = new HashMap<>();
        for (Topology.Switch sw : topology.switches()) {
            topology.attachments(sw.name()).forEach((port, attachment) -> {
                Topology.Endpoint end = new Topology.Endpoint(sw.name(), port);
                if (attachment instanceof Topology.ToHost host) {
                    behind.put(end, Set.of(host.host().name()));
                } else if (attachment instanceof Topology.ToSwitch link && tree.contains(link.link())) {
                    behind.put(end, hostsOfSubtree(topology, tree, link.peer().switchName(), sw.name()));
                }
            });
        }
        return behind;
    }

    private static Set<String> hostsOfSubtree(Topology topology, SpanningTree tree, String start, String excluded) {
        Set<String> hosts = new HashSet<>();
        Set<String> seen = new HashSet<>(Set.of(start, excluded));
        Deque<String> todo = new ArrayDeque<>(List.of(start));
        while (!todo.isEmpty()) {
            String current = todo.poll();
            topology.hostsOf(current).forEach(h -> hosts.add(h.name()));
            for (Topology.Attachment attachment : topology.attachments(current).values()) {
                if (attachment instanceof Topology.ToSwitch link && tree.contains(link.link())
                        && seen.add(link.peer().switchName())) {
                    todo.add(link.peer().switchName());
                }
            }
        }
        return hosts;
    }
}
