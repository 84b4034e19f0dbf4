package io.stare.deploy.controller;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.stare.actors.controller.ControllerCluster;
import io.stare.actors.controller.ControllerSettings;
import io.stare.actors.controller.ControllerStatus;
import io.stare.actors.controller.ControllerStore;
import io.stare.actors.ingest.BacklogIngest;
import io.stare.actors.observability.ControllerMetrics;
import io.stare.deploy.cli.CliParsing;
import io.stare.deploy.cli.UserInputException;
import io.stare.deploy.cluster.Bootstrap;
import io.stare.deploy.cluster.ClusterNode;
import io.stare.deploy.cluster.ClusterTlsOption;
import io.stare.deploy.cluster.MemberLog;
import io.stare.deploy.observability.OperatorEndpoint;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code stare controller}: runs one replica controller node of a Pekko cluster until Ctrl-C or
 * {@code --duration}, then leaves the cluster gracefully. {@code stare controller status} shows a
 * running cluster.
 */
@Command(name = "controller", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run a replica controller node: a member of a Pekko cluster (actor system 'stare') with the "
                + "role replica-controller. The controller nodes share the states' backlogs (cluster sharding, one "
                + "backlog per state) and run the ID registry on the oldest of them (cluster singleton); middlewares "
                + "reach both from their own nodes. Start the first node without --seed; start more with --seed "
                + "pointing at a running one, and the backlogs spread over them.",
                "Backlogs and IDs are event-sourced in the store (--store), which all controller nodes of a "
                        + "cluster must share, with the same --namespace. The node prints one line when it is Up and "
                        + "one per membership change; on Ctrl-C or after --duration it leaves the cluster (its "
                        + "backlogs move to the other nodes) and stops.",
                "The reference default of stare.persistence.store, memory, suits tests and in-process use: its "
                        + "data dies with the process and other nodes cannot share it. This command defaults to "
                        + "h2-file (an H2 database file, shared by the nodes of one machine); use postgres for "
                        + "nodes on several machines (password from $STARE_POSTGRES_PASSWORD)."},
        subcommands = {ControllerStatusCommand.class})
