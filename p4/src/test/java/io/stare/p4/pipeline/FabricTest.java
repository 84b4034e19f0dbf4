package io.stare.p4.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stare.p4.topology.SpanningTree;
import io.stare.p4.topology.Topologies;
import io.stare.p4.topology.Topology;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.packet.StarePacket;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** End-to-end delivery over several switches, in both modes: publishes reach exactly the subscribers, once. */
class FabricTest {

    private static final int STATE = 42;
    private int update;

    /** Publishes from {@code publisher} and checks who got it: each of {@code expected} once, nobody else. */
    private void assertDelivers(Fabric fabric, Topology topology, String publisher, Set<String> expected) {
        fabric.clearReceived();
        int number = ++update;
        fabric.publish(publisher, STATE, number);
        fabric.run();
        Map<String, Integer> got = new TreeMap<>();
        for (Topology.Host host : topology.hosts()) {
            List<StarePacket> publishes = fabric.publishesReceived(host.name());
            publishes.forEach(p -> assertEquals(number, p.header().updateNo(), "stale publish at " + host.name()));
            if (!publishes.isEmpty()) {
                got.put(host.name(), publishes.size());
            }
        }
        Map<String, Integer> want = new TreeMap<>();
        expected.forEach(h -> want.put(h, 1));
        assertEquals(want, got, "publish from " + publisher);
    }

    private static void subscribeAll(Fabric fabric, MessageKind kind, String... hosts) {
        for (String host : hosts) {
            fabric.subscribe(host, kind, STATE);
        }
        fabric.run();
    }

    @ParameterizedTest
    @EnumSource(Fabric.Mode.class)
    void linearChain(Fabric.Mode mode) {
        Topology topology = Topologies.linear(5);
        Fabric fabric = new Fabric(topology, mode);
        subscribeAll(fabric, MessageKind.SUB_REGISTER, "h1", "h4");
        // Every subscriber got exactly one ack for its request.
        for (String host : List.of("h1", "h4")) {
            List<StarePacket> acks = fabric.received(host).stream()
                    .filter(p -> p.header().kind() == MessageKind.SUB_ACK).toList();
            assertEquals(1, acks.size(), host);
            assertEquals(1, acks.get(0).header().updateNo());
        }
        assertDelivers(fabric, topology, "h3", Set.of("h1", "h4"));
        assertDelivers(fabric, topology, "h5", Set.of("h1", "h4"));
        assertDelivers(fabric, topology, "h1", Set.of("h4"));
        assertDelivers(fabric, topology, "h4", Set.of("h1"));

        subscribeAll(fabric, MessageKind.SUB_REMOVE, "h4");
        assertDelivers(fabric, topology, "h5", Set.of("h1"));
        assertDelivers(fabric, topology, "h1", Set.of());
        subscribeAll(fabric, MessageKind.SUB_REMOVE, "h1");
        for (Topology.Switch sw : topology.switches()) {
            assertEquals(0, fabric.mask(sw.name(), STATE), sw.name());
        }
        assertDelivers(fabric, topology, "h2", Set.of());
        assertEquals(0, fabric.unattachedEmissions());
    }

    @ParameterizedTest
    @EnumSource(Fabric.Mode.class)
    void triangleUsesItsSpanningTreeOnly(Fabric.Mode mode) {
        Topology topology = Topologies.triangle();
        SpanningTree tree = SpanningTree.of(topology);
        Topology.Link offTree = topology.links().stream().filter(l -> !tree.contains(l)).findFirst().orElseThrow();
        assertEquals("s2:2 <-> s3:1", offTree.toString());
        Fabric fabric = new Fabric(topology, mode);

        subscribeAll(fabric, MessageKind.SUB_REGISTER, "h2", "h3");
        assertDelivers(fabric, topology, "h1", Set.of("h2", "h3"));
        assertDelivers(fabric, topology, "h2", Set.of("h3"));
        assertDelivers(fabric, topology, "h3", Set.of("h2"));
        subscribeAll(fabric, MessageKind.SUB_REGISTER, "h1");
        assertDelivers(fabric, topology, "h2", Set.of("h1", "h3"));
        subscribeAll(fabric, MessageKind.SUB_REMOVE, "h2", "h3");
        assertDelivers(fabric, topology, "h3", Set.of("h1"));
        assertEquals(0, fabric.framesOn(offTree), "nothing crosses the link off the tree");
    }

