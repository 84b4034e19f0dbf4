package io.stare.testkit;

import io.stare.p4.topology.Topologies;
import io.stare.p4.topology.Topology;

/**
 * The end-to-end scenarios on a multi-switch tree: a binary tree of 3 levels (root
 * {@code s1_0}, {@code s2_0} and {@code s2_1}, leaves {@code s3_0..s3_3}), one host per leaf. VNF a
 * runs on h0_0, b and c on h1_0 (a leaf under the same middle switch), d on h3_0 (across the root):
 * a's updates to d cross 4 switch links, and the loss scenario puts loss on all 6 of them.
 */
class TreeEndToEndTest extends EndToEndScenarios {

    @Override
    Topology topology() {
        return Topologies.kAryTree(2, 3, 1);
    }

    @Override
    String hostA() {
        return "h0_0";
    }

    @Override
    String hostB() {
        return "h1_0";
    }

    @Override
    String hostC() {
        return "h3_0";
    }

    @Override
    long seed() {
        return 11;
    }
}
