package io.stare.bench.table4;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stare.p4.pipeline.PipelineNetwork;
import io.stare.p4.topology.Topologies;
import io.stare.p4.topology.Topology;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** STARE's Table IV cells, measured through the real pipelines of the paper's 85 switches. */
class StareRunTest {

    private static final PaperTree TREE = PaperTree.paper();

    @Test
    void theTopologyIsThePapersTreeWithAPublisherHostOnEverySwitch() {
        Topology ours = TREE.topology();
        Topology paper = Topologies.paperTree(1);
        assertEquals(85, ours.switches().size());
        assertEquals(84, ours.links().size());
        assertEquals(paper.links(), ours.links());
        assertEquals(paper.switches().stream().map(Topology.Switch::name).toList(),
                ours.switches().stream().map(Topology.Switch::name).toList());
        assertEquals(64 + 85, ours.hosts().size());
        assertEquals("s2_0", TREE.switchName(1));
        assertEquals("s4_0", TREE.switchName(TREE.leaf(0)));
    }

    @ParameterizedTest
    @EnumSource(PipelineNetwork.Mode.class)
    void bestCaseIsThePapersTwentyInNetAndSeventeenOutNet(PipelineNetwork.Mode mode) {
        StareRun run = new StareRun(TREE, mode);
        // All 16 leaves under s2_0, the publisher on s2_0 by its own link.
        Placement best = new Placement(Placement.firstLeaves(16), 1);
        int state = run.subscribe(best.subscriberLeaves());
        StareRun.Measurement m = run.publish(state, best.publisher(), 64);
        assertEquals(run.expected(best), m.publishesPerHost(), "exactly the 16 subscribers, once each");
        assertEquals(16, m.publishesPerHost().size());
        assertEquals(20, m.cost().inNet());
        assertEquals(17, m.cost().outNet());
        // The frames are STARE's: 14 + 36 + 64 bytes each.
        assertEquals(20 * 114, m.cost().inBytes());
        assertEquals(17 * 114, m.cost().outBytes());
        // No publisher switch does better for this set, and the worst one is 4 hops off the tree.
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int p = 0; p < TREE.size(); p++) {
            Cost c = run.publishChecked(state, best.withPublisher(p), 0);
            assertEquals(17, c.outNet());
            min = Math.min(min, c.inNet());
            max = Math.max(max, c.inNet());
        }
        assertEquals(20, min);
        assertEquals(24, max);
    }

    @Test
    void aSubscriberThatIsNotSubscribedGetsNothing() {
        StareRun run = new StareRun(TREE, PipelineNetwork.Mode.REGISTER);
        int state = run.subscribe(new int[] {0, 63});
        StareRun.Measurement m = run.publish(state, TREE.leaf(20), 0);
        assertEquals(Map.of("h0_0", 1, "h63_0", 1), m.publishesPerHost());
        // leaf 20 -> s3_5 -> s2_1 -> root, then down to leaves 0 and 63: 3 + 3 + 3.
        assertEquals(9, m.cost().inNet());
        assertEquals(3, m.cost().outNet());
    }

    @Test
    void theTableComputesStaresCellsWithThePipelines() {
        Table4.Result r = Table4.compute(new Table4.Options(64, false, 20, 7, false));
        Table4.Row stare = r.row(Approach.STARE);
        assertEquals(20, stare.best().inNet());
        assertEquals(17, stare.best().outNet());
        assertEquals(24, stare.worst().inNet());
        assertEquals(17, stare.worst().outNet());
        assertEquals(37, stare.max().inNet());
        assertEquals(26, r.example26Stare().inNet());
        assertEquals(0, r.stareMismatches());
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                java.util.Arrays.stream(r.best().subscriberLeaves()).boxed().toList());
        java.io.StringWriter text = new java.io.StringWriter();
        Table4Report.print(r, new java.io.PrintWriter(text));
        assertEquals(true, text.toString().contains("| STARE | 20 | 17 | 24* | 17 | 37 | 17 | 20 / 17 / 26 / 17 |"),
                text.toString());
    }
}
