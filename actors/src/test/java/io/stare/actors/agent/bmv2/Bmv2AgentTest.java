package io.stare.actors.agent.bmv2;

import static io.stare.actors.agent.bmv2.Bmv2Switch.WAIT;
import static io.stare.actors.agent.bmv2.Bmv2Switch.awaitView;
import static io.stare.actors.agent.bmv2.Bmv2Switch.has;
import static io.stare.actors.agent.bmv2.Bmv2Switch.of;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.actors.agent.AgentSettings;
import io.stare.actors.agent.AgentView;
import io.stare.actors.agent.P4Entities;
import io.stare.actors.agent.Reconfiguration;
import io.stare.actors.agent.ReconfigurationReport;
import io.stare.actors.agent.RegisterAccess;
import io.stare.actors.agent.SwitchAgent;
import io.stare.actors.agent.bmv2.Bmv2Switch.Out;
import io.stare.p4.pipeline.CpuHeaders;
import io.stare.p4.program.StareProgram;
import io.stare.protocol.address.MessageKind;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import p4.v1.Entity;

/**
 * The switch agent driving BMv2's {@code simple_switch_grpc} (P4Runtime server, compiled STARE
 * programs), through the same scenarios as its software-switch tests: set-up as primary, frames
 * through the switch, arbitration and fail-over, embedded mode, a switch restart. Register access
 * is {@code auto}, which on BMv2 (UNIMPLEMENTED register entities) means in-band packet-outs.
 * Each test gets a fresh BMv2 in a network namespace of its own; skipped where BMv2 cannot run.
 * Port 2 is the tree port; hosts are on ports 0 and 1.
 */
class Bmv2AgentTest {

    private static final long TREE_PORT_2 = 0b100;
    private static ActorTestKit kit;

    @BeforeAll
    static void startKit() {
        kit = ActorTestKit.create("bmv2-agents");
    }

    @AfterAll
    static void stopKit() {
        kit.shutdownTestKit();
    }

    /** The agents of the running test, stopped after it (before its BMv2 goes). */
    private final List<ActorRef<SwitchAgent.Command>> agents = new java.util.ArrayList<>();

    private ActorRef<SwitchAgent.Command> spawn(Bmv2Switch bmv2, String name, long electionId,
                                                StareProgram.Mode mode) {
        return spawn(name, bmv2.settings(electionId, mode, TREE_PORT_2));
    }

    private ActorRef<SwitchAgent.Command> spawn(String name, AgentSettings settings) {
        ActorRef<SwitchAgent.Command> agent = kit.spawn(SwitchAgent.create(settings), name);
        agents.add(agent);
        return agent;
    }

    private void stopAgents() {
        for (ActorRef<SwitchAgent.Command> agent : agents) {
            try {
                kit.stop(agent, Duration.ofSeconds(5));
            } catch (RuntimeException | AssertionError alreadyStopped) {
                // Stopped by the test itself.
            }
        }
        agents.clear();
    }

    /** Subscribes host {@code host} on {@code port} to {@code state}: the SUB-ack comes back out of that port. */
    private static void subscribe(Bmv2Switch bmv2, int port, int state, int host) throws Exception {
        bmv2.send(port, MessageKind.SUB_REGISTER, state, 1, host, new byte[0]);
        List<Out> out = bmv2.collect(o -> has(o, MessageKind.SUB_ACK, port), WAIT);
        assertTrue(has(out, MessageKind.SUB_ACK, port), "no SUB-ack on port " + port + ": " + out);
    }

    /** Publishes from {@code port}: the publish leaves exactly through {@code expectedPorts}. */
    private static void assertPublishReaches(Bmv2Switch bmv2, int port, int state, String text, List<Integer> expectedPorts)
            throws Exception {
        assertPublishReaches(bmv2, port, state, text, expectedPorts, true);
    }

