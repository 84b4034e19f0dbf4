package io.stare.actors.agent;

import io.stare.p4.program.StareProgram;
import io.stare.p4.softswitch.PortBinding;
import io.stare.p4.softswitch.SoftSwitchNode;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.header.StareHeader;
import io.stare.protocol.packet.Ethernet;
import io.stare.protocol.packet.PacketCodec;
import io.stare.protocol.packet.StarePacket;
import io.stare.testing.TestTime;
import java.math.BigInteger;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.grpc.GrpcClientSettings;
import org.apache.pekko.stream.javadsl.Sink;
import p4.v1.Entity;
import p4.v1.P4RuntimeClient;
import p4.v1.ReadRequest;
import p4.v1.ReadResponse;

/** Helpers for the switch agent tests: settings, bounded waits on views, hosts, P4Runtime reads. */
public final class AgentTestSupport {

    static final Duration WAIT = Duration.ofSeconds(10);

    private AgentTestSupport() {
    }

    /** Settings with short, test-friendly timeouts. */
    static AgentSettings settings(InetSocketAddress grpc, long deviceId, long electionId, StareProgram.Mode mode,
                                  long treePorts) {
        return new AgentSettings("127.0.0.1", grpc.getPort(), deviceId, BigInteger.valueOf(electionId), "", mode,
                treePorts, 8, Duration.ofMillis(50), Duration.ofMillis(400), Duration.ofSeconds(5),
                Duration.ofMillis(100), Duration.ofMillis(800), 8);
    }

    /** Asks the agent for its view until {@code condition} holds, at most {@code max}. */
    public static AgentView awaitView(ActorTestKit kit, ActorRef<SwitchAgent.Command> agent,
                                      Predicate<AgentView> condition, Duration max) {
        TestProbe<AgentView> probe = kit.createTestProbe();
        AgentView[] last = new AgentView[1];
        try {
            return TestTime.eventually(max, () -> {
                agent.tell(new SwitchAgent.GetView(probe.ref()));
                return last[0] = probe.receiveMessage(Duration.ofSeconds(3));
            }, condition);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("condition not met within " + max + "; last view: " + last[0], e);
        }
    }

    static AgentView awaitReady(ActorTestKit kit, ActorRef<SwitchAgent.Command> agent) throws InterruptedException {
        return awaitView(kit, agent, AgentView::ready, WAIT);
    }

    /** A software switch with {@code ports} loopback ports and no pipeline (an agent pushes it). */
    static SoftSwitchNode startSwitch(ActorTestKit kit, long deviceId, int ports) throws Exception {
        List<PortBinding> bindings = new java.util.ArrayList<>();
        for (int port = 0; port < ports; port++) {
            bindings.add(PortBinding.loopback(port));
        }
        return SoftSwitchNode.start(kit.system(), new SoftSwitchNode.Settings("s1", deviceId, bindings,
                new InetSocketAddress("127.0.0.1", 0), java.util.Optional.empty(), 0));
    }

    /** Asks the agent to run {@code job} with its register access of {@code kind}; the job's value. */
    @SuppressWarnings("unchecked")
    static <T> T useRegisters(ActorTestKit kit, ActorRef<SwitchAgent.Command> agent, RegisterAccess.Kind kind,
                              java.util.function.Function<RegisterAccess, java.util.concurrent.CompletionStage<T>> job) {
        TestProbe<Object> probe = kit.createTestProbe();
        agent.tell(new SwitchAgent.UseRegisters(kind, access -> job.apply(access), probe.ref()));
        Object outcome = probe.receiveMessage(WAIT);
        if (outcome instanceof Throwable failure) {
            throw new AssertionError(kind + " register access failed", failure);
        }
        return (T) outcome;
    }

    /** Every entity matching {@code filter} on a switch, read by a separate P4Runtime client. */
    static List<Entity> read(ActorSystem<?> system, InetSocketAddress grpc, long deviceId, Entity filter)
            throws Exception {
        P4RuntimeClient client = P4RuntimeClient.create(GrpcClientSettings
                .connectToServiceAt("127.0.0.1", grpc.getPort(), system).withTls(false), system);
        try {
            List<ReadResponse> responses = client.read(ReadRequest.newBuilder().setDeviceId(deviceId)
                    .addEntities(filter).build()).runWith(Sink.seq(), system).toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            return responses.stream().flatMap(r -> r.getEntitiesList().stream()).toList();
        } finally {
            client.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** A host: a UDP socket that sends STARE frames to its switch port and receives what comes back. */
    static final class Host implements AutoCloseable {
        final DatagramSocket socket;
        final InetSocketAddress switchPort;
        final int id;

        Host(InetSocketAddress switchPort, int id) throws Exception {
            this(new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)), switchPort, id);
        }

        Host(DatagramSocket socket, InetSocketAddress switchPort, int id) throws Exception {
            this.socket = socket;
            this.socket.setSoTimeout(100);
            this.switchPort = switchPort;
            this.id = id;
        }

        InetSocketAddress address() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        void send(MessageKind kind, int state, int update, byte[] payload) throws Exception {
            byte[] frame = frame(kind, state, update, payload);
            socket.send(new DatagramPacket(frame, frame.length, switchPort));
        }

        /** The frame {@link #send} sends. */
        byte[] frame(MessageKind kind, int state, int update, byte[] payload) {
            StareHeader header = kind == MessageKind.PUBLISH
                    ? new StareHeader(kind, state, update, id, 1, 0)
                    : StareHeader.subscription(kind, state, update, id);
            return Ethernet.wrapIpv4Multicast(0x0200_0000_0000L + id,
                    PacketCodec.encode(new StarePacket(0x7f000000 + id, 40000, 64, header, payload)));
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

        /** The next packet of {@code kind} within {@code millis} (others are skipped), or null. */
        StarePacket receive(MessageKind kind, long millis) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            while (System.nanoTime() < deadline) {
                StarePacket packet = receive(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                if (packet != null && packet.header().kind() == kind) {
                    return packet;
                }
            }
            return null;
        }

        @Override
        public void close() {
            socket.close();
        }
    }
}
