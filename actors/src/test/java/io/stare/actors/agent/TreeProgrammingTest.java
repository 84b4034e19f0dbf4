package io.stare.actors.agent;

import static io.stare.actors.agent.AgentTestSupport.awaitReady;
import static io.stare.actors.agent.AgentTestSupport.awaitView;
import static io.stare.actors.agent.AgentTestSupport.read;
import static io.stare.actors.agent.AgentTestSupport.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.actors.agent.AgentTestSupport.Host;
import io.stare.p4.program.P4Values;
import io.stare.p4.softswitch.SoftSwitchNetwork;
import io.stare.p4.softswitch.SoftSwitchNode;
import io.stare.p4.program.StareProgram;
import io.stare.p4.topology.SpanningTree;
import io.stare.p4.topology.Topologies;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.packet.StarePacket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Three software switches in a row started without a program: one agent per switch programs its
 * switch (pipeline, groups, tree ports from the spanning tree), and hosts as plain UDP sockets then
 * see subscriptions cross the tree and publishes reach exactly their subscribers.
 */
class TreeProgrammingTest {

    private static final int STATE = 321;

    private ActorTestKit kit;
    private SoftSwitchNetwork network;
    private final List<ActorRef<SwitchAgent.Command>> agents = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        kit = ActorTestKit.create("tree");
        network = SoftSwitchNetwork.start(kit.system(), new SoftSwitchNetwork.Settings(Topologies.linear(3),
                "127.0.0.1", 0, 0, Optional.empty()));
    }

    @AfterEach
    void stop() throws Exception {
        agents.forEach(kit::stop);
        network.stop().toCompletableFuture().get(15, TimeUnit.SECONDS);
        kit.shutdownTestKit();
    }

    private void startAgents(StareProgram.Mode mode) throws InterruptedException {
        SpanningTree tree = SpanningTree.of(network.topology());
        for (Map.Entry<String, SoftSwitchNode> node : network.nodes().entrySet()) {
            agents.add(kit.spawn(SwitchAgent.create(settings(node.getValue().grpcAddress(),
                    agents.size() + 1L, 1, mode, tree.treePorts(node.getKey()))), "agent-" + node.getKey()));
        }
        for (ActorRef<SwitchAgent.Command> agent : agents) {
            awaitReady(kit, agent);
        }
    }

    @Test
    void registerModeAgentsProgramTheTree() throws Exception {
        startAgents(StareProgram.Mode.REGISTER);
        P4Entities register = P4Entities.of(StareProgram.Mode.REGISTER);
        assertEquals(P4Values.canonical(0b110), read(kit.system(), network.nodes().get("s2").grpcAddress(), 2,
                register.treePortsFilter()).get(0).getTableEntry().getAction().getAction().getParams(0).getValue());

        deliversOnlyToTheSubscriber();
        // s3 propagated the subscriber's SUB-register to s2, s2 to s1: both agents learned it.
        awaitView(kit, agents.get(2), v -> v.subscriptions().equals(Map.of(STATE, 0b001L)), AgentTestSupport.WAIT);
        awaitView(kit, agents.get(1), v -> v.subscriptions().equals(Map.of(STATE, 0b100L)), AgentTestSupport.WAIT);
    }

    @Test
    void embeddedModeAgentsInstallRulesOnDemandAndRemoveThem() throws Exception {
        startAgents(StareProgram.Mode.EMBEDDED);
        deliversOnlyToTheSubscriber();
        // Each switch's local controller installed state -> group(mask) and the mask's group.
        Map<String, Long> expected = Map.of("s1", 0b100L, "s2", 0b100L, "s3", 0b001L);
        P4Entities embedded = P4Entities.of(StareProgram.Mode.EMBEDDED);
        for (int i = 0; i < 3; i++) {
            String name = "s" + (i + 1);
            long mask = expected.get(name);
            AgentView view = awaitView(kit, agents.get(i), v -> v.subscriptions().equals(Map.of(STATE, mask)),
                    AgentTestSupport.WAIT);
            assertEquals(2, view.rulesInstalled(), name + ": one entry and one group");
            assertTrue(view.installs().count() >= 1, name + ": " + view.installs());
            assertTrue(view.installs().max().compareTo(Duration.ofSeconds(5)) < 0, view.installs().toString());
            var grpc = network.nodes().get(name).grpcAddress();
            assertEquals(Map.of(STATE, (int) mask), embedded.stateForwardingEntries(
                    read(kit.system(), grpc, i + 1, embedded.stateForwardingFilter())));
            assertEquals(Map.of((int) mask, 1), P4Entities.multicastGroupSizes(
                    read(kit.system(), grpc, i + 1, P4Entities.multicastGroupsFilter())));
        }

        // The subscriber leaves: every switch deletes the entry and then the group.
        try (Host subscriber = new Host(network.hostPortAddress("h3"), 3)) {
            subscriber.send(MessageKind.SUB_REMOVE, STATE, 8, new byte[0]);
            assertNotNull(subscriber.receive(MessageKind.SUB_ACK, 5_000));
        }
        for (int i = 0; i < 3; i++) {
            AgentView view = awaitView(kit, agents.get(i), v -> v.subscriptions().isEmpty(), AgentTestSupport.WAIT);
            assertEquals(0, view.rulesInstalled());
            var grpc = network.nodes().get("s" + (i + 1)).grpcAddress();
            int device = i + 1;
            // The agent's view can drop the subscription before the switch has applied the deletes
            // (seen on a loaded machine: the read came first).
            io.stare.testing.TestTime.eventually(AgentTestSupport.WAIT, () -> {
                assertTrue(read(kit.system(), grpc, device, embedded.stateForwardingFilter()).isEmpty());
                assertTrue(read(kit.system(), grpc, device, P4Entities.multicastGroupsFilter()).isEmpty());
            });
        }
    }

    /** h1 publishes, h3 subscribes, h2 is a bystander. */
    private void deliversOnlyToTheSubscriber() throws Exception {
        try (Host publisher = new Host(network.hostPortAddress("h1"), 1);
             Host bystander = new Host(network.hostPortAddress("h2"), 2);
             Host subscriber = new Host(network.hostPortAddress("h3"), 3)) {
            // The bystander says something first so its switch port learns where it is.
            bystander.send(MessageKind.PUBLISH, STATE + 1, 1, new byte[0]);
            subscriber.send(MessageKind.SUB_REGISTER, STATE, 7, new byte[0]);
            StarePacket ack = subscriber.receive(MessageKind.SUB_ACK, 5_000);
            assertNotNull(ack, "no SUB-ack");
            assertEquals(7, ack.header().updateNo());

            // The subscription crosses s3 -> s2 -> s1 over UDP; publish until it has arrived.
            StarePacket delivered = null;
            for (int update = 1; update <= 50 && delivered == null; update++) {
                publisher.send(MessageKind.PUBLISH, STATE, update, "hello".getBytes());
                delivered = subscriber.receive(MessageKind.PUBLISH, 100);
            }
            assertNotNull(delivered, "no publish reached the subscriber");
            assertEquals("hello", new String(delivered.payload()));
            assertEquals(64 - 3, delivered.ttl()); // three switches on the way
            int update = delivered.header().updateNo() + 1;
            publisher.send(MessageKind.PUBLISH, STATE, update, "once".getBytes());
            StarePacket once = subscriber.receive(MessageKind.PUBLISH, 5_000);
            assertNotNull(once);
            assertEquals(update, once.header().updateNo());
            assertNull(subscriber.receive(MessageKind.PUBLISH, 300), "delivered more than once");
            assertNull(bystander.receive(MessageKind.PUBLISH, 100), "a host that did not subscribe received a publish");
        }
    }
}
