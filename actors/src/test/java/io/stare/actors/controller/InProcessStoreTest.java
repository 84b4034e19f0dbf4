package io.stare.actors.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.stare.actors.backlog.BacklogLimits;
import io.stare.protocol.control.ControlReply;
import io.stare.protocol.control.DeclareState;
import io.stare.protocol.control.LatestUpdate;
import io.stare.protocol.control.LatestUpdateQuery;
import io.stare.protocol.control.Recover;
import io.stare.protocol.control.Recovered;
import io.stare.protocol.control.RegisterVnf;
import io.stare.protocol.control.StateDeclared;
import io.stare.protocol.control.VnfRegistered;
import io.stare.protocol.segment.MissingUpdate;
import io.stare.protocol.segment.Segment;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The in-process store ({@link MemoryJournal} and {@link MemorySnapshotStore}): a controller
 * stopped and started again in the same actor system finds its backlogs, snapshots and events
 * after the snapshot both read back.
 */
class InProcessStoreTest {

    private static ActorTestKit kit;

    @BeforeAll
    static void start() {
        kit = ActorTestKit.create("in-process", ControllerStore.inProcess(ControllerTestKit.config()));
    }

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    @Test
    void aControllerStartedAgainFindsItsBacklogInMemory() {
        // A snapshot every 4 events, older events deleted: recovery needs the snapshot and what follows it.
        ControllerSettings settings = new ControllerSettings(new BacklogLimits(1 << 20, 10_000), Duration.ofSeconds(1),
                Duration.ofSeconds(3), 1023, 4);
        ActorRef<ReplicaController.Command> first = kit.spawn(ReplicaController.create(settings, "ns"));
        TestProbe<ControlReply> replies = kit.createTestProbe();
        first.tell(new ReplicaController.Control(new RegisterVnf("keeper", "h1"), replies.ref()));
        int vnf = assertInstanceOf(VnfRegistered.class, replies.receiveMessage()).vnfId();
        first.tell(new ReplicaController.Control(new DeclareState(vnf, "kept"), replies.ref()));
        int state = assertInstanceOf(StateDeclared.class, replies.receiveMessage()).stateId();
        TestProbe<ReplicaController.Appended> appended = kit.createTestProbe();
        for (int u = 0; u < 10; u++) {
            first.tell(new ReplicaController.Append(List.of(new Segment(state, vnf, u, 1, 0, new byte[] {(byte) u})),
                    appended.ref()));
            assertEquals(new ReplicaController.Appended(state, u), appended.receiveMessage());
        }
        kit.stop(first);

        ActorRef<ReplicaController.Command> again = kit.spawn(ReplicaController.create(settings, "ns"));
        again.tell(new ReplicaController.Control(new LatestUpdateQuery(state), replies.ref()));
        assertEquals(new LatestUpdate(state, 9), replies.receiveMessage());
        again.tell(new ReplicaController.Control(new Recover(1, state, "h2", List.of(MissingUpdate.whole(2),
                MissingUpdate.whole(9))), replies.ref()));
        Recovered recovered = assertInstanceOf(Recovered.class, replies.receiveMessage());
        assertEquals(List.of(new Segment(state, vnf, 2, 1, 0, new byte[] {2}), new Segment(state, vnf, 9, 1, 0,
                new byte[] {9})), recovered.segments());
    }
}
