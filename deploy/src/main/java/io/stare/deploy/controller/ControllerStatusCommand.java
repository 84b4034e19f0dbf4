package io.stare.deploy.controller;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.stare.actors.controller.ControllerCluster;
import io.stare.actors.controller.ControllerSettings;
import io.stare.actors.controller.ControllerStatus;
import io.stare.actors.controller.ReplicaController;
import io.stare.actors.controller.StateBacklog;
import io.stare.deploy.cli.CliParsing;
import io.stare.deploy.cli.UserInputException;
import io.stare.deploy.cluster.ClusterNode;
import io.stare.deploy.cluster.ClusterTlsOption;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code stare controller status}: joins a running controller cluster as a temporary member that
 * hosts nothing, prints its members, shards, ID counts and largest backlogs, and leaves.
 */
@Command(name = "status", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Show a running replica controller cluster: its members (and which controller node runs the "
                + "ID registry), the backlog shards on each controller node, how many VNF and state IDs are "
                + "assigned, and the backlogs of the first --limit states, largest first.",
                "It joins the cluster for a moment as a member with the role " + ControllerStatusCommand.ROLE
                        + ", which hosts nothing and does not count in the split-brain vote, and leaves when done. "
                        + "The cluster must be able to reach it back at --host. Every question is bounded by "
                        + "--timeout; a part that does not answer in time is reported as such."})
public final class ControllerStatusCommand implements Callable<Integer> {

    /** The role of the status client's temporary cluster member. */
    static final String ROLE = "stare-cli";

    @Spec
    CommandSpec spec;

    @Option(names = "--seed", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:25520",
            description = "a node of the cluster (repeatable; the first that answers is used) (default: "
                    + "${DEFAULT-VALUE})")
    List<String> seeds = new ArrayList<>();