    /** {@code exactlyOnce}: one copy per port; otherwise the set of ports reached only. */
    private static void assertPublishReaches(Bmv2Switch bmv2, int port, int state, String text, List<Integer> expectedPorts,
                                             boolean exactlyOnce) throws Exception {
        bmv2.send(port, MessageKind.PUBLISH, state, 1, 9, text.getBytes());
        List<Out> out = bmv2.collect(o -> of(o, MessageKind.PUBLISH).size() >= expectedPorts.size(),
                Duration.ofSeconds(5));
        List<Out> publishes = of(out, MessageKind.PUBLISH);
        assertEquals(expectedPorts, publishes.stream().map(Out::port).sorted()
                .filter(exactlyOnce ? p -> true : new java.util.HashSet<Integer>()::add).toList(),
                "publishes: " + publishes);
        publishes.forEach(p -> assertEquals(text, new String(p.packet().payload())));
    }

    @Test
    @Timeout(value = 40, unit = TimeUnit.SECONDS)
    void aPrimarySetsUpBmv2AndSubscriptionsAndPublishesFlowThroughIt() throws Exception {
        try (Bmv2Switch bmv2 = Bmv2Switch.start()) {
            try {
                ActorRef<SwitchAgent.Command> agent = spawn(bmv2, "register-primary", 1, StareProgram.Mode.REGISTER);
                AgentView view = awaitView(kit, agent, AgentView::ready, WAIT);
                assertTrue(view.primary());
                assertEquals(1, view.pipelinePushes());
                assertEquals(255 + 2, view.rulesInstalled());

                // What the agent wrote, read back from BMv2: 255 port-mask groups, the CPU clone session.
                SortedMap<Integer, Integer> groups = P4Entities.multicastGroupSizes(
                        bmv2.read(kit.system(), P4Entities.multicastGroupsFilter()));
                assertEquals(255, groups.size());
                assertEquals(3, groups.get(0b0111));
                assertEquals(8, groups.get(0xff));
                List<Entity> clones = bmv2.read(kit.system(), P4Entities.cloneSessionsFilter());
                assertEquals(1, clones.size(), clones.toString());
                var session = clones.get(0).getPacketReplicationEngineEntry().getCloneSessionEntry();
                assertEquals(P4Entities.CPU_CLONE_SESSION, session.getSessionId());
                assertEquals(1, session.getReplicasCount());
                @SuppressWarnings("deprecation")
                int clonePort = session.getReplicas(0).getEgressPort();
                assertEquals(CpuHeaders.CPU_PORT, clonePort);

                // A subscription on port 0: BMv2 acks it, propagates it to tree port 2, and the agent
                // learns it from the SUB_PROPAGATED packet-in.
                subscribe(bmv2, 0, 5, 1);
                awaitView(kit, agent, v -> v.subscriptions().equals(Map.of(5, 0b001L)), WAIT);
                assertPublishReaches(bmv2, 1, 5, "to port 0", List.of(0));
                AgentView after = awaitView(kit, agent, v -> true, WAIT);
                assertTrue(after.arq().acknowledged() + after.arq().pending() + after.arq().abandoned() >= 1,
                        "the propagation to tree port 2 was not tracked by the ARQ: " + after.arq());
            } finally {
                stopAgents();
            }
        }
    }

    @Test
    @Timeout(value = 40, unit = TimeUnit.SECONDS)
    void theBackupTakesOverBmv2AndAdoptsItsStateInBand() throws Exception {
        try (Bmv2Switch bmv2 = Bmv2Switch.start()) {
            try {
                ActorRef<SwitchAgent.Command> high = spawn(bmv2, "register-high", 20, StareProgram.Mode.REGISTER);
                awaitView(kit, high, AgentView::ready, WAIT);
                ActorRef<SwitchAgent.Command> low = spawn(bmv2, "register-low", 10, StareProgram.Mode.REGISTER);
                AgentView backup = awaitView(kit, low, AgentView::connected, WAIT);
                assertFalse(backup.primary());
                assertEquals(0, backup.pipelinePushes());

                subscribe(bmv2, 0, 5, 1);
                awaitView(kit, high, v -> v.subscriptions().equals(Map.of(5, 0b001L)), WAIT);
                assertTrue(awaitView(kit, low, v -> true, WAIT).subscriptions().isEmpty());

                // The primary goes: the backup adopts the running pipeline (no push) and reads the
                // subscription back from BMv2's registers in-band.
                kit.stop(high);
                AgentView takenOver = awaitView(kit, low,
                        v -> v.ready() && v.subscriptions().equals(Map.of(5, 0b001L)), WAIT);
                assertEquals(0, takenOver.pipelinePushes());
                assertPublishReaches(bmv2, 1, 5, "after fail-over", List.of(0));
            } finally {
                stopAgents();
            }
        }
    }

