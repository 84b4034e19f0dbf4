package io.stare.actors.agent;

import static io.stare.actors.agent.AgentTestSupport.awaitReady;
import static io.stare.actors.agent.AgentTestSupport.awaitView;
import static io.stare.actors.agent.AgentTestSupport.settings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.actors.agent.AgentTestSupport.Host;
import io.stare.p4.softswitch.SoftSwitchNetwork;
import io.stare.p4.softswitch.SoftSwitchNode;
import io.stare.p4.program.StareProgram;
import io.stare.p4.topology.SpanningTree;
import io.stare.p4.topology.Topologies;
import io.stare.protocol.address.MessageKind;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The switch-to-switch ARQ on a lossy link: three switches in a row, the s2 -> s1 direction of
 * their link relayed through a test socket that drops the first frames. The SUB-register s2
 * propagates to s1 is lost, the agent of s2 repeats it until s1's SUB-ack arrives, and the
 * subscription completes.
 */
class SwitchArqTest {

    private static final int STATE = 77;
    private static final int DROPPED = 3;

    private ActorTestKit kit;
    private SoftSwitchNetwork network;
    private Relay relay;
    private final List<ActorRef<SwitchAgent.Command>> agents = new ArrayList<>();

    /** Relays one link through two sockets, dropping the first frames of one direction. */
    private static final class Relay implements AutoCloseable {
        final DatagramSocket towardA;
        final DatagramSocket towardB;
        final AtomicInteger toDropFromB;
        final AtomicInteger dropped = new AtomicInteger();
        volatile boolean running = true;
        final List<Thread> threads = new ArrayList<>();

        Relay(InetSocketAddress a, InetSocketAddress b, int dropFromB) throws Exception {
            towardA = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            towardB = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            toDropFromB = new AtomicInteger(dropFromB);
            threads.add(pump(towardA, towardB, b, new AtomicInteger()));
            threads.add(pump(towardB, towardA, a, toDropFromB));
            threads.forEach(Thread::start);
        }

        private Thread pump(DatagramSocket from, DatagramSocket to, InetSocketAddress destination, AtomicInteger drops)
                throws Exception {
            from.setSoTimeout(50);
            return new Thread(() -> {
                byte[] buffer = new byte[65535];
                while (running) {
                    DatagramPacket datagram = new DatagramPacket(buffer, buffer.length);
                    try {
                        from.receive(datagram);
                        if (drops.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                            dropped.incrementAndGet();
                            continue;
                        }
                        to.send(new DatagramPacket(buffer, datagram.getLength(), destination));
                    } catch (SocketTimeoutException e) {
                        // check running
                    } catch (Exception e) {
                        return;
                    }
                }
            }, "relay");
        }

        @Override
        public void close() {
            running = false;
            for (Thread thread : threads) {
                try {
                    thread.join(1_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            towardA.close();
            towardB.close();
        }
    }

    @BeforeEach
    void start() throws Exception {
        kit = ActorTestKit.create("arq");
        network = SoftSwitchNetwork.start(kit.system(), new SoftSwitchNetwork.Settings(Topologies.linear(3),
                "127.0.0.1", 0, 0, Optional.empty()));
        // Link s1:2 <-> s2:1, through the relay: s1 sends to towardB's socket, s2 to towardA's.
        SoftSwitchNode s1 = network.nodes().get("s1");
        SoftSwitchNode s2 = network.nodes().get("s2");
        relay = new Relay(s1.portAddresses().get(2), s2.portAddresses().get(1), DROPPED);
        s1.ports().fixPeer(2, (InetSocketAddress) relay.towardA.getLocalSocketAddress());
        s2.ports().fixPeer(1, (InetSocketAddress) relay.towardB.getLocalSocketAddress());
    }

    @AfterEach
    void stop() throws Exception {
        agents.forEach(kit::stop);
        relay.close();
        network.stop().toCompletableFuture().get(15, TimeUnit.SECONDS);
        kit.shutdownTestKit();
    }

    @ParameterizedTest
    @EnumSource(StareProgram.Mode.class)
    void aLostPropagationIsRepeatedUntilTheNeighbourAcks(StareProgram.Mode mode) throws Exception {
        startAgents(mode, 8);
        try (Host publisher = new Host(network.hostPortAddress("h1"), 1);
             Host subscriber = new Host(network.hostPortAddress("h3"), 3)) {
            subscriber.send(MessageKind.SUB_REGISTER, STATE, 1, new byte[0]);
            assertNotNull(subscriber.receive(MessageKind.SUB_ACK, 5_000), "no SUB-ack from s3");

            // s1 learns of the subscriber only through s2's retransmissions.
            AgentView s2 = awaitView(kit, agents.get(1), v -> v.arq().acknowledged() >= 1 && v.arq().pending() == 0,
                    AgentTestSupport.WAIT);
            assertEquals(DROPPED, relay.dropped.get());
            assertTrue(s2.arq().retransmissions() >= DROPPED, s2.arq().toString());
            assertEquals(0, s2.arq().abandoned());

            publisher.send(MessageKind.PUBLISH, STATE, 1, "through a lossy link".getBytes());
            var delivered = subscriber.receive(MessageKind.PUBLISH, 5_000);
            assertNotNull(delivered, "the publish did not reach the subscriber");
            assertEquals("through a lossy link", new String(delivered.payload()));
        }
    }

    @Test
    void withoutRetransmissionsTheSubscriptionStopsShortOfTheLossyLink() throws Exception {
        startAgents(StareProgram.Mode.REGISTER, 0);
        try (Host publisher = new Host(network.hostPortAddress("h1"), 1);
             Host subscriber = new Host(network.hostPortAddress("h3"), 3)) {
            subscriber.send(MessageKind.SUB_REGISTER, STATE, 1, new byte[0]);
            assertNotNull(subscriber.receive(MessageKind.SUB_ACK, 5_000), "no SUB-ack from s3");
            AgentView s2 = awaitView(kit, agents.get(1), v -> v.arq().abandoned() == 1, AgentTestSupport.WAIT);
            assertEquals(0, s2.arq().retransmissions());
            assertTrue(s2.lastError().orElseThrow().contains("no SUB-ack"), s2.lastError().toString());
            publisher.send(MessageKind.PUBLISH, STATE, 1, "lost".getBytes());
            assertNull(subscriber.receive(MessageKind.PUBLISH, 500), "s1 cannot know of the subscriber");
        }
    }

    private void startAgents(StareProgram.Mode mode, int arqLimit) throws InterruptedException {
        SpanningTree tree = SpanningTree.of(network.topology());
        for (Map.Entry<String, SoftSwitchNode> node : network.nodes().entrySet()) {
            agents.add(kit.spawn(SwitchAgent.create(settings(node.getValue().grpcAddress(), agents.size() + 1L, 1,
                    mode, tree.treePorts(node.getKey())).withArq(Duration.ofMillis(100), Duration.ofMillis(800),
                    arqLimit)), "agent-" + node.getKey()));
        }
        for (ActorRef<SwitchAgent.Command> agent : agents) {
            awaitReady(kit, agent);
        }
    }
}
