package io.stare.actors.controller;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.stare.actors.ingest.BacklogIngest;
import io.stare.testing.TestTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/**
 * Cluster nodes for tests: real ActorSystems in this JVM, on 127.0.0.1 with ephemeral Artery
 * ports, every message serialized (CBOR) even between actors of one node, and timings short
 * enough for a test (a crashed node is downed about 5 s after it stops).
 */
final class ClusterNodes implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(30);

    private final Config common;
    private final List<ActorSystem<Void>> nodes = new ArrayList<>();

    /** @param extra settings for every node (the store, the namespace, the controller's timers) */
    ClusterNodes(String extra) {
        this.common = ConfigFactory.parseString(extra + """

                pekko.actor.serialize-messages = on
                pekko.loglevel = WARNING
                pekko.cluster.split-brain-resolver.stable-after = 2s
                # What Pekko used before stare-cluster.conf set 5 s: stable-after again.
                pekko.cluster.down-removal-margin = 2s
                pekko.cluster.sharding.rebalance-interval = 1s
                pekko.cluster.sharding.least-shard-allocation-strategy.rebalance-absolute-limit = 100
                pekko.coordinated-shutdown.phases.cluster-exiting.timeout = 2s
                pekko.coordinated-shutdown.phases.cluster-sharding-shutdown-region.timeout = 2s
                pekko.http.server.preview.enable-http2 = on
                """);
    }

    /** Starts a node with {@code roles}; {@code crashes} makes terminate() a crash (no leave). */
    ActorSystem<Void> start(List<String> roles, boolean crashes) {
        return start(roles, crashes, "");
    }

    /** The same, with settings of this node only. */
    ActorSystem<Void> start(List<String> roles, boolean crashes, String own) {
        Config overrides = ConfigFactory.parseString(own).withFallback(common);
        Config config = ControllerStore.configure(ControllerCluster.nodeConfig("127.0.0.1", 0, List.of(), roles,
                crashes ? ConfigFactory.parseString("pekko.coordinated-shutdown.run-by-actor-system-terminate = off")
                        .withFallback(overrides) : overrides));
        ActorSystem<Void> node = ActorSystem.create(Behaviors.empty(), "stare", config);
        nodes.add(node);
        return node;
    }

    /** Joins {@code node} to the cluster of the first node started. */
    void join(ActorSystem<?> node) {
        Address seed = Cluster.get(nodes.get(0)).selfMember().address();
        Cluster.get(node).manager().tell(Join.create(seed));
    }

    /** Waits (bounded) until {@code observer} sees exactly {@code count} members Up. */
    void awaitUp(ActorSystem<?> observer, int count) {
        TestTime.eventually(WAIT, () -> {
            long up = 0;
            for (var member : Cluster.get(observer).state().getMembers()) {
                if (member.status() == MemberStatus.up()) {
                    up++;
                }
            }
            if (up != count || !Cluster.get(observer).state().getUnreachable().isEmpty()) {
                throw new AssertionError("expected " + count + " members Up, saw " + Cluster.get(observer).state());
            }
        });
    }

    static ActorRef<ReplicaController.Command> router(ActorSystem<?> node, ControllerSettings settings)
            throws Exception {
        return ControllerCluster.start(node, settings, BacklogIngest::create).toCompletableFuture()
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** Stops one node (a crash if it was started so) and waits for it. */
    void stop(ActorSystem<?> node) throws Exception {
        node.terminate();
        node.getWhenTerminated().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        nodes.remove(node);
    }

    /** Stops every node at once (one after the other would wait for each singleton hand-over). */
    @Override
    public void close() throws Exception {
        List<CompletableFuture<?>> done = new ArrayList<>();
        for (ActorSystem<Void> node : nodes) {
            node.terminate();
            done.add(node.getWhenTerminated().toCompletableFuture());
        }
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        nodes.clear();
    }
}
