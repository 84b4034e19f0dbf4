package io.stare.actors.agent;

import static io.stare.actors.agent.AgentTestSupport.awaitReady;
import static io.stare.actors.agent.AgentTestSupport.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.p4.softswitch.SoftSwitchNode;
import io.stare.p4.program.StareProgram;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A reconfigured switch keeps its larger table when another agent takes over: an agent configured
 * for the default build adopts the larger one rather than pushing its own and wiping the state.
 */
class AdoptLargerBuildTest {

    private ActorTestKit kit;
    private SoftSwitchNode node;

    @BeforeEach
    void start() throws Exception {
        kit = ActorTestKit.create();
        node = AgentTestSupport.startSwitch(kit, 1, 4);
    }

    @AfterEach
    void stop() throws Exception {
        node.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
        kit.shutdownTestKit();
    }

    @Test
    void aNewPrimaryAdoptsTheGrownTable() throws Exception {
        ActorRef<SwitchAgent.Command> first = kit.spawn(SwitchAgent.create(
                settings(node.grpcAddress(), 1, 10, StareProgram.Mode.REGISTER, 0)), "first");
        awaitReady(kit, first);
        TestProbe<ReconfigurationReport> report = kit.createTestProbe();
        first.tell(new SwitchAgent.Reconfigure(4096, Reconfiguration.Strategy.STATE4, report.ref()));
        assertTrue(report.receiveMessage(Duration.ofSeconds(20)).succeeded());
        kit.stop(first);

        ActorRef<SwitchAgent.Command> second = kit.spawn(SwitchAgent.create(
                settings(node.grpcAddress(), 1, 20, StareProgram.Mode.REGISTER, 0)), "second");
        AgentView view = awaitReady(kit, second);
        assertEquals(0, view.pipelinePushes(), "the new primary must not push its own (smaller) build");
        assertEquals(4096, view.stateCapacity());
    }
}
