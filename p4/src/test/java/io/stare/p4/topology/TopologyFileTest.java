package io.stare.p4.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TopologyFileTest {

    private static final String EXAMPLE = """
            # two switches in a row
            switch s1 ports 2
            switch s2 ports 2

            link s1:1 s2:0
            host h1 s1:0      # the publisher
            host h2 s2:1
            """;

    private static TopologyFile.ParseResult.Error error(String text) {
        return assertInstanceOf(TopologyFile.ParseResult.Error.class, TopologyFile.parse(text));
    }

    @Test
    void parsesTheDocumentedExample() {
        Topology topology = TopologyFile.parse(EXAMPLE).orElseThrow();
        assertEquals(2, topology.switches().size());
        assertEquals("s1:1 <-> s2:0", topology.links().get(0).toString());
        assertEquals(new Topology.Endpoint("s1", 0), topology.hostNamed("h1").attachment());
        assertEquals(0b1, SpanningTree.of(topology).treePorts("s2"));
    }

    @Test
    void formatThenParseGivesTheSameTopology() {
        Topology tree = Topologies.kAryTree(3, 3, 2);
        String text = TopologyFile.format(tree);
        Topology again = TopologyFile.parse(text).orElseThrow();
        assertEquals(tree.switches(), again.switches());
        assertEquals(tree.links(), again.links());
        assertEquals(tree.hosts(), again.hosts());
        assertEquals(text, TopologyFile.format(again));
        assertEquals("switch s1 ports 3\nswitch s2 ports 3\nswitch s3 ports 3\n"
                + "link s1:1 s2:1\nlink s2:2 s3:1\nlink s3:2 s1:2\nhost h1 s1:0\nhost h2 s2:0\nhost h3 s3:0\n",
                TopologyFile.format(Topologies.triangle()));
    }

    @Test
    void errorsNameTheLine() {
        assertEquals("line 3: link names unknown switch 's9'",
                error("switch s1 ports 2\n# comment\nlink s1:1 s9:0\n").toString());
        assertEquals("line 2: host 'h' names port s1:5, but switch 's1' has ports 0..1",
                error("switch s1 ports 2\nhost h s1:5\n").toString());
        assertEquals("line 4: port s1:0 is used twice: already by host 'a'",
                error("switch s1 ports 2\nhost a s1:0\n\nhost b s1:0\n").toString());
        assertEquals("line 1: expected 'switch NAME ports N', got 'switch s1 2'", error("switch s1 2").toString());
        assertEquals("line 2: expected 'link SWITCH:PORT SWITCH:PORT', got 'link s1-1 s2:0'",
                error("switch s1 ports 2\r\nlink s1-1 s2:0").toString());
        assertEquals("line 1: unknown declaration 'router' (expected switch, link or host)",
                error("router r1").toString());
        assertEquals("line 2: name 's1' is already used by a switch", error("switch s1 ports 1\nswitch s1 ports 1").toString());
        assertEquals(2, error("  \nhost h1\n").line());
        assertEquals("the topology declares no switch", error("# nothing here\n\n").toString());
        assertEquals(0, error("").line());
        assertEquals("line 1: switch 's1' has 0 ports; a switch has 1..32",
                assertThrows(IllegalArgumentException.class,
                        () -> TopologyFile.parse("switch s1 ports 0").orElseThrow()).getMessage());
    }

    @Test
    void readsFiles(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("net.topo");
        Files.writeString(file, EXAMPLE);
        assertEquals(2, TopologyFile.read(file).orElseThrow().hosts().size());
    }
}
