package io.stare.bench.table4;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Every subscriber set of a given size up to the tree's symmetry: two sets that a permutation of
 * some switch's children maps onto each other give the same counts for every approach (with the
 * publisher ranging over all switches), so one canonical set per class is enough. A class is a
 * subtree "shape": at a leaf, subscribed or not; at a switch, the multiset of its children's
 * shapes. Together with all {@code size()} publisher switches this covers every placement.
 */
public final class Placements {

    private record Shape(int count, int[] leaves) {
    }

    private final PaperTree tree;
    private final List<List<Shape>> shapesByDepth = new ArrayList<>();

    public Placements(PaperTree tree) {
        this.tree = tree;
        for (int d = 0; d < tree.levels(); d++) {
            shapesByDepth.add(null);
        }
        List<Shape> leaf = List.of(new Shape(0, new int[0]), new Shape(1, new int[] {0}));
        shapesByDepth.set(tree.levels() - 1, leaf);
        int leavesPerChild = 1;
        for (int d = tree.levels() - 2; d >= 1; d--) {
            List<Shape> all = new ArrayList<>();
            combine(shapesByDepth.get(d + 1), leavesPerChild, -1, all::add);
            shapesByDepth.set(d, all);
            leavesPerChild *= tree.k();
        }
    }

    /** Calls {@code sink} with one canonical set of {@code n} subscribed leaves per class. */
    public void forEachSet(int n, Consumer<int[]> sink) {
        if (n < 0 || n > tree.leafCount()) {
            throw new IllegalArgumentException("n must be in 0.." + tree.leafCount() + ", got " + n);
        }
        int leavesPerChild = tree.leafCount() / tree.k();
        combine(shapesByDepth.get(1), leavesPerChild, n, s -> sink.accept(s.leaves()));
    }

    /** The number of classes for {@code n} subscribers. */
    public long classes(int n) {
        long[] count = {0};
        forEachSet(n, s -> count[0]++);
        return count[0];
    }

    /**
     * All multisets of k child shapes (indices non-increasing), as shapes of the parent; with
     * {@code total >= 0}, only those holding exactly {@code total} subscribers.
     */
    private void combine(List<Shape> children, int leavesPerChild, int total, Consumer<Shape> sink) {
        int maxChild = 0;
        for (Shape s : children) {
            maxChild = Math.max(maxChild, s.count());
        }
        pick(children, leavesPerChild, total, maxChild, new int[tree.k()], 0, children.size() - 1, 0, sink);
    }

    private void pick(List<Shape> children, int leavesPerChild, int total, int maxChild, int[] chosen, int slot,
                      int maxIndex, int sum, Consumer<Shape> sink) {
        int k = chosen.length;
        if (slot == k) {
            if (total >= 0 && sum != total) {
                return;
            }
            int size = 0;
            for (int i : chosen) {
                size += children.get(i).count();
            }
            int[] leaves = new int[size];
            int at = 0;
            for (int c = 0; c < k; c++) {
                for (int leaf : children.get(chosen[c]).leaves()) {
                    leaves[at++] = c * leavesPerChild + leaf;
                }
            }
            sink.accept(new Shape(sum, leaves));
            return;
        }
        for (int i = maxIndex; i >= 0; i--) {
            int s = sum + children.get(i).count();
            if (total >= 0 && (s > total || s + (k - slot - 1) * maxChild < total)) {
                continue;
            }
            chosen[slot] = i;
            pick(children, leavesPerChild, total, maxChild, chosen, slot + 1, i, s, sink);
        }
    }
}
