package io.stare.actors.agent;

import static io.stare.actors.agent.AgentTestSupport.WAIT;
import static io.stare.actors.agent.AgentTestSupport.awaitReady;
import static io.stare.actors.agent.AgentTestSupport.awaitView;
import static io.stare.actors.agent.AgentTestSupport.read;
import static io.stare.actors.agent.AgentTestSupport.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.actors.agent.AgentTestSupport.Host;
import io.stare.p4.program.P4Values;
import io.stare.p4.program.StareProgram;
import io.stare.p4.softswitch.PortBinding;
import io.stare.p4.softswitch.SoftSwitchNode;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.packet.StarePacket;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import p4.v1.Entity;

/**
 * The switch agent against one real software switch over gRPC on loopback: arbitration between two
 * agents, the set-up a primary makes, fail-over, and a switch restart with reconciliation.
 */
class SwitchAgentTest {

    private static final long DEVICE = 1;
    private static final long TREE_PORT_2 = 0b100;
    private static ActorTestKit kit;

    @BeforeAll
    static void start() {
        kit = ActorTestKit.create("agents");
    }

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    /** A 3-port switch with no pipeline; port 0 sends only to {@code hostOnPort0} if given. */
    private static SoftSwitchNode startSwitch(ActorTestKit on, InetSocketAddress grpc, List<InetSocketAddress> udp,
                                              InetSocketAddress hostOnPort0) throws Exception {
        PortBinding port0 = PortBinding.loopback(0).withLocalAddress(udp.get(0));
        return SoftSwitchNode.start(on.system(), new SoftSwitchNode.Settings("s1", DEVICE,
                List.of(hostOnPort0 == null ? port0 : port0.withPeer(hostOnPort0),
                        PortBinding.loopback(1).withLocalAddress(udp.get(1)),
                        PortBinding.loopback(2).withLocalAddress(udp.get(2))),
                grpc, Optional.empty(), 0));
    }

    private static List<InetSocketAddress> ephemeral() {
        InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
        return List.of(any, any, any);
    }