    @ParameterizedTest
    @EnumSource(Fabric.Mode.class)
    void severalSubscribersBehindOneNeighbour(Fabric.Mode mode) {
        // s1 holds a and b; s2 (holding c) sees both behind its port 0.
        Topology topology = Topology.builder()
                .addSwitch("s1", 3).addSwitch("s2", 2)
                .addHost("a", "s1", 0).addHost("b", "s1", 1).addHost("c", "s2", 1)
                .addLink("s1", 2, "s2", 0)
                .build();
        Fabric fabric = new Fabric(topology, mode);
        subscribeAll(fabric, MessageKind.SUB_REGISTER, "a", "b");
        assertEquals(0b01, fabric.mask("s2", STATE));
        assertDelivers(fabric, topology, "c", Set.of("a", "b"));
        subscribeAll(fabric, MessageKind.SUB_REMOVE, "a");
        assertEquals(0b01, fabric.mask("s2", STATE), "b still lives behind port 0");
        assertDelivers(fabric, topology, "c", Set.of("b"));
        subscribeAll(fabric, MessageKind.SUB_REMOVE, "b");
        assertEquals(0, fabric.mask("s2", STATE));
        assertDelivers(fabric, topology, "c", Set.of());
        assertEquals(1, fabric.pipeline("s2").drops().count(DropReason.NO_SUBSCRIBER));
    }

    @ParameterizedTest
    @EnumSource(Fabric.Mode.class)
    void thePapersTreeOf85Switches(Fabric.Mode mode) {
        Topology topology = Topologies.paperTree(2);
        assertEquals(85, topology.switches().size());
        assertEquals(84, topology.links().size());
        Fabric fabric = new Fabric(topology, mode);
        // Subscribers spread over the tree: two under one leaf, others in different subtrees.
        subscribeAll(fabric, MessageKind.SUB_REGISTER, "h0_0", "h0_1", "h5_1", "h37_0", "h63_1");
        assertDelivers(fabric, topology, "h20_0", Set.of("h0_0", "h0_1", "h5_1", "h37_0", "h63_1"));
        assertDelivers(fabric, topology, "h0_0", Set.of("h0_1", "h5_1", "h37_0", "h63_1"));
        assertDelivers(fabric, topology, "h63_0", Set.of("h0_0", "h0_1", "h5_1", "h37_0", "h63_1"));
        subscribeAll(fabric, MessageKind.SUB_REMOVE, "h0_0", "h37_0");
        assertDelivers(fabric, topology, "h63_1", Set.of("h0_1", "h5_1"));
        // Every switch knows the way to the subscribers; one with none below it points up only.
        assertEquals(0b1, fabric.mask("s4_20", STATE));
        assertEquals(0b1, fabric.mask("s2_2", STATE));
        assertEquals(0b101, fabric.mask("s3_1", STATE)); // up, and leaf s4_5 on port 2
        assertEquals(0b1_0010, fabric.mask("s1_0", STATE)); // s2_0 (h0_1, h5_1) on 1, s2_3 (h63_1) on 4
        subscribeAll(fabric, MessageKind.SUB_REMOVE, "h0_1", "h5_1", "h63_1");
        for (Topology.Switch sw : topology.switches()) {
            assertEquals(0, fabric.mask(sw.name(), STATE), sw.name());
        }
        assertDelivers(fabric, topology, "h10_1", Set.of());
    }
}