public final class ControllerCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--host", paramLabel = "HOST", defaultValue = "${env:STARE_CLUSTER_HOST:-127.0.0.1}",
            description = "the address other nodes and middlewares reach this node at (default: $STARE_CLUSTER_HOST, "
                    + "else 127.0.0.1)")
    String host;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "${env:STARE_CLUSTER_PORT:-25520}",
            description = "the cluster (Artery TCP) port; 0 picks a free one (default: ${DEFAULT-VALUE})")
    int port;

    @Option(names = "--seed", paramLabel = "HOST:PORT",
            description = "a running node to join (repeatable; the first that answers is used). "
                    + "Without --seed this node starts a new cluster, unless $STARE_CLUSTER_BOOTSTRAP is "
                    + "kubernetes-api: then it finds the others through the Kubernetes API (docs/kubernetes.md)")
    List<String> seeds = new ArrayList<>();

    @Option(names = "--store", paramLabel = "memory|h2-file|postgres",
            description = "where backlogs and IDs are persisted (default: h2-file, or $STARE_PERSISTENCE_STORE)")
    String store;

    @Option(names = "--h2-path", paramLabel = "PATH",
            description = "h2-file: the database file, without .mv.db (default: data/stare-controller under the "
                    + "working directory, or $STARE_H2_PATH)")
    Path h2Path;

    @Option(names = "--postgres-url", paramLabel = "URL",
            description = "postgres: the JDBC URL (default: jdbc:postgresql://127.0.0.1:5432/test, "
                    + "or $STARE_POSTGRES_URL)")
    String postgresUrl;

    @Option(names = "--postgres-user", paramLabel = "USER",
            description = "postgres: the user (default: postgres, or $STARE_POSTGRES_USER); the password comes from "
                    + "$STARE_POSTGRES_PASSWORD")
    String postgresUser;

    @Option(names = "--postgres-schema", paramLabel = "SCHEMA",
            description = "postgres: the schema of the journal tables, created if missing (default: stare, "
                    + "or $STARE_POSTGRES_SCHEMA)")
    String postgresSchema;

    @Option(names = "--namespace", paramLabel = "NS",
            description = "prefix of every persistence ID, so deployments can share a database; every controller "
                    + "node of a cluster needs the same (default: stare, or $STARE_PERSISTENCE_NAMESPACE)")
    String namespace;

    @Option(names = "--metrics", paramLabel = "HOST:PORT",
            description = "serve the controller's status as Prometheus metrics at http://HOST:PORT/metrics (members, "
                    + "shards of this node and the others, ID counts, the backlogs of the first 100 states), with "
                    + "/ready and /alive (Pekko Management; ready once the node is Up)")
    String metrics;

    @Mixin
    ClusterTlsOption tls;

    @Option(names = "--duration", paramLabel = "DURATION", description = "leave the cluster and stop after this long, e.g. 30s or 5m "
            + "(default: until Ctrl-C)")
    String duration;

    @Override
    public Integer call() throws Exception {
        ClusterNode.port(port);
        List<String> seedNodes = ClusterNode.seeds(seeds);
        Optional<Duration> runFor = duration == null ? Optional.empty()
                : Optional.of(CliParsing.duration("--duration", duration));
        Optional<java.net.InetSocketAddress> metricsAt = metrics == null ? Optional.empty()
                : Optional.of(CliParsing.address("--metrics", metrics));
        Config overrides = tls.overrides().withFallback(overrides());
        if (metricsAt.isPresent()) {
            overrides = OperatorEndpoint.at(metricsAt.get(), true).withFallback(overrides);
        }
        Config config;
        try {
            String role = ControllerCluster.nodeConfig(host, port, seedNodes, List.of(), overrides)
                    .getString("stare.controller.role");
            config = ControllerStore.configure(ControllerCluster.nodeConfig(host, port, seedNodes, List.of(role),
                    overrides));
        } catch (IllegalArgumentException | com.typesafe.config.ConfigException e) {
            throw new UserInputException(e.getMessage());
        }
        ControllerSettings settings;
        try {
            settings = ControllerSettings.fromConfig(config);
        } catch (IllegalArgumentException | com.typesafe.config.ConfigException e) {
            throw new UserInputException("bad stare.controller settings: " + e.getMessage());
        }
        String storeLine = describeStore(config);
        Bootstrap.Mode bootstrap = Bootstrap.mode(config);
        Bootstrap.checkSeeds(bootstrap, seedNodes);
        Bootstrap.checkEndpoint(bootstrap, metricsAt.isPresent());

        PrintWriter out = spec.commandLine().getOut();
        ActorSystem<Void> system = ClusterNode.start(config, host, port);
        CompletableFuture<Void> up = new CompletableFuture<>();
        try {
            ClusterNode.sayGoodbye(system, out, up, "its backlogs recover on other nodes");
            org.apache.pekko.actor.typed.ActorRef<io.stare.actors.controller.ReplicaController.Command> router;
            try {
                router = ControllerCluster.start(system, settings, BacklogIngest::create).toCompletableFuture()
                        .get(60, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                throw new UserInputException("the store (" + storeLine + ") cannot be prepared: " + cause.getMessage());
            } catch (TimeoutException e) {
                throw new UserInputException("the store (" + storeLine + ") was not ready within 60 s");
            }
            String self = Cluster.get(system).selfMember().address().toString();
            system.systemActorOf(MemberLog.create(out, members -> "replica controller node " + self + " up; "
                    + storeLine + "; members: " + members, up), "stare-member-log", Props.empty());
            if (bootstrap == Bootstrap.Mode.KUBERNETES_API || metricsAt.isPresent()) {
                java.net.InetSocketAddress endpoint = OperatorEndpoint.start(system,
                        () -> ControllerStatus.collect(system, router, 100, Duration.ofSeconds(5))
                                .thenApply(ControllerMetrics::snapshots),
                        up::isDone, Duration.ofSeconds(30));
                synchronized (out) {
                    out.println("metrics at " + OperatorEndpoint.describe(endpoint));
                    out.flush();
                }
            }
            if (bootstrap == Bootstrap.Mode.KUBERNETES_API) {
                Bootstrap.start(system);
                synchronized (out) {
                    out.println("finding " + Bootstrap.describeDiscovery(config));
                    out.flush();
                }
            } else if (seedNodes.isEmpty()) {
                Cluster.get(system).manager().tell(Join.create(Cluster.get(system).selfMember().address()));
            }
            CompletableFuture<?> terminated = system.getWhenTerminated().toCompletableFuture();
            long deadline = runFor.map(d -> System.nanoTime() + d.toNanos()).orElse(Long.MAX_VALUE);
            try {
                CompletableFuture.anyOf(up, terminated).get(Math.min(5_000, remainingMillis(deadline)),
                        TimeUnit.MILLISECONDS);
            } catch (TimeoutException stillJoining) {
                if (remainingMillis(deadline) > 0) {
                    synchronized (out) {
                        out.println(self + " is still joining; waiting for " + (bootstrap == Bootstrap.Mode.SEEDS
                                ? "a seed node to answer: " + String.join(", ", seedNodes)
                                : Bootstrap.describeDiscovery(config)));
                        out.flush();
                    }
                }
            }
            try {
                terminated.get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
            } catch (TimeoutException elapsed) {
                synchronized (out) {
                    out.println("stopping after " + duration + ": leaving the cluster");
                    out.flush();
                }
            }
        } finally {
            ClusterNode.leave(system, CoordinatedShutdown.jvmExitReason(), Duration.ofSeconds(60));
        }
        return 0;
    }

    private static long remainingMillis(long deadline) {
        if (deadline == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        return Math.max(0, (deadline - System.nanoTime()) / 1_000_000);
    }

    /** The flags as configuration: only what was given, over the environment's and the defaults. */
    private Config overrides() {
        Map<String, Object> values = new HashMap<>();
        String storeName = store != null ? store : envOr("STARE_PERSISTENCE_STORE", "h2-file");
        try {
            values.put("stare.persistence.store", ControllerStore.Kind.parse(storeName).configName());
        } catch (IllegalArgumentException e) {
            throw new UserInputException("--store must be memory, h2-file or postgres, not '" + storeName + "'");
        }
        String ns = namespace != null ? namespace : envOr("STARE_PERSISTENCE_NAMESPACE", "stare");
        if (ns.isBlank()) {
            throw new UserInputException("--namespace must not be empty");
        }
        values.put("stare.persistence.namespace", ns.trim());
        if (h2Path != null) {
            values.put("stare.persistence.h2-file.path", h2Path.toString());
        }
        if (postgresUrl != null) {
            values.put("stare.persistence.postgres.url", postgresUrl);
        }
        if (postgresUser != null) {
            values.put("stare.persistence.postgres.user", postgresUser);
        }
        if (postgresSchema != null) {
            values.put("stare.persistence.postgres.schema", postgresSchema);
        }
        return ConfigFactory.parseMap(values).withFallback(ConfigFactory.defaultApplication());
    }

    private static String envOr(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    /** "store h2-file (data/stare-controller), namespace stare". */
    static String describeStore(Config config) {
        Config p = config.getConfig("stare.persistence");
        ControllerStore.Kind kind = ControllerStore.kind(config);
        String where = switch (kind) {
            case H2_FILE -> " (" + p.getString("h2-file.path") + ")";
            case POSTGRES -> " (" + p.getString("postgres.url") + ", schema " + p.getString("postgres.schema") + ")";
            default -> "";
        };
        return "store " + kind.configName() + where + ", namespace " + p.getString("namespace");
    }
}
