package io.stare.actors.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.actors.backlog.BacklogLimits;
import io.stare.protocol.ErrorCode;
import io.stare.protocol.control.ControlFailure;
import io.stare.protocol.control.ControlReply;
import io.stare.protocol.control.Recover;
import io.stare.protocol.control.DeclareState;
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
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gate in front of a state's backlog: beyond its limit of commands waiting inside, RECOVER and
 * latest queries are answered BUSY and Appends turned away, instead of Pekko Persistence dropping
 * them silently from a full stash.
 */
class BacklogGateTest {

    private static final int STATE = 7;
    private static ActorTestKit kit;

    @BeforeAll
    static void start() {
        kit = ActorTestKit.create("gate", ControllerTestKit.config());
    }

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    private static StateBacklog.RecoverSegments recover(long id, ActorRef<ControlReply> replyTo) {
        return new StateBacklog.RecoverSegments(new Recover(id, STATE, "h2", List.of(MissingUpdate.whole(0))), replyTo);
    }

    @Test
    void beyondTheLimitRequestsAreAnsweredBusyAndAppendsTurnedAway() {
        BacklogGate.Load load = new BacklogGate.Load();
        TestProbe<StateBacklog.Command> inside = kit.createTestProbe();
        // A backlog that never finishes handling anything: every command let in stays "inside".
        ActorRef<StateBacklog.Command> gated = kit.spawn(Behaviors.intercept(() -> new BacklogGate(load, 3, STATE),
                Behaviors.receiveMessage(command -> {
                    inside.ref().tell(command);
                    return Behaviors.same();
                })));
        TestProbe<ControlReply> replies = kit.createTestProbe();
        for (int i = 0; i < 3; i++) {
            gated.tell(recover(i, replies.ref()));
            inside.expectMessageClass(StateBacklog.RecoverSegments.class);
        }
        gated.tell(recover(3, replies.ref()));
        ControlFailure busy = assertInstanceOf(ControlFailure.class, replies.receiveMessage());
        assertEquals(ErrorCode.BUSY, busy.code());
        TestProbe<ReplicaController.Appended> appended = kit.createTestProbe();
        gated.tell(new StateBacklog.AppendSegments(List.of(new Segment(STATE, 1, 0, 1, 0, new byte[1])),
                appended.ref()));
        // A subscription change is never turned away; it is let in even at the limit.
        gated.tell(new StateBacklog.Unsubscribe("h2"));
        assertInstanceOf(StateBacklog.Unsubscribe.class, inside.receiveMessage(), "the Append was turned away");
        assertEquals(2, load.refused());

        load.handled();
        load.handled();
        gated.tell(recover(4, replies.ref()));
        inside.expectMessageClass(StateBacklog.RecoverSegments.class);
        // Marker: back at the limit, the next one is answered busy; a busy answer to the one let in
        // would have been sent before it.
        TestProbe<ControlReply> marker = kit.createTestProbe();
        gated.tell(recover(5, marker.ref()));
        assertEquals(ErrorCode.BUSY, assertInstanceOf(ControlFailure.class, marker.receiveMessage()).code());
        replies.expectNoMessage(Duration.ZERO);
    }

    @Test
    void aBurstOnARealBacklogGetsAnAnswerToEveryRecover() {
        ControllerSettings settings = new ControllerSettings(new BacklogLimits(1 << 24, 1_000_000), Duration.ofSeconds(1),
                Duration.ofSeconds(3), 1023, 1_000);
        ActorRef<ReplicaController.Command> controller = kit.spawn(ReplicaController.create(settings));
        TestProbe<ControlReply> replies = kit.createTestProbe();
        controller.tell(new ReplicaController.Control(new RegisterVnf("burster", "h1"), replies.ref()));
        int vnf = assertInstanceOf(VnfRegistered.class, replies.receiveMessage()).vnfId();
        controller.tell(new ReplicaController.Control(new DeclareState(vnf, "burst"), replies.ref()));
        int state = assertInstanceOf(StateDeclared.class, replies.receiveMessage()).stateId();
        TestProbe<ReplicaController.Appended> appended = kit.createTestProbe();
        int requests = 3_000;
        for (int i = 0; i < requests; i++) {
            // Each Append persists; whatever arrives meanwhile waits in the stash.
            controller.tell(new ReplicaController.Append(List.of(new Segment(state, vnf, i, 1, 0, new byte[8])),
                    appended.ref()));
            controller.tell(new ReplicaController.Control(new Recover(i, state, "h2", List.of(MissingUpdate.whole(0))),
                    replies.ref()));
        }
        int busy = 0;
        for (ControlReply reply : replies.receiveSeveralMessages(requests, Duration.ofSeconds(60))) {
            if (reply instanceof ControlFailure failure) {
                assertEquals(ErrorCode.BUSY, failure.code());
                busy++;
            } else {
                assertInstanceOf(Recovered.class, reply);
            }
        }
        assertTrue(busy < requests, "the backlog served some of the " + requests + " (busy: " + busy + ")");
    }
}
