package io.stare.actors.controller;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.actors.middleware.InJvmClient;
import io.stare.actors.middleware.Middleware;
import io.stare.actors.middleware.MiddlewareSettings;
import io.stare.client.PublishResult;
import io.stare.client.StareClient;
import io.stare.client.StateListener;
import io.stare.p4.program.StareProgram;
import io.stare.p4.softswitch.PortBinding;
import io.stare.p4.softswitch.SoftSwitchNode;
import io.stare.protocol.control.ControlReply;
import io.stare.protocol.control.Recover;
import io.stare.protocol.control.Recovered;
import io.stare.protocol.segment.MissingUpdate;
import io.stare.protocol.segment.Segment;
import io.stare.testing.TestTime;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.GetClusterShardingStats;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The replica controller as a cluster of three nodes on loopback (real Artery remoting, every
 * message serialized as CBOR), with a fourth node that hosts the software switch and two
 * middlewares. A VNF publishes to 12 states all along while a fourth controller node joins (shards move to it)
 * and while one controller node crashes (its shards move to the others and recover from the
 * journal); then another leaves gracefully. Afterwards every update is in the backlog: nothing
 * inside the window is missing.
 */
@Timeout(180)
class ControllerClusterTest {

    /** Several states, so there are several shards to spread and move. */
    private static final int STATES = 12;
    private static final int UPDATES_PER_STATE = 50;
    private static final String CONTROLLER = "replica-controller";

    /** No truncation during the test: the backlog window is every update published. */
    private static final ControllerSettings SETTINGS = new ControllerSettings(
            new io.stare.actors.backlog.BacklogLimits(64 << 20, 65_536), Duration.ofHours(1), Duration.ofHours(2),
            1023, 4_194_303).withSnapshotEvery(50);

    private static byte[] value(int i) {
        return ("position#" + i + "-" + "x".repeat(i % 200)).getBytes(StandardCharsets.UTF_8);
    }

    /** The publishing middleware appends every update; the controller gets publishes only so. */
    @Test
    void byAppendPublishesKeepFlowingWhileANodeJoinsAndAnotherCrashesAndTheBacklogHasNoHole() throws Exception {
        run(false);
    }

    /**
     * The paper's way: each controller node subscribes through the data plane to the states it
     * hosts, following the shards; publishers append only what stays unconfirmed.
     */
    @Test
    void byDataPlanePublishesKeepFlowingWhileANodeJoinsAndAnotherCrashesAndTheBacklogHasNoHole() throws Exception {
        run(true);
    }

