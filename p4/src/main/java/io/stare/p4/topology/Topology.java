package io.stare.p4.topology;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A network of STARE switches: switches with numbered front ports, point-to-point links between
 * switch ports, and hosts (servers running a middleware) attached to switch ports. Immutable; built
 * with {@link #builder()}, which refuses an inconsistent network with an
 * {@link IllegalArgumentException} naming the problem (unknown switch, port out of range, port used
 * twice, duplicate name).
 *
 * <p>Names are 1 to 64 characters from {@code [A-Za-z0-9_.-]}, unique across switches and hosts.
 * A switch has 1..{@value #MAX_PORTS} ports numbered from 0; a port carries at most one link or one
 * host. Several links between the same two switches are allowed (a spanning tree uses one).
 */
public final class Topology {

    /** The most ports a switch may have: port sets are 32-bit masks in the data plane. */
    public static final int MAX_PORTS = 32;

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    /**
     * A switch.
     *
     * @param name its name
     * @param ports its number of front ports, numbered 0..ports-1
     */
    public record Switch(String name, int ports) {
    }

    /**
     * One port of one switch, written {@code s1:2}.
     *
     * @param switchName the switch
     * @param port the port number
     */
    public record Endpoint(String switchName, int port) {
        public Endpoint {
            Objects.requireNonNull(switchName, "switchName");
        }

        @Override
        public String toString() {
            return switchName + ":" + port;
        }
    }

    /** A link between two switch ports. */
    public record Link(Endpoint a, Endpoint b) {
        public Link {
            Objects.requireNonNull(a, "a");
            Objects.requireNonNull(b, "b");
        }

        /** The far end seen from {@code end}. */
        public Endpoint other(Endpoint end) {
            if (end.equals(a)) {
                return b;
            }
            if (end.equals(b)) {
                return a;
            }
            throw new IllegalArgumentException(end + " is not an end of link " + this);
        }

        @Override
        public String toString() {
            return a + " <-> " + b;
        }
    }

    /**
     * A host attached to a switch port.
     *
     * @param name its name
     * @param attachment the switch port it is plugged into
     */
    public record Host(String name, Endpoint attachment) {
    }

    /** What is plugged into a switch port. */
    public sealed interface Attachment permits ToSwitch, ToHost {
    }

    /** A link to another switch; {@code peer} is the port at the far end. */
    public record ToSwitch(Link link, Endpoint peer) implements Attachment {
    }

    /** A host. */
    public record ToHost(Host host) implements Attachment {
    }

    private final Map<String, Switch> switches;
    private final List<Link> links;
    private final Map<String, Host> hosts;
    private final Map<String, SortedMap<Integer, Attachment>> attachments;

    private Topology(Builder builder) {
        this.switches = Collections.unmodifiableMap(new LinkedHashMap<>(builder.switches));
        this.links = List.copyOf(builder.links);
        this.hosts = Collections.unmodifiableMap(new LinkedHashMap<>(builder.hosts));
        Map<String, SortedMap<Integer, Attachment>> byPort = new HashMap<>();
        builder.attachments.forEach((name, ports) -> byPort.put(name, Collections.unmodifiableSortedMap(new TreeMap<>(ports))));
        this.attachments = Collections.unmodifiableMap(byPort);
    }

    /** A builder for a new topology. */
    public static Builder builder() {
        return new Builder();
    }

    /** The switches, in the order they were added. */
    public List<Switch> switches() {
        return List.copyOf(switches.values());
    }

    /** The links, in the order they were added. */
    public List<Link> links() {
        return links;
    }

    /** The hosts, in the order they were added. */
    public List<Host> hosts() {
        return List.copyOf(hosts.values());
    }

    /** Whether a switch of this name exists. */
    public boolean hasSwitch(String name) {
        return switches.containsKey(name);
    }

    /**
     * The switch of this name.
     *
     * @throws IllegalArgumentException if there is none
     */
    public Switch switchNamed(String name) {
        Switch found = switches.get(name);
        if (found == null) {
            throw new IllegalArgumentException("unknown switch '" + name + "'");
        }
        return found;
    }

    /**
     * The host of this name.
     *
     * @throws IllegalArgumentException if there is none
     */
    public Host hostNamed(String name) {
        Host found = hosts.get(name);
        if (found == null) {
            throw new IllegalArgumentException("unknown host '" + name + "'");
        }
        return found;
    }

    /** What each used port of a switch is plugged into, by port. */
    public SortedMap<Integer, Attachment> attachments(String switchName) {
        switchNamed(switchName);
        return attachments.getOrDefault(switchName, Collections.emptySortedMap());
    }

    /** What is plugged into one switch port, if anything. */
    public Optional<Attachment> attachment(Endpoint endpoint) {
        return Optional.ofNullable(attachments(endpoint.switchName()).get(endpoint.port()));
    }

    /** The hosts attached to one switch, by port. */
    public List<Host> hostsOf(String switchName) {
        List<Host> found = new ArrayList<>();
        for (Attachment attachment : attachments(switchName).values()) {
            if (attachment instanceof ToHost toHost) {
                found.add(toHost.host());
            }
        }
        return List.copyOf(found);
    }

    @Override
    public String toString() {
        return "Topology[" + switches.size() + " switches, " + links.size() + " links, " + hosts.size() + " hosts]";
    }

    /** Adds switches, then links and hosts between them; each call validates at once. */
    public static final class Builder {

        private final Map<String, Switch> switches = new LinkedHashMap<>();
        private final List<Link> links = new ArrayList<>();
        private final Map<String, Host> hosts = new LinkedHashMap<>();
        private final Map<String, Map<Integer, Attachment>> attachments = new HashMap<>();

        private Builder() {
        }

        /** Adds a switch with {@code ports} front ports (1..{@value #MAX_PORTS}). */
        public Builder addSwitch(String name, int ports) {
            checkNewName(name, "switch");
            if (ports < 1 || ports > MAX_PORTS) {
                throw new IllegalArgumentException(
                        "switch '" + name + "' has " + ports + " ports; a switch has 1.." + MAX_PORTS);
            }
            switches.put(name, new Switch(name, ports));
            return this;
        }

        /** Links port {@code portA} of switch {@code a} to port {@code portB} of switch {@code b}. */
        public Builder addLink(String a, int portA, String b, int portB) {
            Endpoint endA = checkFreePort(a, portA, "link");
            Endpoint endB = checkFreePort(b, portB, "link");
            Link link = new Link(endA, endB);
            if (a.equals(b)) {
                throw new IllegalArgumentException("link " + link + " connects switch '" + a + "' to itself");
            }
            links.add(link);
            attachments.computeIfAbsent(a, k -> new HashMap<>()).put(portA, new ToSwitch(link, endB));
            attachments.computeIfAbsent(b, k -> new HashMap<>()).put(portB, new ToSwitch(link, endA));
            return this;
        }

        /** Attaches host {@code name} to port {@code port} of switch {@code switchName}. */
        public Builder addHost(String name, String switchName, int port) {
            checkNewName(name, "host");
            Endpoint end = checkFreePort(switchName, port, "host '" + name + "'");
            Host host = new Host(name, end);
            hosts.put(name, host);
            attachments.computeIfAbsent(switchName, k -> new HashMap<>()).put(port, new ToHost(host));
            return this;
        }

        /** The topology built so far. */
        public Topology build() {
            return new Topology(this);
        }

        private void checkNewName(String name, String what) {
            if (name == null || !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException(
                        what + " name '" + name + "' is not 1 to 64 characters from [A-Za-z0-9_.-]");
            }
            if (switches.containsKey(name)) {
                throw new IllegalArgumentException("name '" + name + "' is already used by a switch");
            }
            if (hosts.containsKey(name)) {
                throw new IllegalArgumentException("name '" + name + "' is already used by a host");
            }
        }

        private Endpoint checkFreePort(String switchName, int port, String user) {
            Switch sw = switches.get(switchName);
            if (sw == null) {
                throw new IllegalArgumentException(user + " names unknown switch '" + switchName + "'");
            }
            Endpoint end = new Endpoint(switchName, port);
            if (port < 0 || port >= sw.ports()) {
                throw new IllegalArgumentException(user + " names port " + end + ", but switch '" + switchName
                        + "' has ports 0.." + (sw.ports() - 1));
            }
            Attachment taken = attachments.getOrDefault(switchName, Map.of()).get(port);
            if (taken instanceof ToSwitch toSwitch) {
                throw new IllegalArgumentException("port " + end + " is used twice: already by link " + toSwitch.link());
            }
            if (taken instanceof ToHost toHost) {
                throw new IllegalArgumentException(
                        "port " + end + " is used twice: already by host '" + toHost.host().name() + "'");
            }
            return end;
        }
    }
}
