package io.stare.p4.topology;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The distribution tree STARE traffic follows: one spanning tree of the switches, computed by
 * breadth-first search from a root, visiting each switch's ports in ascending order, so the same
 * topology and root always give the same tree. Links off the tree carry no STARE traffic (their
 * ports are in no switch's tree-port mask), which is what keeps multicast free of loops.
 *
 * <p>The default root is the switch whose name sorts first ({@link String#compareTo}).
 */
public final class SpanningTree {

    private final String root;
    private final List<Topology.Link> links;
    private final Map<String, Long> treePorts;
    private final Map<String, Topology.Endpoint> parentPorts;

    private SpanningTree(String root, List<Topology.Link> links, Map<String, Long> treePorts,
                         Map<String, Topology.Endpoint> parentPorts) {
        this.root = root;
        this.links = List.copyOf(links);
        this.treePorts = Collections.unmodifiableMap(treePorts);
        this.parentPorts = Collections.unmodifiableMap(parentPorts);
    }

    /**
     * The tree rooted at the switch whose name sorts first.
     *
     * @throws IllegalArgumentException if the topology has no switch or is disconnected
     */
    public static SpanningTree of(Topology topology) {
        if (topology.switches().isEmpty()) {
            throw new IllegalArgumentException("topology has no switch to root a spanning tree at");
        }
        String first = topology.switches().stream().map(Topology.Switch::name).min(String::compareTo).orElseThrow();
        return of(topology, first);
    }

    /**
     * The tree rooted at {@code root}.
     *
     * @throws IllegalArgumentException if the root is unknown or some switch is unreachable from it
     */
    public static SpanningTree of(Topology topology, String root) {
        topology.switchNamed(root);
        Map<String, Long> treePorts = new LinkedHashMap<>();
        Map<String, Topology.Endpoint> parentPorts = new HashMap<>();
        List<Topology.Link> links = new ArrayList<>();
        Set<String> reached = new LinkedHashSet<>();
        Deque<String> queue = new ArrayDeque<>();
        reached.add(root);
        queue.add(root);
        while (!queue.isEmpty()) {
            String current = queue.poll();
            treePorts.putIfAbsent(current, 0L);
            for (Map.Entry<Integer, Topology.Attachment> port : topology.attachments(current).entrySet()) {
                if (port.getValue() instanceof Topology.ToSwitch toSwitch && reached.add(toSwitch.peer().switchName())) {
                    String child = toSwitch.peer().switchName();
                    links.add(toSwitch.link());
                    treePorts.merge(current, 1L << port.getKey(), (x, y) -> x | y);
                    treePorts.merge(child, 1L << toSwitch.peer().port(), (x, y) -> x | y);
                    parentPorts.put(child, toSwitch.peer());
                    queue.add(child);
                }
            }
        }
        if (reached.size() < topology.switches().size()) {
            Set<String> unreached = new TreeSet<>();
            topology.switches().forEach(s -> unreached.add(s.name()));
            unreached.removeAll(reached);
            throw new IllegalArgumentException("topology is disconnected: " + unreached.size() + " switch"
                    + (unreached.size() == 1 ? " is" : "es are") + " not reachable from root '" + root + "': "
                    + String.join(", ", unreached));
        }
        return new SpanningTree(root, links, treePorts, parentPorts);
    }

    /** The root switch. */
    public String root() {
        return root;
    }

    /** The tree's links, in the order the search found them (one fewer than the switches). */
    public List<Topology.Link> links() {
        return links;
    }

    /** Whether a link is on the tree. */
    public boolean contains(Topology.Link link) {
        return links.contains(link);
    }

    /**
     * The tree-port mask of a switch: bit <i>i</i> set when port <i>i</i> is a link on the tree.
     *
     * @throws IllegalArgumentException if the switch is not in the topology
     */
    public long treePorts(String switchName) {
        Long mask = treePorts.get(switchName);
        if (mask == null) {
            throw new IllegalArgumentException("unknown switch '" + switchName + "'");
        }
        return mask;
    }

    /** The port by which a switch reaches its parent, on the switch itself; empty for the root. */
    public Optional<Topology.Endpoint> parentPort(String switchName) {
        treePorts(switchName);
        return Optional.ofNullable(parentPorts.get(switchName));
    }
}
