package io.stare.deploy.topology;

import io.stare.deploy.Cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TopologyCommandTest {

    @TempDir
    Path dir;


    @Test
    void showPrintsSwitchesLinksHostsAndTheDistributionTree() throws Exception {
        // A triangle: one link is left off the tree.
        Path file = Files.writeString(dir.resolve("triangle.topo"), """
                switch s1 ports 3
                switch s2 ports 3
                switch s3 ports 3
                link s1:1 s2:1
                link s2:2 s3:2
                link s3:1 s1:2
                host h1 s1:0
                host h2 s2:0
                host h3 s3:0
                """);
        Cli run = Cli.run("topology", "show", file.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().startsWith("3 switches, 3 links, 3 hosts"), run.out());
        assertTrue(run.out().contains("s2:2 <-> s3:2") || run.out().contains("s2:2"), run.out());
        assertEquals(1, run.out().lines().filter(l -> l.endsWith("off the tree")).count(), run.out());
        assertTrue(run.out().contains("distribution tree (root s1)"), run.out());
        assertTrue(run.out().lines().anyMatch(l -> l.startsWith("s1") && l.contains("(root)") && l.endsWith("1,2")),
                run.out());
        assertTrue(run.out().lines().anyMatch(l -> l.trim().equals("s2  hosts h2")), run.out());

        Cli rooted = Cli.run("topology", "show", "--root", "s2", file.toString());
        assertTrue(rooted.out().contains("distribution tree (root s2)"), rooted.out());
    }

    @Test
    void badFilesGetOneLine() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.topo"), "switch s1 ports 2\nlink s1:0 s9:0\n");
        Cli run = Cli.run("topology", "show", bad.toString());
        assertEquals(1, run.exitCode());
        assertEquals(1, run.err().lines().count(), run.err());
        assertTrue(run.err().contains("bad.topo:2"), run.err());

        Cli missing = Cli.run("topology", "show", dir.resolve("nowhere.topo").toString());
        assertEquals(1, missing.exitCode());
        assertTrue(missing.err().contains("cannot read topology file"), missing.err());

        Path split = Files.writeString(dir.resolve("split.topo"), "switch s1 ports 1\nswitch s2 ports 1\n");
        Cli disconnected = Cli.run("topology", "show", split.toString());
        assertEquals(1, disconnected.exitCode());
        assertTrue(disconnected.err().contains("disconnected"), disconnected.err());

        Cli root = Cli.run("topology", "show", "--root", "s7", split.toString());
        assertEquals(1, root.exitCode());
        assertEquals(1, root.err().lines().count(), root.err());
    }
}