    private void run(boolean dataPlane) throws Exception {
        String run = UUID.randomUUID().toString().replace("-", "");
        try (ClusterNodes nodes = new ClusterNodes("""
                stare.persistence.namespace = "cluster-%s"
                pekko-persistence-jdbc.shared-databases.slick.db.url = "jdbc:h2:mem:cluster-%s;DB_CLOSE_DELAY=-1"
                stare.controller.ingest.mode = %s
                stare.middleware.appends = %s
                """.formatted(run, run, dataPlane ? "data-plane" : "append", dataPlane ? "repair" : "eager"))) {
            // Node m: a software switch with ports for two servers (and one per controller node,
            // for the data-plane ingest).
            ActorSystem<Void> m = nodes.start(List.of("middleware"), false);
            SoftSwitchNode sw = SoftSwitchNode.start(m, new SoftSwitchNode.Settings("s1", 1,
                    List.of(PortBinding.loopback(0), PortBinding.loopback(1), PortBinding.loopback(2),
                            PortBinding.loopback(3), PortBinding.loopback(4), PortBinding.loopback(5)),
                    new InetSocketAddress("127.0.0.1", 0), Optional.of(StareProgram.Mode.REGISTER), 0L));
            ActorSystem<Void> c1 = nodes.start(List.of(CONTROLLER), false, switchPort(sw, 2));
            ActorSystem<Void> c2 = nodes.start(List.of(CONTROLLER), true, switchPort(sw, 3));
            ActorSystem<Void> c3 = nodes.start(List.of(CONTROLLER), false, switchPort(sw, 4));
            for (ActorSystem<Void> node : List.of(m, c1, c2, c3)) {
                nodes.join(node);
            }
            nodes.awaitUp(m, 4);
            for (ActorSystem<Void> node : List.of(c1, c2, c3)) {
                ClusterNodes.router(node, SETTINGS);
            }
            // The middlewares of two servers reach the controller through m's router (proxies).
            ActorRef<ReplicaController.Command> controller = ClusterNodes.router(m, SETTINGS);
            MiddlewareSettings base = MiddlewareSettings.fromConfig(m.settings().config());
            ActorRef<Middleware.Command> h1 = m.systemActorOf(Middleware.create(
                    base.forServer("h1", 1, sw.portAddresses().get(0)), controller), "mw-h1", Props.empty());
            ActorRef<Middleware.Command> h2 = m.systemActorOf(Middleware.create(
                    base.forServer("h2", 2, sw.portAddresses().get(1)), controller), "mw-h2", Props.empty());
            StareClient tracker = await(InJvmClient.connect(m, h1, "tracker"));
            StareClient monitor = await(InJvmClient.connect(m, h2, "monitor"));
            Map<Integer, Heard> heard = new TreeMap<>();
            for (int k = 0; k < STATES; k++) {
                int state = await(tracker.declare("positions-" + k));
                heard.put(state, new Heard());
                await(monitor.subscribe("positions-" + k, heard.get(state)));
            }

            // 600 updates over about 12 s, round robin over the states.
            CompletableFuture<List<PublishResult>> publishing = CompletableFuture.supplyAsync(() -> {
                List<PublishResult> results = new ArrayList<>();
                for (int i = 0; i < UPDATES_PER_STATE; i++) {
                    for (int k = 0; k < STATES; k++) {
                        results.add(tracker.publish("positions-" + k, value(i)).toCompletableFuture().join());
                    }
                    sleep(240); // pacing: the publishes span the join and the crash
                }
                return results;
            });

            // A fourth controller node joins; shards move to it.
            sleep(1_500); // the scenario: publishing runs a while before the fourth node joins
            ActorSystem<Void> c4 = nodes.start(List.of(CONTROLLER), false, switchPort(sw, 5));
            nodes.join(c4);
            nodes.awaitUp(m, 5);
            ClusterNodes.router(c4, SETTINGS);
            Address c4Address = Cluster.get(c4).selfMember().address();
            awaitShardsOn(c1, c4Address);

            // One controller node crashes (no leave): it is downed, its shards recover elsewhere.
            nodes.stop(c2);
            nodes.awaitUp(m, 4);

            List<PublishResult> results = publishing.get(120, TimeUnit.SECONDS);
            for (PublishResult result : results) {
                assertInstanceOf(PublishResult.Published.class, result, "every publish went through");
            }
            for (Heard subscriber : heard.values()) {
                subscriber.await(UPDATES_PER_STATE);
                assertEquals(LongStream.range(0, UPDATES_PER_STATE).boxed().toList(), subscriber.updates(),
                        "in order, exactly once");
            }

            // The publisher keeps each update until the backlog confirms it: wait until all are.
            TestTime.eventually(ClusterNodes.WAIT, () -> assertEquals(0, stats(m, h1).unconfirmedAppends(),
                    "the backlog confirmed every update"));
            Middleware.Stats publisher = stats(m, h1);
            int published = STATES * UPDATES_PER_STATE;
            if (dataPlane) {
                // Shard moves and the crash leave windows that repairs fill; the rest came by the switch.
                assertTrue(publisher.segmentsAppended() < published,
                        "updates reached the backlog through the data plane; repairs: "
                                + publisher.segmentsAppended() + " of " + published);
            } else {
                assertTrue(publisher.segmentsAppended() >= published, "every update was appended");
            }

            // A controller node leaves gracefully: coordinated shutdown hands its shards over.
            nodes.stop(c3);
            nodes.awaitUp(m, 3);

            // Every update inside the window (nothing was truncated) comes back whole.
            for (int state : heard.keySet()) {
                Map<Long, List<Segment>> recovered = recoverAll(m, controller, state);
                assertEquals(UPDATES_PER_STATE, recovered.size(), "no hole in the backlog of state " + state);
                for (int i = 0; i < UPDATES_PER_STATE; i++) {
                    List<Segment> segments = recovered.get((long) i);
                    assertEquals(1, segments.size());
                    assertArrayEquals(value(i), segments.get(0).payload(), "state " + state + ", update " + i);
                }
            }
            sw.stop().toCompletableFuture().get(15, TimeUnit.SECONDS);
        }
    }