    @Option(names = "--host", paramLabel = "HOST", description = "the address the cluster reaches this client at (default: this "
            + "machine's address on the route to the first seed; 127.0.0.1 for a local cluster)")
    String host;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "20",
            description = "ask the backlogs of states 0..N-1 (state IDs are assigned from 0) and list them largest "
                    + "first; 0 lists none (default: ${DEFAULT-VALUE})")
    int limit;

    @Mixin
    ClusterTlsOption tls;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10s",
            description = "bound on joining the cluster and on each question asked (default: ${DEFAULT-VALUE})")
    String timeout;

    @Override
    public Integer call() throws Exception {
        List<String> seedNodes = ClusterNode.seeds(seeds);
        if (seedNodes.isEmpty()) {
            throw new UserInputException("--seed is required: a node of the cluster, HOST:PORT");
        }
        if (limit < 0) {
            throw new UserInputException("--limit must be 0 or more, not " + limit);
        }
        Duration bound = CliParsing.duration("--timeout", timeout);
        if (bound.isZero()) {
            throw new UserInputException("--timeout must be longer than 0");
        }
        String self = host != null ? host : ClusterNode.localAddressTowards(seedNodes.get(0));
        // This member only asks: quiet (a failed join is our one line, not Pekko's warnings).
        Config overrides = tls.overrides().withFallback(ConfigFactory.parseString("""
                pekko.loglevel = ERROR
                pekko.log-dead-letters = off
                pekko.cluster.log-info = off
                pekko.cluster.jmx.enabled = off
                pekko.coordinated-shutdown.terminate-actor-system = on
                """));
        Config config = ControllerCluster.nodeConfig(self, 0, seedNodes, List.of(ROLE), overrides);

        PrintWriter out = spec.commandLine().getOut();
        ActorSystem<Void> system = ClusterNode.start(config, self, 0);
        try {
            awaitUp(system, bound, seedNodes, self);
            ActorRef<ReplicaController.Command> router = ControllerCluster.start(system,
                    ControllerSettings.fromConfig(config)).toCompletableFuture().get(bound.toMillis(),
                    TimeUnit.MILLISECONDS);
            ControllerStatus.Report report = ControllerStatus.collect(system, router, limit, bound)
                    .toCompletableFuture().get(bound.toMillis() * 2 + 5_000, TimeUnit.MILLISECONDS);
            StatusTables.print(out, report, limit);
            out.flush();
        } finally {
            ClusterNode.leave(system, CoordinatedShutdown.clusterLeavingReason(), bound.plusSeconds(10));
        }
        return 0;
    }

    /** Waits until this member is Up (or WeaklyUp, when a node is unreachable), at most {@code bound}. */
    private static void awaitUp(ActorSystem<?> system, Duration bound, List<String> seeds, String self)
            throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (System.nanoTime() < deadline) {
            MemberStatus status = Cluster.get(system).selfMember().status();
            if (status == MemberStatus.up() || status == MemberStatus.weaklyUp()) {
                return;
            }
            Thread.sleep(50);
        }
        throw new UserInputException("no seed node answered within " + ClusterNode.human(bound) + " ("
                + String.join(", ", seeds) + "); is `stare controller` running there, and can it reach this "
                + "client at " + self + " (--host)?");
    }

    /** Renders a report as aligned tables. */
    static final class StatusTables {

        private StatusTables() {
        }

        static void print(PrintWriter out, ControllerStatus.Report report, int limit) {
            out.println("members (" + report.members().size() + ")");
            Table members = new Table(false, false, false, false, false);
            members.row("address", "status", "reachable", "roles", "");
            for (ControllerStatus.MemberInfo m : report.members()) {
                String note = m.oldestController() ? "oldest controller: runs the ID registry"
                        : m.self() ? "this status client" : "";
                members.row(m.address(), m.status(), m.reachable() ? "yes" : "NO",
                        m.roles().isEmpty() ? "-" : String.join(",", m.roles()), note);
            }
            members.print(out);

            out.println();
            out.println("backlog shards per controller node");
            List<ControllerStatus.NodeShards> nodes = report.shards();
            if (nodes.isEmpty()) {
                out.println("  no controller node is a member");
            } else {
                Table shards = new Table(false, true, true, false);
                shards.row("node", "shards", "backlogs", "");
                int totalShards = 0;
                int totalEntities = 0;
                for (ControllerStatus.NodeShards n : nodes) {
                    if (n.problem().isPresent()) {
                        shards.row(n.address(), "?", "?", n.problem().get());
                        continue;
                    }
                    totalShards += n.shards();
                    totalEntities += n.entities();
                    shards.row(n.address(), Integer.toString(n.shards()), Integer.toString(n.entities()),
                            n.failedShards().isEmpty() ? "" : n.failedShards().size() + " shards did not answer: "
                                    + String.join(",", n.failedShards()));
                }
                shards.row("total", Integer.toString(totalShards), Integer.toString(totalEntities), "");
                shards.print(out);
            }

            out.println();
            if (report.registry().isPresent()) {
                out.println("ID registry: " + report.registry().get().vnfs() + " VNF IDs, "
                        + report.registry().get().states() + " state IDs assigned");
            } else {
                out.println("ID registry: " + report.registryProblem().orElse("no answer"));
            }

            out.println();
            if (report.registry().isEmpty()) {
                out.println("backlogs: not asked (the state count is unknown)");
            } else if (report.backlogsAsked() == 0) {
                out.println(limit == 0 ? "backlogs: none asked (--limit 0)" : "backlogs: none (no state declared)");
            } else {
                int states = report.registry().get().states();
                out.println("backlogs of states 0.." + (report.backlogsAsked() - 1) + " of " + states
                        + ", largest first" + (states > report.backlogsAsked() ? " (raise --limit for more)" : ""));
                Table backlogs = new Table(true, true, true, true, true, true, true, true, true, true);
                backlogs.row("state", "publisher", "updates", "segments", "bytes", "horizon", "latest",
                        "subscribers", "resync", "evicted");
                for (StateBacklog.Status b : report.backlogs()) {
                    backlogs.row(Integer.toString(b.stateId()),
                            b.publisherVnfId() < 0 ? "-" : Integer.toString(b.publisherVnfId()),
                            Integer.toString(b.updates()), Long.toString(b.segments()), Long.toString(b.bytes()),
                            Long.toString(b.horizon()), b.latest() < 0 ? "-" : Long.toString(b.latest()),
                            Integer.toString(b.subscribers()), Integer.toString(b.needResync()),
                            Long.toString(b.evictedByCap()));
                }
                backlogs.print(out);
                if (!report.backlogsUnanswered().isEmpty()) {
                    out.println("no answer from the backlogs of states " + report.backlogsUnanswered());
                }
            }
            if (!report.complete()) {
                out.println();
                out.println("status is partial: some parts did not answer in time (see above)");
            }
        }
    }

    /** Columns padded to their widest cell, two spaces apart; numeric columns right-aligned. */
    static final class Table {
        private final boolean[] right;
        private final List<String[]> rows = new ArrayList<>();

        Table(boolean... right) {
            this.right = right;
        }

        void row(String... cells) {
            rows.add(cells);
        }

        void print(PrintWriter out) {
            int[] width = new int[right.length];
            for (String[] row : rows) {
                for (int i = 0; i < row.length; i++) {
                    width[i] = Math.max(width[i], row[i].length());
                }
            }
            for (String[] row : rows) {
                StringBuilder line = new StringBuilder();
                for (int i = 0; i < row.length; i++) {
                    boolean last = i == row.length - 1;
                    String cell = row[i];
                    if (right[i]) {
                        line.append(" ".repeat(width[i] - cell.length())).append(cell);
                    } else {
                        line.append(cell);
                        if (!last) {
                            line.append(" ".repeat(width[i] - cell.length()));
                        }
                    }
                    if (!last) {
                        line.append("  ");
                    }
                }
                out.println(line.toString().stripTrailing());
            }
        }
    }
}