    @Test
    @Timeout(value = 40, unit = TimeUnit.SECONDS)
    void embeddedModeInstallsRulesForSubPuntsAndAcksAfterThem() throws Exception {
        P4Entities embedded = P4Entities.of(StareProgram.Mode.EMBEDDED);
        try (Bmv2Switch bmv2 = Bmv2Switch.start()) {
            try {
                ActorRef<SwitchAgent.Command> agent = spawn(bmv2, "embedded", 1, StareProgram.Mode.EMBEDDED);
                AgentView view = awaitView(kit, agent, AgentView::ready, WAIT);
                assertEquals(1, view.pipelinePushes());

                // SUB_PUNT -> the agent's Writes -> its SUB-ack as a packet-out, and the propagation to
                // the tree port.
                bmv2.send(0, MessageKind.SUB_REGISTER, 5, 1, 1, new byte[0]);
                List<Out> out = bmv2.collect(o -> has(o, MessageKind.SUB_ACK, 0) && has(o, MessageKind.SUB_REGISTER, 2),
                        WAIT);
                assertTrue(has(out, MessageKind.SUB_ACK, 0), "no SUB-ack: " + out);
                assertTrue(has(out, MessageKind.SUB_REGISTER, 2), "not propagated to the tree port: " + out);
                subscribe(bmv2, 1, 5, 2);
                assertEquals(Map.of(5, 0b011), embedded.stateForwardingEntries(
                        bmv2.read(kit.system(), embedded.stateForwardingFilter())));
                assertEquals(Map.of(0b011, 2), P4Entities.multicastGroupSizes(
                        bmv2.read(kit.system(), P4Entities.multicastGroupsFilter())));
                AgentView after = awaitView(kit, agent, v -> v.installs().count() == 2, WAIT);
                assertEquals(Map.of(5, 0b011L), after.subscriptions());

                // Replicated to the other subscriber, never back to the publisher's port.
                assertPublishReaches(bmv2, 1, 5, "from port 1", List.of(0));
                assertPublishReaches(bmv2, 0, 5, "from port 0", List.of(1));
                assertTrue(awaitView(kit, agent, v -> true, WAIT).lastError().isEmpty());
            } finally {
                stopAgents();
            }
        }
    }

    @Test
    @Timeout(value = 45, unit = TimeUnit.SECONDS)
    void anEmbeddedAgentRestoresItsRulesAfterBmv2Restarts() throws Exception {
        try (Bmv2Switch bmv2 = Bmv2Switch.start()) {
            try {
                ActorRef<SwitchAgent.Command> agent = spawn(bmv2, "embedded-restart", 1, StareProgram.Mode.EMBEDDED);
                awaitView(kit, agent, AgentView::ready, WAIT);
                subscribe(bmv2, 0, 9, 1);

                bmv2.restart();
                AgentView view = awaitView(kit, agent, v -> v.ready() && v.pipelinePushes() == 2, WAIT);
                assertTrue(view.reconnects() >= 1, view.toString());
                bmv2.collect(o -> false, Duration.ofMillis(300)); // drop what came before
                assertPublishReaches(bmv2, 1, 9, "after restart", List.of(0));
            } finally {
                stopAgents();
            }
        }
    }