    @Test
    void onlyThePrimaryWritesAndTheBackupTakesOverWithTheSwitchState() throws Exception {
        SoftSwitchNode node = startSwitch(kit, new InetSocketAddress("127.0.0.1", 0), ephemeral(), null);
        InetSocketAddress grpc = node.grpcAddress();
        try (Host subscriber = new Host(node.portAddresses().get(0), 1);
             Host publisher = new Host(node.portAddresses().get(1), 2)) {
            ActorRef<SwitchAgent.Command> high = kit.spawn(SwitchAgent.create(
                    settings(grpc, DEVICE, 20, StareProgram.Mode.REGISTER, TREE_PORT_2)), "high");
            AgentView primary = awaitReady(kit, high);
            ActorRef<SwitchAgent.Command> low = kit.spawn(SwitchAgent.create(
                    settings(grpc, DEVICE, 10, StareProgram.Mode.REGISTER, TREE_PORT_2)), "low");
            AgentView backup = awaitView(kit, low, AgentView::connected, WAIT);

            assertTrue(primary.primary());
            assertEquals(1, primary.pipelinePushes());
            assertEquals(255 + 2, primary.rulesInstalled());
            assertFalse(backup.primary());
            assertFalse(backup.ready());
            assertEquals(0, backup.pipelinePushes());

            // What the primary wrote, read back over P4Runtime: 255 port-mask groups, the clone
            // session to the CPU port, the tree ports.
            P4Entities register = P4Entities.of(StareProgram.Mode.REGISTER);
            SortedMap<Integer, Integer> groups = P4Entities.multicastGroupSizes(
                    read(kit.system(), grpc, DEVICE, P4Entities.multicastGroupsFilter()));
            assertEquals(255, groups.size());
            assertEquals(3, groups.get(0b0111));
            List<Entity> clones = read(kit.system(), grpc, DEVICE, P4Entities.cloneSessionsFilter());
            assertEquals(List.of(P4Entities.cpuCloneSession()), clones);
            Entity tree = read(kit.system(), grpc, DEVICE, register.treePortsFilter()).get(0);
            assertEquals(P4Values.canonical(TREE_PORT_2), tree.getTableEntry().getAction().getAction().getParams(0)
                    .getValue());

            // A subscription on port 0 propagates to tree port 2: the primary learns it from the
            // SUB_PROPAGATED packet-in; the backup gets no packet-ins.
            subscriber.send(MessageKind.SUB_REGISTER, 5, 1, new byte[0]);
            assertNotNull(subscriber.receive(MessageKind.SUB_ACK, 5_000));
            awaitView(kit, high, v -> v.subscriptions().equals(Map.of(5, 0b001L)), WAIT);
            assertTrue(awaitView(kit, low, v -> true, WAIT).subscriptions().isEmpty());

            // The primary goes: the backup takes over, adopts the running pipeline (no push) and
            // reads the subscription state back from the switch.
            kit.stop(high);
            AgentView takenOver = awaitView(kit, low, v -> v.ready() && v.subscriptions().equals(Map.of(5, 0b001L)),
                    WAIT);
            assertEquals(0, takenOver.pipelinePushes());
            publisher.send(MessageKind.PUBLISH, 5, 1, "after fail-over".getBytes());
            StarePacket delivered = subscriber.receive(MessageKind.PUBLISH, 5_000);
            assertNotNull(delivered, "the publish did not reach the subscriber");
            assertEquals("after fail-over", new String(delivered.payload()));
            kit.stop(low);
        } finally {
            node.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void anEmbeddedBackupRebuildsItsControllerFromTheSwitchTable() throws Exception {
        SoftSwitchNode node = startSwitch(kit, new InetSocketAddress("127.0.0.1", 0), ephemeral(), null);
        InetSocketAddress grpc = node.grpcAddress();
        P4Entities embedded = P4Entities.of(StareProgram.Mode.EMBEDDED);
        try (Host first = new Host(node.portAddresses().get(0), 1);
             Host second = new Host(node.portAddresses().get(1), 2)) {
            ActorRef<SwitchAgent.Command> high = kit.spawn(SwitchAgent.create(
                    settings(grpc, DEVICE, 20, StareProgram.Mode.EMBEDDED, TREE_PORT_2)), "embedded-high");
            awaitReady(kit, high);
            ActorRef<SwitchAgent.Command> low = kit.spawn(SwitchAgent.create(
                    settings(grpc, DEVICE, 10, StareProgram.Mode.EMBEDDED, TREE_PORT_2)), "embedded-low");
            awaitView(kit, low, AgentView::connected, WAIT);
            first.send(MessageKind.SUB_REGISTER, 5, 1, new byte[0]);
            assertNotNull(first.receive(MessageKind.SUB_ACK, 5_000));
            assertEquals(Map.of(5, 1), embedded.stateForwardingEntries(
                    read(kit.system(), grpc, DEVICE, embedded.stateForwardingFilter())));

            kit.stop(high);
            AgentView takenOver = awaitView(kit, low, v -> v.ready() && v.subscriptions().equals(Map.of(5, 0b001L)),
                    WAIT);
            assertEquals(2, takenOver.rulesInstalled());
            assertEquals(0, takenOver.pipelinePushes());

            // A second subscriber: the rebuilt controller moves the state from group 0b01 to 0b11.
            second.send(MessageKind.SUB_REGISTER, 5, 1, new byte[0]);
            assertNotNull(second.receive(MessageKind.SUB_ACK, 5_000));
            assertEquals(Map.of(5, 0b011), embedded.stateForwardingEntries(
                    read(kit.system(), grpc, DEVICE, embedded.stateForwardingFilter())));
            assertEquals(Map.of(0b011, 2), P4Entities.multicastGroupSizes(
                    read(kit.system(), grpc, DEVICE, P4Entities.multicastGroupsFilter())));
            second.send(MessageKind.PUBLISH, 5, 1, "to the first".getBytes());
            StarePacket delivered = first.receive(MessageKind.PUBLISH, 5_000);
            assertNotNull(delivered);
            assertEquals("to the first", new String(delivered.payload()));
            AgentView after = awaitView(kit, low, v -> true, WAIT);
            assertTrue(after.lastError().isEmpty(), after.lastError().toString());
            kit.stop(low);
        } finally {
            node.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void reconnectsAfterASwitchRestartAndRestoresSubscriptionsWithoutResubscribing() throws Exception {
        ActorTestKit switchKit = ActorTestKit.create("switch-before");
        try (Host subscriber = new Host(new InetSocketAddress("127.0.0.1", 1), 1)) {
            SoftSwitchNode node = startSwitch(switchKit, new InetSocketAddress("127.0.0.1", 0), ephemeral(),
                    subscriber.address());
            InetSocketAddress grpc = node.grpcAddress();
            List<InetSocketAddress> udp = List.copyOf(node.portAddresses().values());
            Host sub = new Host(subscriber.socket, udp.get(0), 1);
            ActorRef<SwitchAgent.Command> agent = kit.spawn(SwitchAgent.create(
                    settings(grpc, DEVICE, 1, StareProgram.Mode.REGISTER, TREE_PORT_2)), "restarted");
            awaitReady(kit, agent);
            sub.send(MessageKind.SUB_REGISTER, 9, 1, new byte[0]);
            assertNotNull(sub.receive(MessageKind.SUB_ACK, 5_000));
            awaitView(kit, agent, v -> v.subscriptions().equals(Map.of(9, 0b001L)), WAIT);

            // The switch process dies (its connections with it) and comes back empty on the same
            // addresses: the agent reconnects, pushes again and restores what it knew.
            node.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
            switchKit.shutdownTestKit();
            switchKit = ActorTestKit.create("switch-after");
            node = startSwitch(switchKit, grpc, udp, subscriber.address());
            AgentView view = awaitView(kit, agent, v -> v.ready() && v.pipelinePushes() == 2, WAIT);
            assertTrue(view.reconnects() >= 1, view.toString());
            P4Entities register = P4Entities.of(StareProgram.Mode.REGISTER);
            assertEquals(Map.of(9, 0b001L), register.statePortsCells(
                    read(kit.system(), grpc, DEVICE, register.statePortsFilter())));

            try (Host publisher = new Host(udp.get(1), 2)) {
                publisher.send(MessageKind.PUBLISH, 9, 1, "after restart".getBytes());
                StarePacket delivered = sub.receive(MessageKind.PUBLISH, 5_000);
                assertNotNull(delivered, "the publish did not reach the earlier subscriber");
                assertEquals("after restart", new String(delivered.payload()));
                assertNull(publisher.receive(MessageKind.PUBLISH, 200), "the publisher got its own publish back");
            }
            kit.stop(agent);
            node.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } finally {
            switchKit.shutdownTestKit();
        }
    }
}
