package io.stare.bench.table4;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The modelled approaches on the paper's tree, and the exhaustive search's coverage. */
class ModelsTest {

    private static final PaperTree TREE = PaperTree.paper();
    private static final Models MODELS = new Models(TREE);
    private static final Placement BEST = new Placement(Placement.firstLeaves(16), 1);
    /** The best set, the publisher on leaf 63 (under s2_3). */
    private static final Placement FAR = BEST.withPublisher(TREE.leaf(63));

    @Test
    void treeShape() {
        assertEquals(85, TREE.size());
        assertEquals(84, TREE.links());
        assertEquals(64, TREE.leafCount());
        assertEquals(6, TREE.distance(TREE.leaf(0), TREE.leaf(63)));
        assertEquals(2, TREE.distance(TREE.leaf(0), TREE.leaf(1)));
        assertEquals(0, TREE.depth(0));
        assertEquals(3, TREE.depth(TREE.leaf(5)));
    }

    @Test
    void unicastSendsOneCopyPerSubscriberAlongItsPath() {
        Cost best = MODELS.cost(Approach.UNICAST, BEST, 0);
        assertEquals(16 * 2, best.inNet());
        assertEquals(16 + 16, best.outNet());
        assertEquals(16 * 6, MODELS.cost(Approach.UNICAST, FAR, 0).inNet());
        assertEquals(32 * 42, best.outBytes());
    }

    @Test
    void broadcastUsesEveryLinkAndReachesAllSixtyFourLeaves() {
        Cost c = MODELS.cost(Approach.BROADCAST, FAR, 10);
        assertEquals(84, c.inNet());
        assertEquals(1 + 64, c.outNet());
        assertEquals(84 * 52, c.inBytes());
    }

    @Test
    void multicastTreesUseEachTreeLinkOnce() {
        for (Approach a : List.of(Approach.OFM, Approach.P4_SOURCE_ROUTING, Approach.ALM)) {
            assertEquals(20, MODELS.cost(a, BEST, 0).inNet(), a.label());
            assertEquals(24, MODELS.cost(a, FAR, 0).inNet(), a.label());
        }
        assertEquals(17, MODELS.cost(Approach.OFM, BEST, 0).outNet());
        // ALM: every switch on the tree (21, then 25) asks its broker and gets the packet back.
        assertEquals(17 + 2 * 21, MODELS.cost(Approach.ALM, BEST, 0).outNet());
        assertEquals(17 + 2 * 25, MODELS.cost(Approach.ALM, FAR, 0).outNet());
    }

    @Test
    void sourceRoutingLabelStacks() {
        LabelStack best = MODELS.labelStack(BEST);
        assertEquals(16, best.min());
        assertEquals(20, best.max());
        assertEquals(18.0, best.meanPerLevel(), 1e-9);
        assertEquals((4 * 20 + 16 * 16) / 20.0, best.meanPerMessage(), 1e-9);
        assertEquals(21, best.onPublisherLink());
        assertEquals(3L * (21 + 4 * 20 + 16 * 16), best.totalLabelBytes());
        LabelStack far = MODELS.labelStack(FAR);
        assertEquals(16, far.min());
        assertEquals(24, far.max());
        Cost c = MODELS.cost(Approach.P4_SOURCE_ROUTING, BEST, 0);
        assertEquals(20 * 42 + 3L * (4 * 20 + 16 * 16), c.inBytes());
        assertEquals(17 * 42 + 3L * 21, c.outBytes());
    }

    @Test
    void staresCostIsMeasuredNotModelled() {
        assertThrows(IllegalArgumentException.class, () -> MODELS.cost(Approach.STARE, BEST, 0));
    }

    /** On a small tree, the canonical classes give the same extremes as every subset. */
    @Test
    void theCanonicalSetsCoverEveryPlacement() {
        PaperTree small = new PaperTree(2, 4);
        Models models = new Models(small);
        for (int n = 1; n <= small.leafCount(); n++) {
            int[] canonical = extremes(models, sets(new Placements(small), n));
            int[] all = extremes(models, allSubsets(small.leafCount(), n));
            assertEquals(all[0], canonical[0], "min, n=" + n);
            assertEquals(all[1], canonical[1], "max, n=" + n);
            assertEquals(all[2], canonical[2], "unicast max, n=" + n);
        }
        assertEquals(1, new Placements(TREE).classes(1));
        assertEquals(1, new Placements(TREE).classes(64));
    }

    private static List<int[]> sets(Placements placements, int n) {
        List<int[]> sets = new ArrayList<>();
        placements.forEachSet(n, sets::add);
        return sets;
    }

    private static List<int[]> allSubsets(int leaves, int n) {
        List<int[]> sets = new ArrayList<>();
        for (int mask = 0; mask < 1 << leaves; mask++) {
            if (Integer.bitCount(mask) == n) {
                int[] s = new int[n];
                int at = 0;
                for (int i = 0; i < leaves; i++) {
                    if ((mask & 1 << i) != 0) {
                        s[at++] = i;
                    }
                }
                sets.add(s);
            }
        }
        return sets;
    }

    private static int[] extremes(Models models, List<int[]> sets) {
        int min = Integer.MAX_VALUE;
        int max = 0;
        int unicastMax = 0;
        for (int[] s : sets) {
            int[] count = models.counts(s);
            for (int p = 0; p < models.tree().size(); p++) {
                int t = models.treeLinks(count, s.length, p);
                min = Math.min(min, t);
                max = Math.max(max, t);
                unicastMax = Math.max(unicastMax, models.unicastHops(count, s.length, p));
            }
        }
        return new int[] {min, max, unicastMax};
    }
}