    @Test
    @Timeout(value = 45, unit = TimeUnit.SECONDS)
    void aRegisterAgentRestoresItsSubscriptionsAfterBmv2Restarts() throws Exception {
        try (Bmv2Switch bmv2 = Bmv2Switch.start()) {
            try {
                ActorRef<SwitchAgent.Command> agent = spawn(bmv2, "register-restart", 1, StareProgram.Mode.REGISTER);
                awaitView(kit, agent, AgentView::ready, WAIT);
                subscribe(bmv2, 0, 9, 1);
                awaitView(kit, agent, v -> v.subscriptions().equals(Map.of(9, 0b001L)), WAIT);

                // BMv2 dies and comes back empty on the same ports and socket: the agent reconnects,
                // pushes again and writes back the cell it knew (in-band: BMv2 serves no registers).
                bmv2.restart();
                AgentView view = awaitView(kit, agent, v -> v.ready() && v.pipelinePushes() == 2, WAIT);
                assertTrue(view.reconnects() >= 1, view.toString());
                bmv2.collect(o -> false, Duration.ofMillis(300));
                assertPublishReaches(bmv2, 1, 9, "after restart", List.of(0));
            } finally {
                stopAgents();
            }
        }
    }

    @Test
    @Timeout(value = 45, unit = TimeUnit.SECONDS)
    void aState4GrowthOnBmv2KeepsEveryCell() throws Exception {
        growTheTable(false);
    }

    /**
     * BMv2 keeps its replication engine across a pipeline change while its P4Runtime layer forgets
     * the groups; unless the agent deletes the old groups first, every copy goes out twice.
     */
    @Test
    @Timeout(value = 45, unit = TimeUnit.SECONDS)
    void aState4GrowthOnBmv2DeliversEachPublishOnce() throws Exception {
        growTheTable(true);
    }

    /** Grows 2048 -> 4096 with no load; {@code exactlyOnce}: publishes counted, not only their ports. */
    private void growTheTable(boolean exactlyOnce) throws Exception {
        try (Bmv2Switch bmv2 = Bmv2Switch.start()) {
            try {
                // No automatic growth: the test grows the table itself, once.
                ActorRef<SwitchAgent.Command> agent = spawn("register-grow", bmv2.settings(1,
                        StareProgram.Mode.REGISTER, TREE_PORT_2).withState4(new AgentSettings.State4(
                        RegisterAccess.Choice.AUTO, 0, 64, false)));
                awaitView(kit, agent, AgentView::ready, WAIT);
                // Cells across the table, first and last included, some with two subscriber ports.
                Map<Integer, Long> expected = new java.util.TreeMap<>();
                int host = 1;
                for (int state : List.of(0, 1, 7, 100, 1000, 2046, 2047)) {
                    subscribe(bmv2, 0, state, host++);
                    expected.put(state, 0b001L);
                }
                for (int state : List.of(7, 2047)) {
                    subscribe(bmv2, 1, state, host++);
                    expected.put(state, 0b011L);
                }
                subscribe(bmv2, 1, 500, host++);
                expected.put(500, 0b010L);

                TestProbe<ReconfigurationReport> probe = kit.createTestProbe();
                agent.tell(new SwitchAgent.Reconfigure(4096, Reconfiguration.Strategy.STATE4, probe.ref()));
                ReconfigurationReport report = probe.receiveMessage(Duration.ofSeconds(30));
                assertTrue(report.succeeded(), report.toString());
                assertEquals(RegisterAccess.Kind.IN_BAND, report.access());
                assertEquals(expected.size(), report.cellsCopied(), report.toString());
                AgentView view = awaitView(kit, agent, v -> !v.reconfiguring(), WAIT);
                assertEquals(4096, view.stateCapacity());
                assertEquals(expected, view.subscriptions());

                assertEquals(3, P4Entities.multicastGroupSizes(
                        bmv2.read(kit.system(), P4Entities.multicastGroupsFilter())).get(0b0111));
                // The cells work in the new pipeline, and the new upper half takes subscriptions.
                bmv2.collect(o -> false, Duration.ofMillis(300));
                assertPublishReaches(bmv2, 2, 2047, "both", List.of(0, 1), exactlyOnce);
                assertPublishReaches(bmv2, 0, 500, "one", List.of(1), exactlyOnce);
                subscribe(bmv2, 0, 4000, host);
                assertPublishReaches(bmv2, 1, 4000, "upper half", List.of(0), exactlyOnce);
            } finally {
                stopAgents();
            }
        }
    }
}
