package io.stare.bench.table4;

import io.stare.p4.pipeline.PipelineNetwork;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Reproduces the paper's Table IV: messages (and bytes) to deliver one publish to 16 subscribers on
 * the leaves of the 4-ary tree of 85 switches, for the six approaches. STARE's counts come from
 * running the real pipelines of all 85 switches ({@link StareRun}); the others are modelled
 * ({@link Models}). See docs/evaluation-table4.md.
 *
 * <p>Cases:
 * <ul>
 * <li><b>B</b>est: the placement (16 subscribed leaves, publisher switch) with the fewest in-net
 * messages, then the fewest out-net messages, over all placements;</li>
 * <li><b>W</b>orst, our definition: the best case's subscriber set, the publisher at the switch
 * that maximises in-net, then out-net;</li>
 * <li><b>max</b>: the most in-net, then out-net, messages over all placements.</li>
 * </ul>
 * All placements are covered exhaustively up to the tree's symmetry ({@link Placements}).
 */
public final class Table4 {

    public static final int SUBSCRIBERS = 16;
    public static final int[] SWEEP = {1, 2, 4, 8, 16, 32, 64};
    /** A placement the paper's worst-case 26 can come from (see the doc): 4 full leaf groups under 3 level-2 switches. */
    public static final int[] EXAMPLE_26_LEAVES = {0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 32, 33, 34, 35};
    /** ... and the publisher on a leaf under the fourth level-2 switch. */
    public static final int EXAMPLE_26_PUBLISHER_LEAF = 48;

    static final Comparator<Cost> BY_MESSAGES = Comparator.comparingLong(Cost::inNet).thenComparingLong(Cost::outNet);

    /**
     * @param payload publish payload bytes (the byte counts)
     * @param sweep also run the sweep over the number of subscribers
     * @param samples random placements on which STARE is measured and compared with the tree model
     * @param embedded also measure B and W in embedded-controller mode
     */
    public record Options(int payload, boolean sweep, int samples, long seed, boolean embedded) {
        public Options {
            if (payload < 0 || payload > 1400) {
                throw new IllegalArgumentException("payload must be 0..1400 bytes, got " + payload);
            }
            if (samples < 0) {
                throw new IllegalArgumentException("samples must be >= 0, got " + samples);
            }
        }

        public static Options defaults() {
            return new Options(64, false, 200, 1, true);
        }
    }

    /** One approach: the best, worst (our definition) and maximum cases. */
    public record Row(Approach approach, Cost best, Cost worst, Cost max) {
    }

    /** One approach in the sweep: the first {@code subscribers} leaves subscribed, best and worst publisher. */
    public record SweepRow(int subscribers, Approach approach, Cost best, Cost worst) {
    }

    public record Result(Options options, List<Row> rows, Placement best, Placement worst, Placement maxTree,
                         Placement maxUnicast, Placement example26, Cost example26Stare, Cost example26Alm,
                         long classes, long placements, long placementsAt26, int stareMeasured, int stareMismatches,
                         Cost embeddedBest, Cost embeddedWorst, LabelStack labelsBest, LabelStack labelsWorst,
                         List<SweepRow> sweep, long millis) {

        public Row row(Approach a) {
            return rows.stream().filter(r -> r.approach() == a).findFirst().orElseThrow();
        }
    }

    private Table4() {
    }

