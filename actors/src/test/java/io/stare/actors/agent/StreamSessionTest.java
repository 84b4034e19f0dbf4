package io.stare.actors.agent;

import static io.stare.actors.agent.AgentTestSupport.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.p4.program.StareProgram;
import io.stare.p4.softswitch.SoftSwitchNode;
import io.stare.testing.TestTime;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One StreamChannel session against a real software switch, with a probe in the agent's place:
 * the reports it makes, the set-up with what the agent knows, and its end with the stream.
 */
class StreamSessionTest {

    private static final long DEVICE = 1;
    private static ActorTestKit kit;

    @BeforeAll
    static void start() {
        kit = ActorTestKit.create("sessions");
    }

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    private static ActorRef<StreamSession.Command> spawn(SoftSwitchNode node, TestProbe<StreamSession.Report> agent) {
        AgentSettings settings = AgentTestSupport.settings(node.grpcAddress(), DEVICE, 10,
                StareProgram.Mode.REGISTER, 0b100);
        P4Entities entities = P4Entities.of(StareProgram.Mode.REGISTER);
        return kit.spawn(StreamSession.create(settings, settings.electionId(), entities, entities.statePortsWidth(),
                agent.ref(), System::nanoTime));
    }

    /** Arbitration won, set-up asked for and given {@code masks}: the session is READY. */
    private static StreamSession.SetUpDone setUp(ActorRef<StreamSession.Command> session,
                                                 TestProbe<StreamSession.Report> agent, Map<Integer, Long> masks) {
        agent.expectMessage(WAIT, new StreamSession.PhaseChanged(StreamSession.Phase.SETTING_UP));
        agent.expectMessage(WAIT, StreamSession.SetUpWanted.INSTANCE);
        session.tell(new StreamSession.SetUp(new TreeMap<>(masks)));
        StreamSession.SetUpDone done = agent.expectMessageClass(StreamSession.SetUpDone.class, WAIT);
        agent.expectMessage(WAIT, new StreamSession.PhaseChanged(StreamSession.Phase.READY));
        return done;
    }

    @Test
    void aPrimarySetsUpWithWhatTheAgentKnowsAndEndsWithItsStream() throws Exception {
        SoftSwitchNode node = AgentTestSupport.startSwitch(kit, DEVICE, 3);
        TestProbe<StreamSession.Report> agent = kit.createTestProbe();
        ActorRef<StreamSession.Command> session = spawn(node, agent);
        try {
            StreamSession.SetUpDone done = setUp(session, agent, Map.of(9, 0b1L));
            assertTrue(done.result().pushed(), "the switch ran no pipeline");
            assertEquals(Map.of(9, 0b1L), done.result().masks(), "restored from what the agent knows");
        } finally {
            node.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        // The switch may report a stream error on its way down; nothing else comes before the end.
        List<StreamSession.Report> last = agent.fishForMessage(WAIT, report ->
                report instanceof StreamSession.Ended ? FishingOutcomes.complete()
                        : report instanceof StreamSession.ErrorSeen ? FishingOutcomes.continueAndIgnore()
                        : FishingOutcomes.fail("unexpected " + report));
        StreamSession.Ended ended = (StreamSession.Ended) last.get(last.size() - 1);
        assertFalse(ended.setupFailed());
        assertTrue(ended.error().startsWith("stream ended: "), ended.error());
        agent.expectTerminated(session, WAIT);
    }

    @Test
    void aStoppedSessionEndsItsStreamAtTheSwitchRatherThanBreakingIt() throws Exception {
        SoftSwitchNode node = AgentTestSupport.startSwitch(kit, DEVICE, 3);
        TestProbe<StreamSession.Report> agent = kit.createTestProbe();
        ActorRef<StreamSession.Command> session = spawn(node, agent);
        try {
            setUp(session, agent, Map.of());
            kit.stop(session);
            // The demo ended with the switch warning that its primary had disconnected: the
            // session's stream died with the actor instead of ending.
            TestTime.eventually(WAIT, () -> assertEquals(1, node.server().controllerStreamsEnded()));
            assertEquals(0, node.server().controllerStreamsBroken());
        } finally {
            node.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aSessionNotYetReadyRefusesAReconfiguration() throws Exception {
        SoftSwitchNode node = AgentTestSupport.startSwitch(kit, DEVICE, 3);
        TestProbe<StreamSession.Report> agent = kit.createTestProbe();
        TestProbe<ReconfigurationReport> requester = kit.createTestProbe();
        ActorRef<StreamSession.Command> session = spawn(node, agent);
        try {
            agent.expectMessage(WAIT, new StreamSession.PhaseChanged(StreamSession.Phase.SETTING_UP));
            agent.expectMessage(WAIT, StreamSession.SetUpWanted.INSTANCE); // left unanswered: never ready

            session.tell(new StreamSession.Reconfigure(new SwitchAgent.Reconfigure(4096,
                    Reconfiguration.Strategy.STATE4, requester.ref())));
            ReconfigurationReport report = requester.expectMessageClass(ReconfigurationReport.class, WAIT);
            assertEquals(java.util.Optional.of("not the ready primary"), report.failure());
            assertEquals(4096, report.toCapacity());
        } finally {
            kit.stop(session);
            node.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