    private static String switchPort(SoftSwitchNode sw, int port) {
        InetSocketAddress address = sw.portAddresses().get(port);
        return "stare.controller.ingest.switch-port = \"" + address.getHostString() + ":" + address.getPort() + "\"";
    }

    /** Asks RECOVER for every update, as often as the answer's byte budget needs. */
    private static Map<Long, List<Segment>> recoverAll(ActorSystem<?> node, ActorRef<ReplicaController.Command> controller,
                                                       int state) throws Exception {
        Map<Long, List<Segment>> found = new TreeMap<>();
        for (int attempt = 0; attempt < 50 && found.size() < UPDATES_PER_STATE; attempt++) {
            List<MissingUpdate> missing = LongStream.range(0, UPDATES_PER_STATE).filter(u -> !found.containsKey(u))
                    .mapToObj(MissingUpdate::whole).toList();
            long requestId = attempt;
            ControlReply reply = await(AskPattern.<ReplicaController.Command, ControlReply>ask(controller,
                    replyTo -> new ReplicaController.Control(new Recover(requestId, state, "test", missing), replyTo),
                    Duration.ofSeconds(10), node.scheduler()));
            Recovered recovered = assertInstanceOf(Recovered.class, reply);
            assertEquals(List.of(), recovered.truncated(), "nothing was truncated");
            for (Segment segment : recovered.segments()) {
                found.computeIfAbsent(segment.update(), u -> new ArrayList<>()).add(segment);
            }
            if (recovered.segments().isEmpty()) {
                break;
            }
        }
        return found;
    }

    private static void awaitShardsOn(ActorSystem<?> observer, Address node) {
        TestTime.eventually(ClusterNodes.WAIT, () -> {
            var stats = await(AskPattern.<org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery,
                    org.apache.pekko.cluster.sharding.ShardRegion.ClusterShardingStats>ask(
                    ClusterSharding.get(observer).shardState(),
                    replyTo -> new GetClusterShardingStats(StateBacklog.TYPE_KEY, Duration.ofSeconds(5), replyTo),
                    Duration.ofSeconds(10), observer.scheduler()));
            var region = stats.getRegions().get(node);
            assertTrue(region != null && !region.getStats().isEmpty(), "no shard moved to " + node + ": "
                    + stats.getRegions());
        });
    }

    private static Middleware.Stats stats(ActorSystem<?> node, ActorRef<Middleware.Command> middleware)
            throws Exception {
        return await(AskPattern.<Middleware.Command, Middleware.Stats>ask(middleware, Middleware.GetStats::new,
                Duration.ofSeconds(10), node.scheduler()));
    }

    private static <T> T await(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(ClusterNodes.WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The update numbers a subscriber heard, in order. */
    private static final class Heard implements StateListener {
        private final List<Long> updates = new ArrayList<>();

        @Override
        public synchronized void onUpdate(int stateId, long update, byte[] value) {
            assertArrayEquals(value((int) update), value);
            updates.add(update);
        }

        synchronized List<Long> updates() {
            return List.copyOf(updates);
        }

        void await(int count) {
            TestTime.eventually(ClusterNodes.WAIT, () -> assertTrue(updates().size() >= count,
                    "heard " + updates().size() + " of " + count));
        }
    }
}
