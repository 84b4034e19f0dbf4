package io.stare.p4.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SpanningTreeTest {

    @Test
    void triangleDropsOneLink() {
        Topology triangle = Topologies.triangle();
        SpanningTree tree = SpanningTree.of(triangle);
        assertEquals("s1", tree.root());
        assertEquals(List.of("s1:1 <-> s2:1", "s3:2 <-> s1:2"), tree.links().stream().map(Object::toString).toList());
        assertFalse(tree.contains(triangle.links().get(1)));
        assertEquals(0b110, tree.treePorts("s1"));
        assertEquals(0b010, tree.treePorts("s2")); // s2:2 leads to s3 off the tree
        assertEquals(0b100, tree.treePorts("s3"));
        assertEquals(Optional.empty(), tree.parentPort("s1"));
        assertEquals(Optional.of(new Topology.Endpoint("s3", 2)), tree.parentPort("s3"));

        SpanningTree fromS2 = SpanningTree.of(triangle, "s2");
        assertEquals(List.of("s1:1 <-> s2:1", "s2:2 <-> s3:1"), fromS2.links().stream().map(Object::toString).toList());
        assertEquals(0b010, fromS2.treePorts("s1"));
    }

    @Test
    void aTreeIsItsOwnSpanningTree() {
        Topology paper = Topologies.paperTree(1);
        SpanningTree tree = SpanningTree.of(paper);
        assertEquals("s1_0", tree.root());
        assertEquals(84, tree.links().size());
        assertTrue(paper.links().stream().allMatch(tree::contains));
        assertEquals(0b11110, tree.treePorts("s1_0"));
        assertEquals(0b11111, tree.treePorts("s2_1"));
        assertEquals(0b1, tree.treePorts("s4_17"));
        assertEquals(0b10, SpanningTree.of(Topologies.linear(3)).treePorts("s3"));
        assertEquals(0, SpanningTree.of(Topologies.linear(1)).treePorts("s1"));
    }

    @Test
    void parallelLinksAreUsedOnce() {
        Topology twice = Topology.builder().addSwitch("a", 3).addSwitch("b", 3)
                .addLink("a", 2, "b", 2).addLink("a", 1, "b", 1).build();
        SpanningTree tree = SpanningTree.of(twice);
        assertEquals(List.of(twice.links().get(1)), tree.links()); // the lower port wins
        assertEquals(0b010, tree.treePorts("b"));
    }

    @Test
    void disconnectedTopologiesAreRefused() {
        Topology split = Topology.builder().addSwitch("a", 1).addSwitch("b", 1).addSwitch("c", 2)
                .addLink("b", 0, "c", 1).build();
        assertEquals("topology is disconnected: 2 switches are not reachable from root 'a': b, c",
                assertThrows(IllegalArgumentException.class, () -> SpanningTree.of(split)).getMessage());
        assertEquals("topology is disconnected: 1 switch is not reachable from root 'b': a",
                assertThrows(IllegalArgumentException.class, () -> SpanningTree.of(split, "b")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> SpanningTree.of(Topology.builder().build()));
        assertThrows(IllegalArgumentException.class, () -> SpanningTree.of(split, "zz"));
        assertThrows(IllegalArgumentException.class, () -> SpanningTree.of(Topologies.linear(2)).treePorts("zz"));
    }
}