    public static Result compute(Options options) {
        long start = System.nanoTime();
        PaperTree tree = PaperTree.paper();
        Models models = new Models(tree);
        int payload = options.payload();

        // 1. Every placement up to symmetry, with the tree model (links on the tree joining the
        //    publisher and the subscribers) and unicast's path lengths.
        Search search = new Search();
        Placements placements = new Placements(tree);
        placements.forEachSet(SUBSCRIBERS, leaves -> {
            search.classes++;
            int[] count = models.counts(leaves);
            for (int p = 0; p < tree.size(); p++) {
                int t = models.treeLinks(count, SUBSCRIBERS, p);
                int u = models.unicastHops(count, SUBSCRIBERS, p);
                search.placements++;
                if (t == 26) {
                    search.at26++;
                }
                if (search.best == null || t < search.bestT || (t == search.bestT && u < search.bestU)) {
                    search.best = new Placement(leaves, p);
                    search.bestT = t;
                    search.bestU = u;
                }
                if (search.maxTree == null || t > search.maxT || (t == search.maxT && u > search.maxTU)) {
                    search.maxTree = new Placement(leaves, p);
                    search.maxT = t;
                    search.maxTU = u;
                }
                if (search.maxUnicast == null || u > search.maxU) {
                    search.maxUnicast = new Placement(leaves, p);
                    search.maxU = u;
                }
                if (search.minUnicast == null || u < search.minU) {
                    search.minUnicast = new Placement(leaves, p);
                    search.minU = u;
                }
            }
        });
        Placement best = search.best;

        // 2. STARE, measured: the best set with the publisher on every switch, the maximum, the
        //    example for 26, and random placements, each checked against the tree model.
        int[] measured = {0};
        int[] mismatches = {0};
        StareRun[] run = {new StareRun(tree, PipelineNetwork.Mode.REGISTER)};
        int bestState = run[0].subscribe(best.subscriberLeaves());
        Cost stareBest = null;
        Cost stareWorst = null;
        Placement worst = null;
        for (int p = 0; p < tree.size(); p++) {
            Placement placement = best.withPublisher(p);
            Cost c = run[0].publishChecked(bestState, placement, payload);
            check(models, placement, c, measured, mismatches);
            if (stareBest == null || BY_MESSAGES.compare(c, stareBest) < 0) {
                stareBest = c;
            }
            if (stareWorst == null || BY_MESSAGES.compare(c, stareWorst) > 0) {
                stareWorst = c;
                worst = placement;
            }
        }
        Cost stareMax = measureChecked(run, models, search.maxTree, payload, measured, mismatches);
        Placement example26 = new Placement(EXAMPLE_26_LEAVES, tree.leaf(EXAMPLE_26_PUBLISHER_LEAF));
        Cost example26Stare = measureChecked(run, models, example26, payload, measured, mismatches);
        Random random = new Random(options.seed());
        for (int i = 0; i < options.samples(); i++) {
            measureChecked(run, models, randomPlacement(tree, random), payload, measured, mismatches);
        }

        // 3. The modelled approaches in the same three cases.
        List<Row> rows = new ArrayList<>();
        for (Approach a : Approach.values()) {
            if (a == Approach.STARE) {
                rows.add(new Row(a, stareBest, stareWorst, stareMax));
                continue;
            }
            Cost b = models.cost(a, a == Approach.UNICAST ? search.minUnicast : best, payload);
            Cost w = null;
            for (int p = 0; p < tree.size(); p++) {
                Cost c = models.cost(a, best.withPublisher(p), payload);
                if (w == null || BY_MESSAGES.compare(c, w) > 0) {
                    w = c;
                }
            }
            Cost m = models.cost(a, a == Approach.UNICAST ? search.maxUnicast : search.maxTree, payload);
            rows.add(new Row(a, b, w, m));
        }

        Cost embeddedBest = null;
        Cost embeddedWorst = null;
        if (options.embedded()) {
            StareRun embedded = new StareRun(tree, PipelineNetwork.Mode.EMBEDDED);
            int state = embedded.subscribe(best.subscriberLeaves());
            embeddedBest = embedded.publishChecked(state, best, payload);
            embeddedWorst = embedded.publishChecked(state, worst, payload);
        }

        List<SweepRow> sweep = new ArrayList<>();
        if (options.sweep()) {
            for (int n : SWEEP) {
                sweep.addAll(sweep(tree, models, run, n, payload, measured, mismatches));
            }
        }

        return new Result(options, List.copyOf(rows), best, worst, search.maxTree, search.maxUnicast, example26,
                example26Stare, models.cost(Approach.ALM, example26, payload), search.classes, search.placements,
                search.at26, measured[0], mismatches[0], embeddedBest, embeddedWorst, models.labelStack(best),
                models.labelStack(worst), List.copyOf(sweep), (System.nanoTime() - start) / 1_000_000);
    }

    /** The first n leaves subscribed; per approach the best and the worst publisher switch. */
    private static List<SweepRow> sweep(PaperTree tree, Models models, StareRun[] run, int n, int payload,
                                        int[] measured, int[] mismatches) {
        Placement set = new Placement(Placement.firstLeaves(n), 0);
        Map<Approach, Cost[]> extremes = new EnumMap<>(Approach.class);
        if (!run[0].hasRoom()) {
            run[0] = new StareRun(tree, PipelineNetwork.Mode.REGISTER);
        }
        int state = run[0].subscribe(set.subscriberLeaves());
        for (int p = 0; p < tree.size(); p++) {
            Placement placement = set.withPublisher(p);
            for (Approach a : Approach.values()) {
                Cost c;
                if (a == Approach.STARE) {
                    c = run[0].publishChecked(state, placement, payload);
                    check(models, placement, c, measured, mismatches);
                } else {
                    c = models.cost(a, placement, payload);
                }
                Cost[] e = extremes.computeIfAbsent(a, x -> new Cost[] {c, c});
                if (BY_MESSAGES.compare(c, e[0]) < 0) {
                    e[0] = c;
                }
                if (BY_MESSAGES.compare(c, e[1]) > 0) {
                    e[1] = c;
                }
            }
        }
        List<SweepRow> rows = new ArrayList<>();
        for (Approach a : Approach.values()) {
            rows.add(new SweepRow(n, a, extremes.get(a)[0], extremes.get(a)[1]));
        }
        return rows;
    }

    private static Cost measureChecked(StareRun[] run, Models models, Placement p, int payload, int[] measured,
                                       int[] mismatches) {
        if (!run[0].hasRoom()) {
            run[0] = new StareRun(models.tree(), PipelineNetwork.Mode.REGISTER);
        }
        Cost c = run[0].measure(p, payload);
        check(models, p, c, measured, mismatches);
        return c;
    }

    /** Counts a STARE measurement and whether it differs from the multicast-tree model (OFM's counts). */
    private static void check(Models models, Placement p, Cost stare, int[] measured, int[] mismatches) {
        measured[0]++;
        if (stare.inNet() != models.treeLinks(p) || stare.outNet() != 1 + p.subscribers()) {
            mismatches[0]++;
        }
    }

    static Placement randomPlacement(PaperTree tree, Random random) {
        int[] all = Placement.firstLeaves(tree.leafCount());
        for (int i = 0; i < SUBSCRIBERS; i++) {
            int j = i + random.nextInt(all.length - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        return new Placement(java.util.Arrays.copyOf(all, SUBSCRIBERS), random.nextInt(tree.size()));
    }

    private static final class Search {
        long classes;
        long placements;
        long at26;
        Placement best;
        int bestT;
        int bestU;
        Placement maxTree;
        int maxT;
        int maxTU;
        Placement maxUnicast;
        int maxU;
        Placement minUnicast;
        int minU;
    }
}
