package io.stare.bench.table4;

import java.util.Arrays;

/**
 * Where the subscribers and the publisher are: the leaves (0-based leaf positions) with one
 * subscriber each, and the switch (a {@link PaperTree} node) the publisher is attached to.
 */
public record Placement(int[] subscriberLeaves, int publisher) {

    public Placement {
        subscriberLeaves = subscriberLeaves.clone();
        Arrays.sort(subscriberLeaves);
        for (int i = 1; i < subscriberLeaves.length; i++) {
            if (subscriberLeaves[i] == subscriberLeaves[i - 1]) {
                throw new IllegalArgumentException("leaf " + subscriberLeaves[i] + " listed twice");
            }
        }
    }

    @Override
    public int[] subscriberLeaves() {
        return subscriberLeaves.clone();
    }

    public int subscribers() {
        return subscriberLeaves.length;
    }

    public Placement withPublisher(int node) {
        return new Placement(subscriberLeaves, node);
    }

    /** The first {@code n} leaves, left to right. */
    public static int[] firstLeaves(int n) {
        int[] leaves = new int[n];
        for (int i = 0; i < n; i++) {
            leaves[i] = i;
        }
        return leaves;
    }

    /** "leaves 0-15, publisher at level-2 switch s2_0". */
    public String describe(PaperTree tree) {
        return "subscribers on leaves " + ranges(subscriberLeaves) + ", publisher at " + tree.describe(publisher);
    }

    static String ranges(int[] sorted) {
        StringBuilder b = new StringBuilder();
        int i = 0;
        while (i < sorted.length) {
            int j = i;
            while (j + 1 < sorted.length && sorted[j + 1] == sorted[j] + 1) {
                j++;
            }
            if (b.length() > 0) {
                b.append(',');
            }
            b.append(sorted[i]);
            if (j > i) {
                b.append('-').append(sorted[j]);
            }
            i = j + 1;
        }
        return b.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Placement p && p.publisher == publisher && Arrays.equals(p.subscriberLeaves, subscriberLeaves);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(subscriberLeaves) + publisher;
    }

    @Override
    public String toString() {
        return "Placement" + Arrays.toString(subscriberLeaves) + "@" + publisher;
    }
}
