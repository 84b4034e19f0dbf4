package io.stare.bench.table4;

import io.stare.p4.topology.Topology;

/**
 * The switches of a symmetric {@code k}-ary tree as indices (breadth first: the root is 0, then
 * level by level, left to right), with the names {@link io.stare.p4.topology.Topologies#kAryTree}
 * gives them ({@code s<level>_<position>}, level 1 = root), and the topology Table IV runs on:
 * that tree's switches and links, one subscriber host {@code h<leaf>_0} on port 1 of every leaf
 * (as {@code Topologies.paperTree(1)}), and one publisher host {@code p<level>_<position>} on an
 * extra last port of every switch (the paper: "the publisher is connected to an arbitrary switch
 * through a dedicated link").
 */
public final class PaperTree {

    private final int k;
    private final int levels;
    private final int[] offset;
    private final int[] parent;
    private final int[] depth;
    private final int size;
    private final boolean[][] ancestorOrSelf;

    public PaperTree(int k, int levels) {
        if (k < 2 || levels < 2 || levels > 6) {
            throw new IllegalArgumentException("need k >= 2 and 2 <= levels <= 6, got k=" + k + ", levels=" + levels);
        }
        this.k = k;
        this.levels = levels;
        offset = new int[levels + 1];
        int width = 1;
        for (int l = 0; l < levels; l++) {
            offset[l + 1] = offset[l] + width;
            width = Math.multiplyExact(width, k);
        }
        size = offset[levels];
        parent = new int[size];
        depth = new int[size];
        for (int l = 0; l < levels; l++) {
            for (int i = 0; i < offset[l + 1] - offset[l]; i++) {
                int node = offset[l] + i;
                depth[node] = l;
                parent[node] = l == 0 ? -1 : offset[l - 1] + i / k;
            }
        }
        ancestorOrSelf = new boolean[size][size];
        for (int v = 0; v < size; v++) {
            for (int a = v; a >= 0; a = parent[a]) {
                ancestorOrSelf[a][v] = true;
            }
        }
    }

    /** The paper's tree: 4-ary, 4 levels, 85 switches, 84 links, 64 leaves. */
    public static PaperTree paper() {
        return new PaperTree(4, 4);
    }

    public int k() {
        return k;
    }

    public int levels() {
        return levels;
    }

    /** Number of switches. */
    public int size() {
        return size;
    }

    /** Number of links (switch to switch). */
    public int links() {
        return size - 1;
    }

    public int leafCount() {
        return offset[levels] - offset[levels - 1];
    }

    /** The node of leaf {@code j} (0-based, left to right). */
    public int leaf(int j) {
        return offset[levels - 1] + j;
    }

    public int parent(int node) {
        return parent[node];
    }

    /** 0 for the root. */
    public int depth(int node) {
        return depth[node];
    }

    /** Whether {@code a} is {@code v} or above it. */
    public boolean isAncestorOrSelf(int a, int v) {
        return ancestorOrSelf[a][v];
    }

    /** Hops between two switches. */
    public int distance(int a, int b) {
        int d = 0;
        while (a != b) {
            if (depth[a] >= depth[b]) {
                a = parent[a];
            } else {
                b = parent[b];
            }
            d++;
        }
        return d;
    }

    public int position(int node) {
        return node - offset[depth[node]];
    }

    public String switchName(int node) {
        return "s" + (depth[node] + 1) + "_" + position(node);
    }

    /** The subscriber host on leaf {@code j}. */
    public String subscriberHost(int leafIndex) {
        return "h" + leafIndex + "_0";
    }

    /** The publisher host attached to a switch by its own link. */
    public String publisherHost(int node) {
        return "p" + (depth[node] + 1) + "_" + position(node);
    }

    /** A short description: "root", "level-2 switch s2_1", "leaf s4_17". */
    public String describe(int node) {
        if (node == 0) {
            return "root s1_0";
        }
        return (depth[node] == levels - 1 ? "leaf " : "level-" + (depth[node] + 1) + " switch ") + switchName(node);
    }

    /**
     * The tree of switches with the hosts Table IV needs: a subscriber host on port 1 of every leaf
     * and a publisher host on the last port of every switch. Ports and links otherwise as
     * {@code Topologies.kAryTree(k, levels, 1)}: port 0 to the parent, ports 1..k to the children.
     */
    public Topology topology() {
        Topology.Builder builder = Topology.builder();
        for (int node = 0; node < size; node++) {
            boolean leaf = depth[node] == levels - 1;
            int ports = leaf ? 3 : k + 2;
            builder.addSwitch(switchName(node), ports);
            if (node > 0) {
                builder.addLink(switchName(parent[node]), 1 + position(node) % k, switchName(node), 0);
            }
            if (leaf) {
                builder.addHost(subscriberHost(position(node)), switchName(node), 1);
            }
            builder.addHost(publisherHost(node), switchName(node), ports - 1);
        }
        return builder.build();
    }
}
