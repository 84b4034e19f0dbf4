package io.stare.bench.table4;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;

/**
 * The modelled approaches of Table IV on a {@link PaperTree}, as the paper defines them:
 * <ul>
 * <li>Unicast: the publisher sends one copy per subscriber, each along the tree path. In-net: the
 * sum of the path lengths; out-net: n copies on the publisher's link and n deliveries (2n).</li>
 * <li>Broadcast: one copy on every link of the tree (all 84) and to every VNF host; the VNF hosts
 * here are one per leaf, so out-net is 1 (publisher's link) + 64.</li>
 * <li>ALM: the multicast tree (every link to the subscribers used once), but every switch on it
 * sends the publish to its software broker and gets it back with the multicast group: out-net
 * 1 + n + 2 x (switches on the tree).</li>
 * <li>OFM and P4 source routing: the multicast tree; out-net 1 + n. Source routing also carries a
 * stack of 3-byte labels (switch id + port bitmask), one per switch on the tree, sorted by level
 * (hops from the publisher's switch); each switch removes its level's labels and forwards the
 * rest on all its tree links, needed there or not; the switch in front of a host strips it.</li>
 * </ul>
 * Bytes: every approach but STARE sends Ethernet + IPv4 + UDP (14 + 20 + 8 = 42 B) + payload;
 * ALM's broker answer adds a 2-byte multicast group; source routing adds its labels.
 */
public final class Models {

    /** Ethernet + IPv4 + UDP headers of a plain UDP frame. */
    public static final int L2_L4_BYTES = 14 + 20 + 8;
    /** The paper: "Each label is 3 bytes-long and includes the switch identifier and the bitmask". */
    public static final int LABEL_BYTES = 3;
    /** ALM: the broker's header carrying the multicast group (a 16-bit group id, as in v1model). */
    public static final int ALM_GROUP_HEADER_BYTES = 2;

    private final PaperTree tree;

    public Models(PaperTree tree) {
        this.tree = tree;
    }

    public PaperTree tree() {
        return tree;
    }

    /** Subscribers in each switch's subtree. */
    int[] counts(int[] leaves) {
        int[] count = new int[tree.size()];
        for (int leaf : leaves) {
            for (int v = tree.leaf(leaf); v >= 0; v = tree.parent(v)) {
                count[v]++;
            }
        }
        return count;
    }

    /** Whether the link from {@code v} to its parent is on the tree joining the publisher and the subscribers. */
    static boolean onTree(PaperTree tree, int[] count, int n, int publisher, int v) {
        int below = count[v] + (tree.isAncestorOrSelf(v, publisher) ? 1 : 0);
        return below > 0 && below < n + 1;
    }

    /** Links on the tree joining the publisher's switch and the subscribers' leaves. */
    public int treeLinks(Placement p) {
        return treeLinks(counts(p.subscriberLeaves()), p.subscribers(), p.publisher());
    }

    int treeLinks(int[] count, int n, int publisher) {
        int links = 0;
        for (int v = 1; v < tree.size(); v++) {
            if (onTree(tree, count, n, publisher, v)) {
                links++;
            }
        }
        return links;
    }

    /** Sum over the subscribers of the hops from the publisher's switch. */
    int unicastHops(int[] count, int n, int publisher) {
        int hops = 0;
        for (int v = 1; v < tree.size(); v++) {
            hops += tree.isAncestorOrSelf(v, publisher) ? n - count[v] : count[v];
        }
        return hops;
    }

    /** The cost of a modelled approach (not STARE: that is measured) for a payload of {@code payload} bytes. */
    public Cost cost(Approach approach, Placement p, int payload) {
        int n = p.subscribers();
        int[] count = counts(p.subscriberLeaves());
        long frame = L2_L4_BYTES + payload;
        switch (approach) {
            case UNICAST: {
                long in = unicastHops(count, n, p.publisher());
                return new Cost(in, 2L * n, in * frame, 2L * n * frame);
            }
            case BROADCAST: {
                long in = tree.links();
                long out = 1 + tree.leafCount();
                return new Cost(in, out, in * frame, out * frame);
            }
            case ALM: {
                long in = treeLinks(count, n, p.publisher());
                long switches = in + 1;
                long out = 1 + n + 2 * switches;
                return new Cost(in, out, in * frame,
                        (1 + n) * frame + switches * (frame + frame + ALM_GROUP_HEADER_BYTES));
            }
            case OFM: {
                long in = treeLinks(count, n, p.publisher());
                return new Cost(in, 1 + n, in * frame, (1 + n) * frame);
            }
            case P4_SOURCE_ROUTING: {
                long in = treeLinks(count, n, p.publisher());
                LabelStack labels = labelStack(p);
                return new Cost(in, 1 + n, in * frame + labels.totalLabelBytes()
                        - (long) labels.onPublisherLink() * LABEL_BYTES,
                        (1 + n) * frame + (long) labels.onPublisherLink() * LABEL_BYTES);
            }
            default:
                throw new IllegalArgumentException(approach + " is measured, not modelled");
        }
    }

    /** Source routing's label stack for a placement (see the class comment). */
    public LabelStack labelStack(Placement p) {
        int n = p.subscribers();
        int[] count = counts(p.subscriberLeaves());
        boolean[] edge = new boolean[tree.size()];
        for (int v = 1; v < tree.size(); v++) {
            edge[v] = onTree(tree, count, n, p.publisher(), v);
        }
        // Hops from the publisher's switch, over the tree's links only.
        int[] hops = new int[tree.size()];
        Arrays.fill(hops, -1);
        Deque<Integer> queue = new ArrayDeque<>();
        hops[p.publisher()] = 0;
        queue.add(p.publisher());
        int switches = 0;
        int[] perLevel = new int[2 * tree.levels() + 1];
        while (!queue.isEmpty()) {
            int u = queue.poll();
            switches++;
            perLevel[hops[u]]++;
            int up = tree.parent(u);
            if (up >= 0 && edge[u] && hops[up] < 0) {
                hops[up] = hops[u] + 1;
                queue.add(up);
            }
            for (int c = 1; c < tree.size(); c++) {
                if (tree.parent(c) == u && edge[c] && hops[c] < 0) {
                    hops[c] = hops[u] + 1;
                    queue.add(c);
                }
            }
        }
        // Labels still on the stack after a switch at h hops removed its level's.
        int[] remaining = new int[perLevel.length];
        for (int h = perLevel.length - 2; h >= 0; h--) {
            remaining[h] = remaining[h + 1] + perLevel[h + 1];
        }
        int min = Integer.MAX_VALUE;
        int max = 0;
        long total = (long) switches * LABEL_BYTES; // the publisher's link carries the whole stack
        long sum = 0;
        int links = 0;
        boolean[] levelUsed = new boolean[perLevel.length];
        for (int v = 1; v < tree.size(); v++) {
            if (!edge[v]) {
                continue;
            }
            int from = Math.min(hops[v], hops[tree.parent(v)]);
            int labels = remaining[from];
            min = Math.min(min, labels);
            max = Math.max(max, labels);
            sum += labels;
            links++;
            levelUsed[from] = true;
        }
        double levelSum = 0;
        int levelCount = 0;
        for (int h = 0; h < levelUsed.length; h++) {
            if (levelUsed[h]) {
                levelSum += remaining[h];
                levelCount++;
            }
        }
        total += sum * LABEL_BYTES;
        return new LabelStack(links == 0 ? 0 : min, max, links == 0 ? 0 : (double) sum / links,
                levelCount == 0 ? 0 : levelSum / levelCount, switches, total);
    }
}
