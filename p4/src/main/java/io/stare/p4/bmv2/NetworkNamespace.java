package io.stare.p4.bmv2;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A network namespace of our own with veth pairs in it: switch port {@code i} is interface
 * {@code vsI} (given to BMv2), its peer {@code vhI} is where frames are sent and captured.
 * Nothing in it has an address and IPv6 is off, so the kernel sends no traffic of its own into the
 * switch; the namespace's loopback stays down. Deleting the namespace deletes the veths.
 */
public final class NetworkNamespace implements AutoCloseable {

    private static final AtomicInteger COUNT = new AtomicInteger();

    private final String name;
    private final int ports;
    private final Cleanup.Handle cleanup;

    private NetworkNamespace(String name, int ports) {
        this.name = name;
        this.ports = ports;
        this.cleanup = Cleanup.register(this::delete);
    }

    /** Creates {@code stare-bmv2-PID-N} with {@code ports} veth pairs, up, IPv6 off. */
    public static NetworkNamespace create(int ports) throws IOException {
        String name = "stare-bmv2-" + ProcessHandle.current().pid() + "-" + COUNT.incrementAndGet();
        Host.run(10, "ip", "netns", "add", name);
        NetworkNamespace namespace = new NetworkNamespace(name, ports);
        try {
            namespace.exec(10, "sysctl", "-q", "-w", "net.ipv6.conf.all.disable_ipv6=1",
                    "net.ipv6.conf.default.disable_ipv6=1");
            for (int port = 0; port < ports; port++) {
                Host.run(10, "ip", "-n", name, "link", "add", switchSide(port), "type", "veth",
                        "peer", "name", testSide(port));
                for (String side : List.of(switchSide(port), testSide(port))) {
                    namespace.exec(10, "sysctl", "-q", "-w", "net.ipv6.conf." + side + ".disable_ipv6=1");
                    Host.run(10, "ip", "-n", name, "link", "set", side, "up");
                }
            }
        } catch (IOException | RuntimeException e) {
            namespace.close();
            throw e;
        }
        return namespace;
    }

    public String name() {
        return name;
    }

    public int ports() {
        return ports;
    }

    /** The interface BMv2 gets as port {@code port}. */
    static String switchSide(int port) {
        return "vs" + port;
    }

    /** The peer of port {@code port}'s interface, where the test's frames go in and out. */
    static String testSide(int port) {
        return "vh" + port;
    }

    /** {@code ip netns exec NAME} followed by {@code command}. */
    List<String> inside(List<String> command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
        full.addAll(command);
        return full;
    }

    /** Runs a short command inside the namespace. */
    String exec(int seconds, String... command) throws IOException {
        return Host.run(seconds, inside(List.of(command)).toArray(String[]::new));
    }

    @Override
    public void close() {
        cleanup.run();
    }

    private void delete() {
        try {
            Host.run(10, "ip", "netns", "delete", name);
        } catch (IOException e) {
            System.err.println("stare-bmv2: cannot delete network namespace " + name + ": " + e.getMessage());
        }
    }
}
