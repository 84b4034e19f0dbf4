package io.stare.p4.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TopologyTest {

    private static String refusal(Runnable build) {
        return assertThrows(IllegalArgumentException.class, build::run).getMessage();
    }

    @Test
    void describesWhatIsOnEachPort() {
        Topology topology = Topologies.linear(3);
        assertEquals(List.of("s1", "s2", "s3"), topology.switches().stream().map(Topology.Switch::name).toList());
        assertEquals(2, topology.links().size());
        Topology.Attachment left = topology.attachment(new Topology.Endpoint("s2", 1)).orElseThrow();
        assertEquals(new Topology.Endpoint("s1", 2), ((Topology.ToSwitch) left).peer());
        Topology.Attachment host = topology.attachment(new Topology.Endpoint("s2", 0)).orElseThrow();
        assertEquals("h2", ((Topology.ToHost) host).host().name());
        assertEquals(Optional.empty(), topology.attachment(new Topology.Endpoint("s3", 2)));
        assertEquals(List.of(topology.hostNamed("h3")), topology.hostsOf("s3"));
        assertEquals(new Topology.Endpoint("s2", 0), topology.hostNamed("h2").attachment());
        Topology.Link link = topology.links().get(0);
        assertEquals(link.b(), link.other(link.a()));
        assertEquals("s1:2 <-> s2:1", link.toString());
    }

    @Test
    void refusesInconsistentNetworksWithClearMessages() {
        assertEquals("link names unknown switch 's9'",
                refusal(() -> Topology.builder().addSwitch("s1", 2).addLink("s1", 0, "s9", 0)));
        assertEquals("host 'h1' names port s1:2, but switch 's1' has ports 0..1",
                refusal(() -> Topology.builder().addSwitch("s1", 2).addHost("h1", "s1", 2)));
        assertEquals("port s1:0 is used twice: already by host 'h1'",
                refusal(() -> Topology.builder().addSwitch("s1", 2).addSwitch("s2", 2)
                        .addHost("h1", "s1", 0).addLink("s1", 0, "s2", 0)));
        assertEquals("port s2:1 is used twice: already by link s1:1 <-> s2:1",
                refusal(() -> Topology.builder().addSwitch("s1", 2).addSwitch("s2", 2)
                        .addLink("s1", 1, "s2", 1).addHost("h", "s2", 1)));
        assertEquals("link s1:0 <-> s1:1 connects switch 's1' to itself",
                refusal(() -> Topology.builder().addSwitch("s1", 2).addLink("s1", 0, "s1", 1)));
        assertEquals("name 's1' is already used by a switch",
                refusal(() -> Topology.builder().addSwitch("s1", 2).addSwitch("s1", 3)));
        assertEquals("name 's1' is already used by a switch",
                refusal(() -> Topology.builder().addSwitch("s1", 2).addHost("s1", "s1", 0)));
        assertEquals("switch 's1' has 33 ports; a switch has 1..32",
                refusal(() -> Topology.builder().addSwitch("s1", 33)));
        assertEquals("switch name 'a b' is not 1 to 64 characters from [A-Za-z0-9_.-]",
                refusal(() -> Topology.builder().addSwitch("a b", 1)));
        assertEquals("unknown switch 'x'", refusal(() -> Topologies.linear(1).switchNamed("x")));
    }

    @Test
    void thePapersTree() {
        Topology tree = Topologies.paperTree(3);
        assertEquals(85, tree.switches().size());
        assertEquals(84, tree.links().size());
        assertEquals(64 * 3, tree.hosts().size());
        assertEquals(5, tree.switchNamed("s1_0").ports());
        assertEquals(4, tree.switchNamed("s4_63").ports());
        // Leaf 63's parent is s3_15, on its port 1 + 63 % 4 = 4.
        assertEquals(new Topology.Endpoint("s3_15", 4),
                ((Topology.ToSwitch) tree.attachment(new Topology.Endpoint("s4_63", 0)).orElseThrow()).peer());
        assertEquals(new Topology.Endpoint("s4_63", 3), tree.hostNamed("h63_2").attachment());
        assertEquals(1, Topologies.kAryTree(3, 1, 2).switches().size());
    }
}
