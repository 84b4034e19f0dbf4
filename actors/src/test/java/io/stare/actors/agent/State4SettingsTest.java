package io.stare.actors.agent;

import static io.stare.actors.agent.AgentTestSupport.WAIT;
import static io.stare.actors.agent.AgentTestSupport.awaitReady;
import static io.stare.actors.agent.AgentTestSupport.awaitView;
import static io.stare.actors.agent.AgentTestSupport.read;
import static io.stare.actors.agent.AgentTestSupport.settings;
import static io.stare.actors.agent.AgentTestSupport.useRegisters;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.actors.agent.AgentTestSupport.Host;
import io.stare.p4.softswitch.SoftSwitchNode;
import io.stare.p4.program.StareProgram;
import io.stare.protocol.address.MessageKind;
import io.stare.testing.TestTime;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Automatic growth of the state table, and keeping clone_flag set while serving. */
class State4SettingsTest {

    private ActorTestKit kit;
    private SoftSwitchNode node;

    @BeforeEach
    void start() throws Exception {
        kit = ActorTestKit.create("state4-settings");
        node = AgentTestSupport.startSwitch(kit, 1, 3);
    }

    @AfterEach
    void stop() throws Exception {
        node.stop().toCompletableFuture().get(15, TimeUnit.SECONDS);
        kit.shutdownTestKit();
    }

    @Test
    void aStateNearTheCapacityGrowsTheTableKeepingTheState() throws Exception {
        // Port 2 is a tree port, so a host's first SUB-register propagates and the agent sees it.
        var agent = kit.spawn(SwitchAgent.create(settings(node.grpcAddress(), 1, 1, StareProgram.Mode.REGISTER, 0b100)
                .withState4(new AgentSettings.State4(RegisterAccess.Choice.AUTO, 0.75, 64, false))));
        awaitReady(kit, agent);
        try (Host host = new Host(node.portAddresses().get(0), 1)) {
            host.send(MessageKind.SUB_REGISTER, 100, 1, new byte[0]);
            assertNotNull(host.receive(MessageKind.SUB_ACK, 5_000));
            host.send(MessageKind.SUB_REGISTER, 1600, 2, new byte[0]); // 78 % of 2048
            assertNotNull(host.receive(MessageKind.SUB_ACK, 5_000));
            AgentView grown = awaitView(kit, agent, v -> v.stateCapacity() == 4096 && !v.reconfiguring(), WAIT);
            assertTrue(grown.lastReconfiguration().orElseThrow().succeeded(), grown.toString());
            long[] cells = useRegisters(kit, agent, RegisterAccess.Kind.P4RUNTIME, a -> a.read(0, 4096));
            assertEquals(1, cells[100]);
            assertEquals(1, cells[1600]);
            host.send(MessageKind.SUB_REGISTER, 4000, 3, new byte[0]); // room now
            assertNotNull(host.receive(MessageKind.SUB_ACK, 5_000));
        }
    }

    @Test
    void inBandAccessCarriesTheStateOverAsOnBmv2() throws Exception {
        var agent = kit.spawn(SwitchAgent.create(settings(node.grpcAddress(), 1, 1, StareProgram.Mode.REGISTER, 0)
                .withState4(new AgentSettings.State4(RegisterAccess.Choice.IN_BAND, 0, 16, false))));
        awaitReady(kit, agent);
        java.util.SortedMap<Integer, Long> cells = new java.util.TreeMap<>();
        for (int state = 0; state < 2048; state += 7) {
            cells.put(state, (long) (state % 255) + 1);
        }
        useRegisters(kit, agent, RegisterAccess.Kind.P4RUNTIME, a -> a.write(cells));
        var probe = kit.<ReconfigurationReport>createTestProbe();
        agent.tell(new SwitchAgent.Reconfigure(8192, Reconfiguration.Strategy.STATE4, probe.ref()));
        ReconfigurationReport report = probe.receiveMessage(WAIT);
        assertTrue(report.succeeded(), report.toString());
        assertEquals(RegisterAccess.Kind.IN_BAND, report.access());
        assertEquals(cells.size(), report.cellsCopied());
        long[] after = useRegisters(kit, agent, RegisterAccess.Kind.P4RUNTIME, a -> a.read(0, 8192));
        for (int state = 0; state < after.length; state++) {
            assertEquals(cells.getOrDefault(state, 0L), after[state], "state " + state);
        }
        P4Entities register = P4Entities.of(StareProgram.Mode.REGISTER, 8192);
        assertTrue(!register.cloneFlagSet(read(kit.system(), node.grpcAddress(), 1, register.cloneFlagFilter())));
    }

    @Test
    void withTheFlagKeptTheAgentLearnsChangesThatDoNotPropagate() throws Exception {
        var agent = kit.spawn(SwitchAgent.create(settings(node.grpcAddress(), 1, 1, StareProgram.Mode.REGISTER, 0)
                .withState4(new AgentSettings.State4(RegisterAccess.Choice.AUTO, 0, 64, true))));
        awaitReady(kit, agent);
        P4Entities register = P4Entities.of(StareProgram.Mode.REGISTER);
        TestTime.eventually(WAIT, () -> org.junit.jupiter.api.Assertions.assertTrue(
                register.cloneFlagSet(read(kit.system(), node.grpcAddress(), 1, register.cloneFlagFilter())),
                "the agent set the clone flag"));
        try (Host host = new Host(node.portAddresses().get(1), 1)) {
            host.send(MessageKind.SUB_REGISTER, 42, 1, new byte[0]);
            assertNotNull(host.receive(MessageKind.SUB_ACK, 5_000));
            awaitView(kit, agent, v -> v.subscriptions().getOrDefault(42, 0L) == 0b10L, WAIT);
        }
        // A reconfiguration leaves the flag set in the new pipeline.
        var probe = kit.<ReconfigurationReport>createTestProbe();
        agent.tell(new SwitchAgent.Reconfigure(4096, Reconfiguration.Strategy.STATE4, probe.ref()));
        assertTrue(probe.receiveMessage(WAIT).succeeded());
        assertTrue(register.cloneFlagSet(read(kit.system(), node.grpcAddress(), 1,
                P4Entities.of(StareProgram.Mode.REGISTER, 4096).cloneFlagFilter())));
    }
}
