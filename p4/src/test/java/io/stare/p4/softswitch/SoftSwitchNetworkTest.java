package io.stare.p4.softswitch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.p4.program.StareProgram;
import io.stare.p4.topology.Topologies;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.header.StareHeader;
import io.stare.protocol.packet.Ethernet;
import io.stare.protocol.packet.PacketCodec;
import io.stare.protocol.packet.StarePacket;
import io.stare.testing.TestTime;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.grpc.GrpcClientSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import p4.v1.CapabilitiesRequest;
import p4.v1.P4RuntimeClient;

/**
 * Three standalone software switches in a row, linked over real loopback UDP, with hosts as plain
 * UDP sockets: a subscription travels the tree and a publish reaches exactly its subscriber.
 */
class SoftSwitchNetworkTest {

    private static final int STATE = 321;

    private ActorTestKit testKit;
    private SoftSwitchNetwork network;

    @BeforeEach
    void start() throws Exception {
        testKit = ActorTestKit.create();
        network = SoftSwitchNetwork.start(testKit.system(), new SoftSwitchNetwork.Settings(Topologies.linear(3),
                "127.0.0.1", 0, 0, Optional.of(StareProgram.Mode.REGISTER)));
    }

    @AfterEach
    void stop() throws Exception {
        network.stop().toCompletableFuture().get(15, TimeUnit.SECONDS);
        testKit.shutdownTestKit();
    }

    /** A host: a UDP socket that talks to its switch port. */
    private final class Host implements AutoCloseable {
        final DatagramSocket socket;
        final InetSocketAddress switchPort;
        final int id;

        Host(String name, int id) throws Exception {
            this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            this.socket.setSoTimeout(200);
            this.switchPort = network.hostPortAddress(name);
            this.id = id;
        }

        void send(MessageKind kind, int update, byte[] payload) throws Exception {
            StareHeader header = kind == MessageKind.PUBLISH
                    ? new StareHeader(kind, STATE, update, id, 1, 0)
                    : StareHeader.subscription(kind, STATE, update, id);
            byte[] frame = Ethernet.wrapIpv4Multicast(0x0200_0000_0000L + id,
                    PacketCodec.encode(new StarePacket(0x7f000000 + id, 40000, 64, header, payload)));
            socket.send(new DatagramPacket(frame, frame.length, switchPort));
        }

        /** The next STARE packet received within {@code millis}, or null. */
        StarePacket receive(long millis) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            byte[] buffer = new byte[65535];
            while (System.nanoTime() < deadline) {
                DatagramPacket datagram = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(datagram);
                } catch (SocketTimeoutException e) {
                    continue;
                }
                byte[] frame = Arrays.copyOf(buffer, datagram.getLength());
                return PacketCodec.decode(Ethernet.unwrap(frame).orElseThrow().payload()).orElseThrow();
            }
            return null;
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    @Test
    void subscriptionCrossesTheTreeAndPublishesReachOnlyTheSubscriber() throws Exception {
        try (Host publisher = new Host("h1", 1); Host bystander = new Host("h2", 2); Host subscriber = new Host("h3", 3)) {
            // The bystander says something first so its switch port learns where it is.
            bystander.send(MessageKind.SUB_REMOVE, 1, new byte[0]);
            assertEquals(MessageKind.SUB_ACK, bystander.receive(5_000).header().kind());

            subscriber.send(MessageKind.SUB_REGISTER, 7, new byte[0]);
            StarePacket ack = subscriber.receive(5_000);
            assertEquals(MessageKind.SUB_ACK, ack.header().kind());
            assertEquals(7, ack.header().updateNo());

            // The SUB-register travels s3 -> s2 -> s1 over UDP; wait until s1 has the bit for its link port.
            TestTime.eventually(java.time.Duration.ofSeconds(10), () -> assertEquals(0b100L, network.nodes().get("s1")
                    .softSwitch().withPipeline(p -> ((io.stare.p4.pipeline.RegisterPipeline) p).statePorts().read(STATE))
                    .orElse(0L)));

            publisher.send(MessageKind.PUBLISH, 1, "hello".getBytes());
            StarePacket delivered = subscriber.receive(5_000);
            assertEquals(MessageKind.PUBLISH, delivered.header().kind());
            assertEquals("hello", new String(delivered.payload()));
            assertEquals(64 - 3, delivered.ttl()); // three switches on the way
            assertNull(subscriber.receive(300), "delivered more than once");
            assertNull(bystander.receive(300), "a host that did not subscribe received the publish");
        }
    }

    @Test
    void everySwitchServesP4Runtime() throws Exception {
        for (SoftSwitchNode node : network.nodes().values()) {
            P4RuntimeClient client = P4RuntimeClient.create(GrpcClientSettings
                    .connectToServiceAt("127.0.0.1", node.grpcAddress().getPort(), testKit.system()).withTls(false),
                    testKit.system());
            try {
                assertEquals(P4RuntimeServer.API_VERSION, client.capabilities(CapabilitiesRequest.getDefaultInstance())
                        .toCompletableFuture().get(10, TimeUnit.SECONDS).getP4RuntimeApiVersion());
            } finally {
                client.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
        }
        assertTrue(network.nodes().get("s2").softSwitch().hasPipeline());
    }
}
