package io.stare.actors.agent;

import static io.stare.actors.agent.AgentTestSupport.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.stare.p4.program.StareProgram;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import p4.v1.PacketOut;

/**
 * How a reconfiguration run ends when its switch does not answer, with probes in the session's and
 * the agent's places and manual time. The run reads the state in-band and keeps the clone flag, so
 * it never calls P4Runtime here; the packet-outs it sends go to a probe and are never answered.
 */
class ReconfigurationRunTest {

    private static final Duration RPC_TIMEOUT = Duration.ofSeconds(1);
    private static ActorTestKit kit;
    private static ManualTime time;

    @BeforeAll
    static void start() {
        kit = ActorTestKit.create("runs", ManualTime.config());
        time = ManualTime.get(kit.system());
    }

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    private final TestProbe<StreamSession.Command> session = kit.createTestProbe();
    private final TestProbe<StreamSession.Report> agent = kit.createTestProbe();
    private final TestProbe<ReconfigurationReport> requester = kit.createTestProbe();
    private final TestProbe<PacketOut> packetOuts = kit.createTestProbe();

    /** A run to 4096 states, once it has sent its first packet-out. */
    private ActorRef<ReconfigurationRun.Command> startRun() {
        AgentSettings base = AgentTestSupport.settings(new InetSocketAddress("127.0.0.1", 1), 1, 1,
                StareProgram.Mode.REGISTER, 0b100);
        AgentSettings settings = new AgentSettings(base.host(), base.port(), base.deviceId(), base.electionId(),
                base.role(), base.mode(), base.treePorts(), base.embeddedPorts(), base.reconnectMin(),
                base.reconnectMax(), RPC_TIMEOUT, base.arqTimeout(), base.arqMaxTimeout(), base.arqLimit(),
                new AgentSettings.State4(RegisterAccess.Choice.IN_BAND, 0, 16, true), "");
        InBandRegisterAccess inBand = new InBandRegisterAccess(packet -> {
            packetOuts.ref().tell(packet);
            return true;
        }, 16, Duration.ofMinutes(1));
        SwitchRpc neverCalled = new SwitchRpc(null, settings, P4Entities.of(StareProgram.Mode.REGISTER), null);
        ActorRef<ReconfigurationRun.Command> run = kit.spawn(ReconfigurationRun.create(settings,
                new SwitchAgent.Reconfigure(4096, Reconfiguration.Strategy.STATE4, requester.ref()),
                new StreamSession.Link(session.ref(), agent.ref(), neverCalled, inBand), System::nanoTime));
        packetOuts.expectMessageClass(PacketOut.class, WAIT); // clone flag on: the run is under way
        return run;
    }

    @Test
    void aRunWhoseSessionEndsReportsTheAbortToTheRequesterAndTheAgent() {
        ActorRef<ReconfigurationRun.Command> run = startRun();
        kit.stop(run);

        ReconfigurationReport report = requester.expectMessageClass(ReconfigurationReport.class, WAIT);
        assertEquals(Optional.of("the session ended during the reconfiguration"), report.failure());
        assertEquals(new StreamSession.Reconfigured(report, Optional.empty(), true),
                agent.expectMessageClass(StreamSession.Reconfigured.class, WAIT));
    }

    @Test
    void aRunThatTimesOutReportsToItsSessionAndStopsWhenTold() {
        ActorRef<ReconfigurationRun.Command> run = startRun();
        time.timePasses(RPC_TIMEOUT.multipliedBy(6));

        StreamSession.RunEnded ended = session.expectMessageClass(StreamSession.RunEnded.class, WAIT);
        assertEquals(Optional.of("timed out in phase COPYING"), ended.report().failure());
        assertEquals(Optional.empty(), ended.exact());
        assertFalse(ended.committed(), "the old pipeline still runs: nothing to set up again");
        assertEquals(ended.report(), requester.expectMessageClass(ReconfigurationReport.class, WAIT));

        run.tell(ReconfigurationRun.Stop.INSTANCE);
        session.expectTerminated(run, WAIT);
    }
}
