package io.stare.actors.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.stare.actors.backlog.BacklogLimits;
import io.stare.protocol.control.ControlReply;
import io.stare.protocol.control.ControlRequest;
import io.stare.protocol.control.DeclareState;
import io.stare.protocol.control.LatestUpdate;
import io.stare.protocol.control.LatestUpdateQuery;
import io.stare.protocol.control.LookupState;
import io.stare.protocol.control.Recover;
import io.stare.protocol.control.Recovered;
import io.stare.protocol.control.RegisterVnf;
import io.stare.protocol.control.StateDeclared;
import io.stare.protocol.control.StateFound;
import io.stare.protocol.control.VnfRegistered;
import io.stare.protocol.segment.MissingUpdate;
import io.stare.protocol.segment.Segment;
import io.stare.testing.TestTime;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Durability with the production journal: a two-node controller cluster on the local PostgreSQL
 * (its own schema) takes IDs and 30 updates, is stopped entirely, and a new cluster started on the
 * same schema still knows the IDs and recovers an old update. Skipped (with the reason) when
 * PostgreSQL cannot be reached at the configured URL.
 */
@Timeout(120)
class ControllerPostgresTest {

    private static final String CONTROLLER = "replica-controller";
    private static final ControllerSettings SETTINGS = new ControllerSettings(new BacklogLimits(64 << 20, 65_536),
            Duration.ofHours(1), Duration.ofHours(2), 1023, 4_194_303).withSnapshotEvery(10);

    @Test
    void aBacklogAndItsIdsSurviveAStopOfTheWholeCluster() throws Exception {
        String url = System.getenv().getOrDefault("STARE_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test");
        try (Connection connection = DriverManager.getConnection(url, "postgres", "")) {
            Assumptions.assumeTrue(connection.isValid(5), "PostgreSQL at " + url + " does not answer");
        } catch (SQLException e) {
            Assumptions.abort("PostgreSQL at " + url + " cannot be reached: " + e.getMessage());
        }
        String run = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String extra = """
                stare.persistence.store = postgres
                stare.persistence.postgres.schema = "stare_test_%s"
                stare.persistence.namespace = "pg-%s"
                """.formatted(run, run);

        int vnf;
        int state;
        io.stare.protocol.auth.PublishKey key;
        try (ClusterNodes first = new ClusterNodes(extra)) {
            ActorSystem<Void> c1 = first.start(List.of(CONTROLLER), false);
            ActorSystem<Void> c2 = first.start(List.of(CONTROLLER), false);
            first.join(c1);
            first.join(c2);
            first.awaitUp(c1, 2);
            ActorRef<ReplicaController.Command> router = ClusterNodes.router(c1, SETTINGS);
            ClusterNodes.router(c2, SETTINGS);
            vnf = ((VnfRegistered) ask(c1, router, new RegisterVnf("tracker", "h1"))).vnfId();
            StateDeclared declared = (StateDeclared) ask(c1, router, new DeclareState(vnf, "positions"));
            state = declared.stateId();
            key = declared.key();

            Set<Long> confirmed = ConcurrentHashMap.newKeySet();
            ActorRef<ReplicaController.Appended> appended = c1.systemActorOf(
                    Behaviors.receive(ReplicaController.Appended.class)
                            .onMessage(ReplicaController.Appended.class, a -> {
                                for (long u = a.first(); u <= a.last(); u++) {
                                    confirmed.add(u);
                                }
                                return Behaviors.same();
                            }).build(), "appended", Props.empty());
            for (int u = 0; u < 30; u++) {
                router.tell(new ReplicaController.Append(List.of(segment(state, vnf, u)), appended));
            }
            TestTime.eventually(ClusterNodes.WAIT, () -> assertEquals(30, confirmed.size(),
                    "the backlog confirmed every update"));
        }

        try (ClusterNodes second = new ClusterNodes(extra)) {
            ActorSystem<Void> c3 = second.start(List.of(CONTROLLER), false);
            ActorSystem<Void> c4 = second.start(List.of(CONTROLLER), false);
            second.join(c3);
            second.join(c4);
            second.awaitUp(c3, 2);
            ActorRef<ReplicaController.Command> router = ClusterNodes.router(c3, SETTINGS);
            ClusterNodes.router(c4, SETTINGS);
            try {
                assertEquals(new VnfRegistered("tracker", vnf), ask(c3, router, new RegisterVnf("tracker", "h1")));
                assertEquals(new StateFound("positions", state, vnf, key), ask(c3, router, new LookupState("positions")),
                        "the state's Publish key is in the journal");
                assertEquals(new LatestUpdate(state, 29), ask(c3, router, new LatestUpdateQuery(state)));
                Recovered old = assertInstanceOf(Recovered.class, ask(c3, router,
                        new Recover(1, state, "h2", List.of(MissingUpdate.whole(3), MissingUpdate.whole(27)))));
                assertEquals(List.of(segment(state, vnf, 3), segment(state, vnf, 27)), old.segments());
                assertEquals(List.of(), old.truncated());
            } finally {
                ControllerStore.dropPostgresSchema(c3).toCompletableFuture().get(30, TimeUnit.SECONDS);
            }
        }
    }

    private static Segment segment(int state, int vnf, long update) {
        return new Segment(state, vnf, update, 1, 0, ("position " + update).getBytes(StandardCharsets.UTF_8));
    }

    private static ControlReply ask(ActorSystem<?> node, ActorRef<ReplicaController.Command> router,
                                    ControlRequest request) throws Exception {
        return AskPattern.<ReplicaController.Command, ControlReply>ask(router,
                        replyTo -> new ReplicaController.Control(request, replyTo), Duration.ofSeconds(20),
                        node.scheduler())
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
