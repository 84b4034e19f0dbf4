package io.stare.deploy.topology;

import io.stare.deploy.cli.CliParsing;
import io.stare.deploy.cli.UserInputException;
import io.stare.p4.topology.SpanningTree;
import io.stare.p4.topology.Topology;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code stare topology}: reads topology files; {@code show} prints one and its distribution tree. */
@Command(name = "topology", mixinStandardHelpOptions = true,
        description = "Read a topology file (the format of stare softswitch --topology).",
        subcommands = TopologyCommand.Show.class)
public final class TopologyCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code stare topology show FILE}. */
    @Command(name = "show", mixinStandardHelpOptions = true,
            description = {"Print the switches, links and hosts of a topology file, and the distribution tree "
                    + "STARE uses on it: the spanning tree the switch agents program (rooted at the switch whose "
                    + "name sorts first, unless --root), each switch's tree ports and parent, and the links left "
                    + "off the tree.",
                    "The file format: 'switch NAME ports N', 'link A:i B:j', 'host NAME S:k', # comments."})
    static final class Show implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "the topology file")
        Path file;

        @Option(names = "--root", description = "the tree's root switch (default: the first name in sort order)")
        String root;

        @Override
        public Integer call() {
            Topology topology = CliParsing.topology(file);
            SpanningTree tree;
            try {
                tree = root == null ? SpanningTree.of(topology) : SpanningTree.of(topology, root);
            } catch (IllegalArgumentException e) {
                throw new UserInputException(file + ": " + e.getMessage());
            }
            spec.commandLine().getOut().print(render(topology, tree));
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

    /** The text {@code show} prints. */
    static String render(Topology topology, SpanningTree tree) {
        StringBuilder out = new StringBuilder();
        out.append(String.format("%d switches, %d links, %d hosts%n", topology.switches().size(),
                topology.links().size(), topology.hosts().size()));
        out.append(String.format("%nswitches%n"));
        for (Topology.Switch sw : topology.switches()) {
            List<String> ports = new ArrayList<>();
            for (Map.Entry<Integer, Topology.Attachment> port : topology.attachments(sw.name()).entrySet()) {
                String peer = port.getValue() instanceof Topology.ToHost toHost ? toHost.host().name()
                        : ((Topology.ToSwitch) port.getValue()).peer().toString();
                ports.add(port.getKey() + "->" + peer);
            }
            out.append(String.format("  %-12s %2d ports  %s%n", sw.name(), sw.ports(),
                    ports.isEmpty() ? "(nothing attached)" : String.join("  ", ports)));
        }
        out.append(String.format("%nlinks%n"));
        for (Topology.Link link : topology.links()) {
            out.append(String.format("  %-28s %s%n", link, tree.contains(link) ? "tree" : "off the tree"));
        }
        out.append(String.format("%nhosts%n"));
        for (Topology.Host host : topology.hosts()) {
            out.append(String.format("  %-12s at %s%n", host.name(), host.attachment()));
        }
        out.append(String.format("%ndistribution tree (root %s)%n", tree.root()));
        appendSubtree(out, topology, tree, tree.root(), "  ");
        out.append(String.format("%n%-12s %-14s %s%n", "switch", "parent port", "tree ports"));
        for (Topology.Switch sw : topology.switches()) {
            out.append(String.format("%-12s %-14s %s%n", sw.name(),
                    tree.parentPort(sw.name()).map(Object::toString).orElse("(root)"), ports(tree.treePorts(sw.name()))));
        }
        return out.toString();
    }

    private static void appendSubtree(StringBuilder out, Topology topology, SpanningTree tree, String node,
                                      String indent) {
        List<String> hosts = topology.hostsOf(node).stream().map(Topology.Host::name).toList();
        out.append(indent).append(node).append(hosts.isEmpty() ? "" : "  hosts " + String.join(", ", hosts))
                .append(System.lineSeparator());
        for (Topology.Link link : tree.links()) {
            Topology.Endpoint child = link.a().switchName().equals(node) ? link.b()
                    : link.b().switchName().equals(node) ? link.a() : null;
            if (child != null && tree.parentPort(child.switchName()).map(p -> p.equals(child)).orElse(false)) {
                appendSubtree(out, topology, tree, child.switchName(), indent + "  ");
            }
        }
    }

    private static String ports(long mask) {
        List<String> ports = new ArrayList<>();
        for (int port = 0; port < 64; port++) {
            if ((mask & (1L << port)) != 0) {
                ports.add(Integer.toString(port));
            }
        }
        return ports.isEmpty() ? "-" : String.join(",", ports);
    }
}
