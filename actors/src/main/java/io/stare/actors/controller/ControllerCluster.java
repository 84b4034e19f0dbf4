package io.stare.actors.controller;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.ClusterSingletonSettings;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * The replica controller as a Pekko Cluster application. Nodes with the role
 * {@code stare.controller.role} ({@code replica-controller}) host it:
 * <ul>
 *   <li>one {@link StateBacklog} entity per state, spread over them by cluster sharding (entity ID
 *       = state ID), moved to another node when one leaves or fails, recovered from the journal
 *       there;</li>
 *   <li>the {@link IdRegistry} as a cluster singleton on the oldest of them.</li>
 * </ul>
 * Every node, with the role or not (a middleware's node), runs a {@link ReplicaController} router
 * that reaches both through sharding and singleton proxies; {@link #start} returns it. Adding
 * controller nodes spreads the shards over more nodes: that is how the controller scales.
 */
public final class ControllerCluster {

    private ControllerCluster() {
    }

    /**
     * A cluster node's whole configuration, most important first: the arguments here, system
     * properties, {@code overrides} (flags, a test's settings), {@code application.conf},
     * {@code stare-cluster.conf} (the cluster provider, the split-brain resolver keeping the
     * majority of controller nodes, sharding timeouts, a frame size that fits a batch of
     * segments) and the modules' {@code reference.conf}.
     *
     * @param host the address other nodes reach this one at
     * @param port the Artery port, 0 for any free one
     * @param seeds seed-node addresses {@code pekko://stare@host:port}; empty: join later in code
     * @param roles this node's roles ({@code replica-controller} to host backlogs)
     * @param overrides settings that win over the configuration files (without reference.conf)
     */
    public static Config nodeConfig(String host, int port, List<String> seeds, List<String> roles, Config overrides) {
        return ClusterTls.apply(ConfigFactory.empty()
                .withValue("pekko.remote.artery.canonical.hostname", ConfigValueFactory.fromAnyRef(host))
                .withValue("pekko.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(port))
                .withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(seeds))
                .withValue("pekko.cluster.roles", ConfigValueFactory.fromIterable(roles))
                .withFallback(ConfigFactory.systemProperties())
                .withFallback(overrides)
                .withFallback(ConfigFactory.defaultApplication())
                .withFallback(ConfigFactory.parseResources("stare-cluster.conf"))
                .withFallback(ConfigFactory.defaultReference())
                .resolve());
    }

    /**
     * Starts this node's part of the controller, with no data-plane ingest, and returns its router:
     * for nodes that host no backlog (a middleware's) or take updates by Append only.
     *
     * @throws IllegalStateException (in the stage) if the node hosts backlogs and its configuration
     *     asks for the data-plane ingest, which only {@link #start(ActorSystem, ControllerSettings,
     *     DataPlaneIngest.Factory)} can start
     */
    public static CompletionStage<ActorRef<ReplicaController.Command>> start(ActorSystem<?> system,
                                                                            ControllerSettings settings) {
        return start(system, settings, (node, backlogs) -> {
            throw new IllegalStateException("stare.controller.ingest.mode = data-plane, but this node was started "
                    + "without a data-plane ingest (start it with the stare controller command, or with "
                    + "ControllerCluster.start(system, settings, BacklogIngest::create))");
        });
    }

    /**
     * Starts this node's part of the controller and returns its router. A controller node first
     * creates the journal tables if needed ({@link ControllerStore#prepare}).
     *
     * @param system a cluster member (see {@link #nodeConfig}); it need not have joined yet
     * @param ingest makes the node's data-plane ingest, used when the node hosts backlogs and
     *     stare.controller.ingest.mode = data-plane
     */
    public static CompletionStage<ActorRef<ReplicaController.Command>> start(ActorSystem<?> system,
                                                                            ControllerSettings settings,
                                                                            DataPlaneIngest.Factory ingest) {
        Config config = system.settings().config();
        String role = config.getString("stare.controller.role");
        String configured = config.getString("stare.persistence.namespace").trim();
        // All nodes must agree: no random namespace in a cluster, whatever the store.
        String namespace = configured.isEmpty() ? "stare" : configured;
        boolean hostsEntities = config.getStringList("pekko.cluster.roles").contains(role);
        if (hostsEntities && ControllerStore.kind(config) == ControllerStore.Kind.MEMORY) {
            // Each process has its own in-memory database: a backlog moving to another process starts empty.
            org.slf4j.LoggerFactory.getLogger(ControllerCluster.class).warn("The replica controller's store is "
                    + "'memory': backlogs and IDs are lost when they move to a node in another process or the "
                    + "process stops; use h2-file or postgres for a cluster of several processes");
        }
        CompletionStage<?> ready = hostsEntities ? ControllerStore.prepare(system)
                : CompletableFuture.completedFuture(null);
        return ready.thenApply(prepared -> {
            ClusterSharding sharding = ClusterSharding.get(system);
            DataPlaneIngest follow = hostsEntities && dataPlaneIngest(config)
                    ? ingest.create(system,
                            stateId -> sharding.entityRefFor(StateBacklog.TYPE_KEY, Integer.toString(stateId)))
                    : DataPlaneIngest.NONE;
            sharding.init(Entity.of(StateBacklog.TYPE_KEY, entity -> {
                int stateId = Integer.parseInt(entity.getEntityId());
                return StateBacklog.create(stateId, settings, StateBacklog.persistenceId(namespace, stateId), follow);
            }).withRole(role));
            ActorRef<IdRegistry.Command> registry = ClusterSingleton.get(system).init(
                    SingletonActor.of(IdRegistry.create(settings, IdRegistry.persistenceId(namespace)), "stare-ids")
                            .withSettings(ClusterSingletonSettings.create(system).withRole(role)));
            ReplicaController.Backends backends = new ReplicaController.Backends() {
                @Override
                public RecipientRef<IdRegistry.Command> registry() {
                    return registry;
                }

                @Override
                public RecipientRef<StateBacklog.Command> backlog(int stateId) {
                    return sharding.entityRefFor(StateBacklog.TYPE_KEY, Integer.toString(stateId));
                }
            };
            ActorRef<ReplicaController.Command> router =
                    system.systemActorOf(ReplicaController.create(backends), "replica-controller", Props.empty());
            follow.start(router);
            return router;
        });
    }

    private static boolean dataPlaneIngest(Config config) {
        String mode = config.getString("stare.controller.ingest.mode").trim();
        if (!mode.equals("append") && !mode.equals("data-plane")) {
            throw new IllegalArgumentException("stare.controller.ingest.mode must be append or data-plane, got '"
                    + mode + "'");
        }
        return mode.equals("data-plane");
    }
}
