package io.stare.bench.backlog;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.stare.actors.controller.ControllerCluster;
import io.stare.actors.controller.ControllerSettings;
import io.stare.actors.controller.ControllerStore;
import io.stare.actors.controller.ReplicaController;
import io.stare.actors.controller.StateBacklog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery;
import org.apache.pekko.cluster.sharding.typed.GetClusterShardingStats;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/**
 * One repetition's cluster: {@code controllers} replica-controller nodes and, unless the driver
 * runs on the first of them, a middleware node for the driver, all ActorSystems in this JVM on
 * 127.0.0.1 with ephemeral Artery ports, sharing one store that is fresh for this repetition and
 * removed by {@link #close()}: a uniquely named H2 in-memory database, an H2 file in a temporary
 * directory, or a PostgreSQL schema {@code stare_bench_<random>}.
 */
final class BenchCluster implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(60);
    static final String CONTROLLER_ROLE = "replica-controller";

    private final ControllerStore.Kind store;
    private final List<ActorSystem<Void>> controllers = new ArrayList<>();
    private final List<ActorSystem<Void>> all = new ArrayList<>();
    private ActorSystem<Void> driverNode;
    private ActorRef<ReplicaController.Command> driverRouter;
    private final String memoryUrl;
    private final Path h2Dir;
    private final Config postgres;

    private BenchCluster(ControllerStore.Kind store, String memoryUrl, Path h2Dir, Config postgres) {
        this.store = store;
        this.memoryUrl = memoryUrl;
        this.h2Dir = h2Dir;
        this.postgres = postgres;
    }

    /**
     * Starts the nodes, forms the cluster, starts the controller on every node (one after the
     * other, so only the first creates the tables) and waits until every controller node's shard
     * region answers.
     */
    static BenchCluster start(ControllerStore.Kind store, int controllerCount, BacklogIngestion.Driver driver,
                              ControllerSettings settings, String run) throws Exception {
        String storeConfig;
        String memoryUrl = null;
        Path h2Dir = null;
        switch (store) {
            case MEMORY -> {
                memoryUrl = "jdbc:h2:mem:stare-bench-" + run;
                storeConfig = "stare.persistence.store = memory\n"
                        + "pekko-persistence-jdbc.shared-databases.slick.db.url = \"" + memoryUrl
                        + ";DB_CLOSE_DELAY=-1\"\n";
            }
            case H2_FILE -> {
                h2Dir = Files.createTempDirectory("stare-bench-h2-");
                storeConfig = "stare.persistence.store = h2-file\n"
                        + "stare.persistence.h2-file.path = " + ConfigValueFactory.fromAnyRef(
                        h2Dir.resolve("backlog").toString()).render() + "\n";
            }
            default -> storeConfig = "stare.persistence.store = postgres\n"
                    + "stare.persistence.postgres.schema = " + postgresSchema(run) + "\n";
        }
        Config common = ConfigFactory.parseString(storeConfig + """
                stare.persistence.namespace = "bench-%s"
                # Errors only: stopping a whole cluster at once logs aborted connections as warnings.
                pekko.loglevel = ERROR
                # Regions register with the coordinator quickly, so shards spread over every node.
                pekko.cluster.sharding.retry-interval = 500ms
                pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
                pekko.coordinated-shutdown.phases.cluster-exiting.timeout = 2s
                pekko.coordinated-shutdown.phases.cluster-sharding-shutdown-region.timeout = 2s
                """.formatted(run));
        Config postgres = store == ControllerStore.Kind.POSTGRES
                ? nodeConfig(List.of(), common).getConfig("stare.persistence") : null;
        BenchCluster cluster = new BenchCluster(store, memoryUrl, h2Dir, postgres);
        try {
            for (int i = 0; i < controllerCount; i++) {
                ActorSystem<Void> node = ActorSystem.create(Behaviors.empty(), "stare",
                        nodeConfig(List.of(CONTROLLER_ROLE), common));
                cluster.controllers.add(node);
                cluster.all.add(node);
            }
            if (driver == BacklogIngestion.Driver.SEPARATE) {
                cluster.driverNode = ActorSystem.create(Behaviors.empty(), "stare",
                        nodeConfig(List.of("middleware"), common));
                cluster.all.add(cluster.driverNode);
            } else {
                cluster.driverNode = cluster.controllers.get(0);
            }
            Address seed = Cluster.get(cluster.all.get(0)).selfMember().address();
            for (ActorSystem<Void> node : cluster.all) {
                Cluster.get(node).manager().tell(Join.create(seed));
            }
            cluster.awaitUp();
            for (ActorSystem<Void> node : cluster.all) {
                ActorRef<ReplicaController.Command> router = ControllerCluster.start(node, settings)
                        .toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
                if (node == cluster.driverNode) {
                    cluster.driverRouter = router;
                }
            }
            cluster.awaitRegions();
            return cluster;
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    private static Config nodeConfig(List<String> roles, Config common) {
        return ControllerStore.configure(ControllerCluster.nodeConfig("127.0.0.1", 0, List.of(), roles, common));
    }

    static String postgresSchema(String run) {
        return "stare_bench_" + run;
    }

    /**
     * Why PostgreSQL cannot be used (as the configuration, with its {@code STARE_POSTGRES_*}
     * environment variables, points at it), or null when a connection opens.
     */
    static String postgresUnreachable() {
        Config p = ControllerCluster.nodeConfig("127.0.0.1", 0, List.of(), List.of(), ConfigFactory.empty())
                .getConfig("stare.persistence.postgres");
        try (Connection c = postgresConnection(p)) {
            return null;
        } catch (SQLException e) {
            return "PostgreSQL at " + p.getString("url") + " is unreachable: " + oneLine(e.getMessage());
        }
    }

    private static Connection postgresConnection(Config p) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", p.getString("user"));
        props.setProperty("password", p.getString("password"));
        props.setProperty("connectTimeout", "3");
        props.setProperty("loginTimeout", "3");
        return DriverManager.getConnection(p.getString("url"), props);
    }

    static String oneLine(String message) {
        return message == null ? "" : message.replaceAll("\\s+", " ").trim();
    }

    ActorSystem<Void> driverNode() {
        return driverNode;
    }

    ActorRef<ReplicaController.Command> driverRouter() {
        return driverRouter;
    }

    private void awaitUp() throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            boolean allUp = true;
            for (ActorSystem<Void> observer : all) {
                long up = 0;
                for (var member : Cluster.get(observer).state().getMembers()) {
                    if (member.status() == MemberStatus.up()) {
                        up++;
                    }
                }
                allUp &= up == all.size();
            }
            if (allUp) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("the cluster of " + all.size() + " nodes did not form within " + WAIT);
    }

    /** Waits until every controller node's shard region answers, then a little for registration. */
    private void awaitRegions() throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (shardingStats().getRegions().keySet().containsAll(addresses())) {
                Thread.sleep(1_000);
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the shard regions of " + controllers.size()
                + " controller nodes did not all start within " + WAIT);
    }

    private List<Address> addresses() {
        return controllers.stream().map(node -> Cluster.get(node).selfMember().address()).toList();
    }

    /** Asked of the first controller node: a proxy-only node answers with no regions at all. */
    private ShardRegion.ClusterShardingStats shardingStats() throws Exception {
        ActorSystem<Void> first = controllers.get(0);
        return AskPattern.<ClusterShardingQuery, ShardRegion.ClusterShardingStats>ask(
                        ClusterSharding.get(first).shardState(),
                        replyTo -> new GetClusterShardingStats(StateBacklog.TYPE_KEY, Duration.ofSeconds(3), replyTo),
                        Duration.ofSeconds(5), first.scheduler())
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** How many states' backlogs each controller node hosts, in start order: "6/5/5". */
    String statesPerNode() {
        try {
            Map<Address, ShardRegion.ShardRegionStats> regions = shardingStats().getRegions();
            List<String> counts = new ArrayList<>();
            for (Address address : addresses()) {
                ShardRegion.ShardRegionStats region = regions.get(address);
                counts.add(region == null ? "?"
                        : Integer.toString(region.getStats().values().stream().mapToInt(n -> ((Number) n).intValue()).sum()));
            }
            return String.join("/", counts);
        } catch (Exception e) {
            return "?";
        }
    }

    /** Stops every node at once, then removes the repetition's store. */
    @Override
    public void close() throws Exception {
        List<CompletableFuture<?>> done = new ArrayList<>();
        for (ActorSystem<Void> node : all) {
            node.terminate();
            done.add(node.getWhenTerminated().toCompletableFuture());
        }
        try {
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } finally {
            all.clear();
            controllers.clear();
            dropStore();
        }
    }

    private void dropStore() throws SQLException, IOException {
        switch (store) {
            case MEMORY -> {
                try (Connection c = DriverManager.getConnection(memoryUrl, "sa", "");
                     Statement s = c.createStatement()) {
                    s.execute("SHUTDOWN");
                }
            }
            case H2_FILE -> {
                try (Stream<Path> files = Files.walk(h2Dir)) {
                    for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(f);
                    }
                }
            }
            default -> {
                try (Connection c = postgresConnection(postgres.getConfig("postgres"));
                     Statement s = c.createStatement()) {
                    s.execute("DROP SCHEMA IF EXISTS " + postgres.getString("postgres.schema") + " CASCADE");
                }
            }
        }
    }
}
