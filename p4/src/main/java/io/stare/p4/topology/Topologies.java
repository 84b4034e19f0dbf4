package io.stare.p4.topology;

/**
 * The topologies the tests and experiments use. Every switch's hosts are on the lowest ports.
 */
public final class Topologies {

    private Topologies() {
    }

    /** The paper's testbed (Fig. 7a): one switch, s1, with hosts h1, h2 and h3 on its ports 0, 1, 2. */
    public static Topology paperTestbed() {
        return Topology.builder().addSwitch("s1", 3).addHost("h1", "s1", 0).addHost("h2", "s1", 1)
                .addHost("h3", "s1", 2).build();
    }

    /**
     * A chain {@code s1 - s2 - ... - sn}. Each switch has 3 ports: port 0 holds host {@code hi},
     * port 1 links to the previous switch, port 2 to the next (unused at the ends).
     */
    public static Topology linear(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("a linear topology needs at least 1 switch, got " + n);
        }
        Topology.Builder builder = Topology.builder();
        for (int i = 1; i <= n; i++) {
            builder.addSwitch("s" + i, 3).addHost("h" + i, "s" + i, 0);
        }
        for (int i = 1; i < n; i++) {
            builder.addLink("s" + i, 2, "s" + (i + 1), 1);
        }
        return builder.build();
    }

    /**
     * Three switches all linked to one another, each with a host on port 0: the smallest network
     * with a loop. Links {@code s1:1-s2:1}, {@code s2:2-s3:1}, {@code s3:2-s1:2}; the spanning tree
     * from {@code s1} keeps the first and last and drops {@code s2:2-s3:1}.
     */
    public static Topology triangle() {
        return Topology.builder()
                .addSwitch("s1", 3).addSwitch("s2", 3).addSwitch("s3", 3)
                .addHost("h1", "s1", 0).addHost("h2", "s2", 0).addHost("h3", "s3", 0)
                .addLink("s1", 1, "s2", 1)
                .addLink("s2", 2, "s3", 1)
                .addLink("s3", 2, "s1", 2)
                .build();
    }

    /**
     * A symmetric {@code k}-ary tree of switches with {@code levels} levels and hosts on the
     * leaves. The switch at level {@code l} (1 = root), position {@code i} (0-based, left to right)
     * is {@code s<l>_<i>}; port 0 links to its parent (unused at the root) and ports 1..k to its
     * children. A leaf has ports 1..hostsPerLeaf for hosts {@code h<i>_<j>} (leaf position i,
     * j = 0..hostsPerLeaf-1). With k = 4 and 4 levels this is the paper's tree: 1 + 4 + 16 + 64 = 85
     * switches and 84 links.
     */
    public static Topology kAryTree(int k, int levels, int hostsPerLeaf) {
        if (k < 1 || levels < 1 || hostsPerLeaf < 0) {
            throw new IllegalArgumentException("a k-ary tree needs k >= 1, levels >= 1 and hostsPerLeaf >= 0, got k="
                    + k + ", levels=" + levels + ", hostsPerLeaf=" + hostsPerLeaf);
        }
        Topology.Builder builder = Topology.builder();
        int width = 1;
        for (int level = 1; level <= levels; level++) {
            boolean leaf = level == levels;
            for (int i = 0; i < width; i++) {
                String name = "s" + level + "_" + i;
                builder.addSwitch(name, 1 + (leaf ? hostsPerLeaf : k));
                if (level > 1) {
                    builder.addLink("s" + (level - 1) + "_" + i / k, 1 + i % k, name, 0);
                }
                if (leaf) {
                    for (int j = 0; j < hostsPerLeaf; j++) {
                        builder.addHost("h" + i + "_" + j, name, 1 + j);
                    }
                }
            }
            width = Math.multiplyExact(width, k);
        }
        return builder.build();
    }

    /** The paper's symmetric 4-ary tree of 85 switches (levels of 1, 4, 16 and 64 switches). */
    public static Topology paperTree(int hostsPerLeaf) {
        return kAryTree(4, 4, hostsPerLeaf);
    }
}
