package io.stare.bench.faults;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Controller nodes that a fault can cut off the network: each node runs in a Linux network namespace
 * of its own, attached by a veth pair to a bridge in the machine's namespace, which carries the
 * bridge's address for everything else (the middlewares, the database relay). Taking a node's end of
 * its pair down is a partition: its packets and the others' to it are dropped, no connection is
 * reset, as when a cable or a switch fails. Needs root (CAP_NET_ADMIN); where that is not given,
 * {@link #create} says so with {@link ScenarioUnavailable}. The namespaces and the bridge are the
 * run's own and go with {@link #close}; those a killed run left behind go at the next
 * {@link #create}.
 */
final class NodeNetwork implements AutoCloseable {

    private static final String PREFIX = "stare-fault-";
    private static final AtomicInteger RUNS = new AtomicInteger();

    private final String id;
    private final String subnet;
    private final int nodes;

    private NodeNetwork(String id, String subnet, int nodes) {
        this.id = id;
        this.subnet = subnet;
        this.nodes = nodes;
    }

    /**
     * Creates {@code nodes} namespaces and the bridge between them and this machine.
     *
     * @throws ScenarioUnavailable where this process may not create them (not root, no iproute2)
     */
    static NodeNetwork create(int nodes) throws ScenarioUnavailable {
        removeLeftovers();
        long pid = ProcessHandle.current().pid();
        int run = RUNS.getAndIncrement() % 10;
        // 10.241.X.0/24 per run: X from this JVM and run, clear of the machine's own addresses.
        String subnet = "10.241." + (1 + (pid * 10 + run) % 250);
        NodeNetwork network = new NodeNetwork(pid + "" + run, subnet, nodes);
        String failure = network.build();
        if (failure != null) {
            network.close();
            throw new ScenarioUnavailable("cannot create network namespaces (needs root and iproute2): " + failure);
        }
        return network;
    }

    /** The address, on the bridge, of this machine's namespace: what the other roles bind. */
    String hostAddress() {
        return subnet + ".1";
    }

    /** The address of node {@code n} (from 1) in its namespace. */
    String nodeAddress(int n) {
        return subnet + "." + (10 + n);
    }

    /** What runs node {@code n}'s command in its namespace. */
    List<String> launcher(int n) {
        return List.of("ip", "netns", "exec", namespace(n));
    }

    /** Cuts node {@code n} off: every packet to or from it is dropped from now on. */
    void cut(int n) {
        String failure = SystemCommand.run(List.of("ip", "link", "set", hostEnd(n), "down"));
        if (failure != null) {
            throw new IllegalStateException("could not cut node " + n + " off: " + failure);
        }
    }

    /** Joins node {@code n} to the others again. */
    void heal(int n) {
        String failure = SystemCommand.run(List.of("ip", "link", "set", hostEnd(n), "up"));
        if (failure != null) {
            throw new IllegalStateException("could not join node " + n + " again: " + failure);
        }
    }

    /** Deletes the namespaces (and with them the veth pairs) and the bridge. */
    @Override
    public void close() {
        for (int n = 1; n <= nodes; n++) {
            SystemCommand.run(List.of("ip", "netns", "delete", namespace(n)));
        }
        SystemCommand.run(List.of("ip", "link", "delete", bridge()));
    }

    /** The commands that build the network; null when they all succeeded, else the first failure. */
    private String build() {
        List<List<String>> commands = new ArrayList<>();
        commands.add(List.of("ip", "link", "add", bridge(), "type", "bridge"));
        commands.add(List.of("ip", "addr", "add", hostAddress() + "/24", "dev", bridge()));
        commands.add(List.of("ip", "link", "set", bridge(), "up"));
        for (int n = 1; n <= nodes; n++) {
            String ns = namespace(n);
            String inside = "stp" + id + "n" + n;
            commands.add(List.of("ip", "netns", "add", ns));
            commands.add(List.of("ip", "link", "add", hostEnd(n), "type", "veth", "peer", "name", inside));
            commands.add(List.of("ip", "link", "set", inside, "netns", ns));
            commands.add(List.of("ip", "link", "set", hostEnd(n), "master", bridge()));
            commands.add(List.of("ip", "link", "set", hostEnd(n), "up"));
            commands.add(List.of("ip", "-n", ns, "addr", "add", nodeAddress(n) + "/24", "dev", inside));
            commands.add(List.of("ip", "-n", ns, "link", "set", inside, "up"));
            commands.add(List.of("ip", "-n", ns, "link", "set", "lo", "up"));
        }
        for (List<String> command : commands) {
            String failure = SystemCommand.run(command);
            if (failure != null) {
                return failure;
            }
        }
        return null;
    }

    private String namespace(int n) {
        return PREFIX + id + "-" + n;
    }

    private String bridge() {
        return "stb" + id;
    }

    private String hostEnd(int n) {
        return "stv" + id + "n" + n;
    }

    /** Namespaces and bridges of runs whose JVM is gone. */
    private static void removeLeftovers() {
        String listed = SystemCommand.output(List.of("ip", "netns", "list"));
        for (String line : listed.split("\n")) {
            String name = line.split(" ")[0];
            if (name.startsWith(PREFIX) && !alive(name.substring(PREFIX.length()).split("-")[0])) {
                SystemCommand.run(List.of("ip", "netns", "delete", name));
            }
        }
        for (String line : SystemCommand.output(List.of("ip", "-o", "link", "show", "type", "bridge")).split("\n")) {
            String[] fields = line.split(":\\s+");
            if (fields.length > 1 && fields[1].startsWith("stb") && !alive(fields[1].substring(3))) {
                SystemCommand.run(List.of("ip", "link", "delete", fields[1]));
            }
        }
    }

    /** Whether the JVM whose id (its pid and a run digit) named a namespace or bridge still runs. */
    private static boolean alive(String id) {
        if (id.length() < 2 || !id.chars().allMatch(Character::isDigit)) {
            return true; // not one of ours: leave it
        }
        return ProcessHandle.of(Long.parseLong(id.substring(0, id.length() - 1))).isPresent();
    }
}
