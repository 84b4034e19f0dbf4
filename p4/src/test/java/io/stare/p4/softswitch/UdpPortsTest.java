package io.stare.p4.softswitch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.p4.pipeline.CpuHeaders;
import io.stare.p4.pipeline.DropReason;
import io.stare.p4.pipeline.Pipeline;
import io.stare.p4.pipeline.PortMask;
import io.stare.p4.pipeline.RegisterPipeline;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.header.StareHeader;
import io.stare.protocol.packet.Ethernet;
import io.stare.protocol.packet.InternetChecksum;
import io.stare.protocol.packet.PacketCodec;
import io.stare.protocol.packet.StarePacket;
import io.stare.testing.TestTime;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The UDP port transport over real sockets on 127.0.0.1: plain {@link DatagramSocket}s play the
 * hosts (middleware tunnel sockets), and real register-mode pipelines do the switching.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS) // one ActorSystem for the class, shut down after it
class UdpPortsTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** How long "receives nothing" listens: the frames it rules out would arrive in microseconds. */
    private static final int SILENCE_MILLIS = 300;
    private static final int STATE = 100;

    @JUnit5TestKit
    ActorTestKit testKit = new JUnit5TestKitBuilder().build();

    private final List<UdpPorts> transports = new ArrayList<>();
    private final List<DatagramSocket> sockets = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (UdpPorts transport : transports) {
            await(transport.close());
        }
        for (DatagramSocket socket : sockets) {
            socket.close();
        }
        transports.clear(); // the instance, and so these lists, lives for the whole class
        sockets.clear();
    }

    @Test
    void hostsSubscribeAndPublishThroughOneSwitch() throws Exception {
        SoftSwitch sw = registerSwitch("s1", 0);
        DatagramSocket a = host();
        DatagramSocket b = host();
        DatagramSocket c = host();
        // C's port knows C from the start, so C would receive anything sent on port 2.
        Map<Integer, InetSocketAddress> port = bind(sw, List.of(PortBinding.loopback(0), PortBinding.loopback(1),
                PortBinding.linked(2, (InetSocketAddress) c.getLocalSocketAddress())));

        byte[] register = frame(2, sub(MessageKind.SUB_REGISTER, 1, 2));
        send(b, port.get(1), register);
        DatagramPacket ack = receive(b);
        assertEquals(port.get(1), ack.getSocketAddress(), "the ack comes from port 1's own socket");
        StarePacket ackPacket = decode(payload(ack));
        assertEquals(MessageKind.SUB_ACK, ackPacket.header().kind());
        assertEquals(STATE, ackPacket.header().stateId());

        byte[] publish = frame(1, publish(7, "state update".getBytes(StandardCharsets.US_ASCII)));
        send(a, port.get(0), publish);
        assertArrayEquals(withTtl(publish, StarePacket.DEFAULT_TTL - 1), payload(receive(b)));
        assertSilent(c);
        assertSilent(a);

        UdpPorts transport = transports.get(0);
        // A datagram is counted once its send returns, which may be after its receiver has it.
        TestTime.eventually(WAIT, () -> {
            assertEquals(new PortCounters(1, 0, 0, 0, 0, 0, 0), transport.counters(0));
            assertEquals(new PortCounters(1, 2, 0, 0, 0, 0, 0), transport.counters(1));
            assertEquals(new PortCounters(0, 0, 0, 0, 0, 0, 0), transport.counters(2));
        });
        assertEquals(b.getLocalSocketAddress(), transport.peer(1).orElseThrow(), "port 1 learned B");
    }

    @Test
    void aSubscriptionAndAPublishCrossAUdpLinkBetweenTwoSwitches() throws Exception {
        // s1: publisher A on 0, link on 2. s2: link on 0, subscriber B on 1.
        SoftSwitch s1 = registerSwitch("s1", PortMask.bit(2));
        SoftSwitch s2 = registerSwitch("s2", PortMask.bit(0));
        DatagramSocket a = host();
        DatagramSocket b = host();
        // Both link ends are ephemeral: s2 binds first, s1 links to it, then s2 is pointed back.
        Map<Integer, InetSocketAddress> s2Ports = bind(s2, List.of(PortBinding.loopback(0), PortBinding.loopback(1)));
        Map<Integer, InetSocketAddress> s1Ports = bind(s1, List.of(PortBinding.loopback(0),
                PortBinding.linked(2, s2Ports.get(0))));
        transports.get(0).fixPeer(0, s1Ports.get(2));

        send(b, s2Ports.get(1), frame(2, sub(MessageKind.SUB_REGISTER, 1, 2)));
        assertEquals(MessageKind.SUB_ACK, decode(payload(receive(b))).header().kind());
        eventually(() -> statePorts(s1) == PortMask.bit(2), "s1 learns the subscription on its link port");
        eventually(() -> transports.get(0).counters(0).received() == 1, "s2 receives s1's SUB-ack on the link");

        byte[] publish = frame(1, publish(3, new byte[] {1, 2, 3}));
        send(a, s1Ports.get(0), publish);
        assertArrayEquals(withTtl(publish, StarePacket.DEFAULT_TTL - 2), payload(receive(b)),
                "two hops, two TTL decrements");
        assertSilent(a);
        assertEquals(s2Ports.get(0), transports.get(1).peer(2).orElseThrow());
    }

    @Test
    void garbageIsCountedByThePipelineAndTheNextGoodFrameStillPasses() throws Exception {
        SoftSwitch sw = registerSwitch("s1", 0);
        DatagramSocket a = host();
        DatagramSocket b = host();
        Map<Integer, InetSocketAddress> port = bind(sw, List.of(PortBinding.loopback(0), PortBinding.loopback(1)));
        send(b, port.get(1), frame(2, sub(MessageKind.SUB_REGISTER, 1, 2)));
        receive(b);

        byte[] random = new byte[300];
        new Random(42).nextBytes(random);
        for (byte[] garbage : List.of(random, new byte[0], new byte[] {0x42}, new byte[Ethernet.HEADER_LENGTH])) {
            send(a, port.get(0), garbage);
        }
        eventually(() -> sw.drops(DropReason.BAD_ETHERNET) + sw.drops(DropReason.NOT_IPV4)
                + sw.drops(DropReason.MALFORMED) == 4, "the pipeline drops all four");

        byte[] publish = frame(1, publish(1, new byte[] {9}));
        send(a, port.get(0), publish);
        assertArrayEquals(withTtl(publish, StarePacket.DEFAULT_TTL - 1), payload(receive(b)));
        assertEquals(new PortCounters(5, 0, 0, 0, 0, 0, 0), transports.get(0).counters(0));
    }

    @Test
    void anExceptionFromTheSwitchCostsOneFrameNotThePort() throws Exception {
        RegisterPipeline inner = registerPipeline(0);
        byte[] poison = "BOOM".getBytes(StandardCharsets.US_ASCII);
        SoftSwitch sw = new SoftSwitch("s1", 8);
        sw.install(new ThrowingOn(inner, poison));
        DatagramSocket a = host();
        DatagramSocket b = host();
        Map<Integer, InetSocketAddress> port = bind(sw, List.of(PortBinding.loopback(0), PortBinding.loopback(1)));
        send(b, port.get(1), frame(2, sub(MessageKind.SUB_REGISTER, 1, 2)));
        receive(b);

        send(a, port.get(0), poison);
        send(a, port.get(0), poison);
        eventually(() -> transports.get(0).counters(0).receiveErrors() == 2, "both throws are counted");
        byte[] publish = frame(1, publish(1, new byte[] {9}));
        send(a, port.get(0), publish);
        assertArrayEquals(withTtl(publish, StarePacket.DEFAULT_TTL - 1), payload(receive(b)));
    }

    @Test
    void framesThatCannotBeSentAreDroppedAndCounted() throws Exception {
        SoftSwitch sw = registerSwitch("s1", 0);
        DatagramSocket sink = host();
        bind(sw, List.of(PortBinding.loopback(0),
                PortBinding.linked(1, (InetSocketAddress) sink.getLocalSocketAddress())));
        UdpPorts transport = transports.get(0);

        sw.packetOut(CpuHeaders.PacketOut.forward(0), small(3)); // port 0 has heard from nobody
        sw.packetOut(CpuHeaders.PacketOut.forward(5), small(3)); // port 5 is not bound here
        sw.packetOut(CpuHeaders.PacketOut.forward(1), new byte[UdpPorts.MAX_DATAGRAM + 1]);
        byte[] largest = new byte[UdpPorts.MAX_DATAGRAM];
        largest[0] = 7;
        sw.packetOut(CpuHeaders.PacketOut.forward(1), largest);

        assertArrayEquals(largest, payload(receive(sink)), "the largest datagram fits");
        // The sender counts a datagram once its send returns, which may be after the sink has it.
        TestTime.eventually(WAIT, () -> {
            assertEquals(new PortCounters(0, 0, 1, 0, 0, 0, 0), transport.counters(0));
            assertEquals(new PortCounters(0, 1, 0, 0, 1, 0, 0), transport.counters(1));
        });
        assertEquals(1, transport.framesToUnboundPorts());
        assertThrows(IllegalArgumentException.class, () -> transport.counters(5));
    }

    @Test
    void packetOutsFromTheControlPlaneLeaveInOrderThroughTheDataPath() throws Exception {
        SoftSwitch sw = registerSwitch("s1", 0);
        DatagramSocket sink = host();
        sink.setReceiveBufferSize(1 << 20);
        bind(sw, List.of(PortBinding.linked(0, (InetSocketAddress) sink.getLocalSocketAddress())));
        // From the test's thread: queued to the data path's thread, which owns the pipeline.
        int frames = 200;
        for (int i = 0; i < frames; i++) {
            sw.packetOut(CpuHeaders.PacketOut.forward(0), small(i));
        }
        for (int i = 0; i < frames; i++) {
            assertEquals((byte) i, payload(receive(sink))[Ethernet.HEADER_LENGTH - 1], "frame " + i + " in order");
        }
        TestTime.eventually(WAIT, () -> assertEquals(frames, transports.get(0).counters(0).sent()));
    }

    @Test
    void closeReleasesTheSocketsForRebinding() throws Exception {
        SoftSwitch sw = registerSwitch("s1", 0);
        UdpPorts first = UdpPorts.bind(testKit.system(), sw, List.of(PortBinding.loopback(0), PortBinding.loopback(1)));
        Map<Integer, InetSocketAddress> addresses = await(first.boundAddresses());
        await(first.close());
        await(first.close()); // idempotent

        // A closed transport no longer sends: the frame is counted, not lost silently.
        first.fixPeer(0, addresses.get(1));
        sw.packetOut(CpuHeaders.PacketOut.forward(0), small(1));
        assertEquals(new PortCounters(0, 0, 0, 0, 0, 1, 0), first.counters(0));

        // The very addresses bind again, by a plain socket and by a new transport.
        try (DatagramSocket plain = new DatagramSocket(addresses.get(0))) {
            assertEquals(addresses.get(0), plain.getLocalSocketAddress());
        }
        Map<Integer, InetSocketAddress> again = bind(sw, List.of(
                PortBinding.loopback(0).withLocalAddress(addresses.get(0)),
                PortBinding.loopback(1).withLocalAddress(addresses.get(1))));
        assertEquals(addresses, again);
    }

    @Test
    void bindingsAreChecked() {
        SoftSwitch sw = new SoftSwitch("s1", 4);
        assertThrows(IllegalArgumentException.class,
                () -> UdpPorts.bind(testKit.system(), sw, List.of(PortBinding.loopback(4))));
        assertThrows(IllegalArgumentException.class,
                () -> UdpPorts.bind(testKit.system(), sw, List.of(PortBinding.loopback(1), PortBinding.loopback(1))));
        assertThrows(IllegalArgumentException.class, () -> PortBinding.loopback(-1));
        assertThrows(IllegalArgumentException.class,
                () -> PortBinding.linked(0, InetSocketAddress.createUnresolved("nowhere", 1)));
        assertEquals(LOOPBACK, PortBinding.loopback(0).localAddress().getAddress(), "loopback unless told");
    }

    // --- switches, hosts, frames ---

    /** The smallest frame a packet-out may carry (an Ethernet header), tagged in its last byte. */
    private static byte[] small(int tag) {
        byte[] frame = new byte[Ethernet.HEADER_LENGTH];
        frame[frame.length - 1] = (byte) tag;
        return frame;
    }

    private static RegisterPipeline registerPipeline(long treePorts) {
        RegisterPipeline pipeline = new RegisterPipeline(8, 2048);
        assertTrue(pipeline.replication().installPortMaskGroups(8).isDone());
        pipeline.setTreePorts(treePorts);
        return pipeline;
    }

    private static SoftSwitch registerSwitch(String name, long treePorts) {
        SoftSwitch sw = new SoftSwitch(name, 8);
        sw.install(registerPipeline(treePorts));
        return sw;
    }

    private static long statePorts(SoftSwitch sw) {
        return sw.withPipeline(p -> ((RegisterPipeline) p).statePorts().read(STATE)).orElseThrow();
    }

    private Map<Integer, InetSocketAddress> bind(SoftSwitch sw, List<PortBinding> bindings) throws Exception {
        UdpPorts transport = UdpPorts.bind(testKit.system(), sw, bindings);
        transports.add(transport);
        Map<Integer, InetSocketAddress> addresses = await(transport.boundAddresses());
        addresses.values().forEach(address -> assertEquals(LOOPBACK, address.getAddress()));
        return addresses;
    }

    private DatagramSocket host() throws IOException {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        socket.setSoTimeout((int) WAIT.toMillis());
        sockets.add(socket);
        return socket;
    }

    private static void send(DatagramSocket from, InetSocketAddress to, byte[] frame) throws IOException {
        from.send(new DatagramPacket(frame, frame.length, to));
    }

    private static DatagramPacket receive(DatagramSocket socket) throws IOException {
        DatagramPacket packet = new DatagramPacket(new byte[65_536], 65_536);
        socket.receive(packet); // bounded by the socket's timeout
        return packet;
    }

    private static byte[] payload(DatagramPacket packet) {
        return Arrays.copyOfRange(packet.getData(), packet.getOffset(), packet.getOffset() + packet.getLength());
    }

    private static void assertSilent(DatagramSocket socket) throws IOException {
        int timeout = socket.getSoTimeout();
        socket.setSoTimeout(SILENCE_MILLIS);
        try {
            DatagramPacket unexpected = receive(socket);
            throw new AssertionError("expected silence, got " + unexpected.getLength() + " bytes from "
                    + unexpected.getSocketAddress());
        } catch (SocketTimeoutException expected) {
            // nothing came
        } finally {
            socket.setSoTimeout(timeout);
        }
    }

    private static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static void eventually(BooleanSupplier condition, String what) {
        TestTime.eventually(WAIT, () -> org.junit.jupiter.api.Assertions.assertTrue(condition.getAsBoolean(),
                "waiting until " + what));
    }

    private static StarePacket sub(MessageKind kind, int sequence, int hostId) {
        return new StarePacket(ip(hostId), 65432, StarePacket.DEFAULT_TTL,
                StareHeader.subscription(kind, STATE, sequence, hostId), new byte[0]);
    }

    private static StarePacket publish(int update, byte[] payload) {
        return new StarePacket(ip(1), 40000, StarePacket.DEFAULT_TTL,
                new StareHeader(MessageKind.PUBLISH, STATE, update, 1, 1, 0), payload);
    }

    /** Host {@code id}'s frame: its MAC 02:00:00:00:00:id, the multicast MAC of the STARE address. */
    private static byte[] frame(int hostId, StarePacket packet) {
        return Ethernet.wrapIpv4Multicast(0x020000000000L | hostId, PacketCodec.encode(packet));
    }

    private static int ip(int hostId) {
        return 0x0a000000 | hostId;
    }

    private static StarePacket decode(byte[] frame) {
        byte[] ip = Ethernet.unwrap(frame).orElseThrow().payload();
        return PacketCodec.decode(ip).orElseThrow();
    }

    /** What a switch forwards: the same frame with another TTL and the IPv4 checksum recomputed. */
    private static byte[] withTtl(byte[] frame, int ttl) {
        byte[] copy = frame.clone();
        int ipOffset = Ethernet.HEADER_LENGTH;
        copy[ipOffset + 8] = (byte) ttl;
        ByteBuffer b = ByteBuffer.wrap(copy);
        b.putShort(ipOffset + 10, (short) 0);
        b.putShort(ipOffset + 10, (short) InternetChecksum.of(b, ipOffset, 20));
        return copy;
    }

    /** A register pipeline that throws on one exact frame, as a buggy pipeline might. */
    private record ThrowingOn(RegisterPipeline inner, byte[] poison) implements Pipeline {
        @Override
        public int portCount() {
            return inner.portCount();
        }

        @Override
        public io.stare.p4.pipeline.PipelineResult process(int ingressPort, byte[] frame) {
            if (Arrays.equals(frame, poison)) {
                throw new IllegalStateException("pipeline bug on purpose");
            }
            return inner.process(ingressPort, frame);
        }

        @Override
        public io.stare.p4.pipeline.PipelineResult processPacketOut(byte[] message) {
            return inner.processPacketOut(message);
        }

        @Override
        public io.stare.p4.pipeline.PipelineResult processPacketOut(CpuHeaders.PacketOut header, byte[] payload) {
            return inner.processPacketOut(header, payload);
        }

        @Override
        public io.stare.p4.pipeline.ReplicationEngine replication() {
            return inner.replication();
        }

        @Override
        public io.stare.p4.pipeline.Ipv4Lpm ipv4Lpm() {
            return inner.ipv4Lpm();
        }

        @Override
        public io.stare.p4.pipeline.DropCounters drops() {
            return inner.drops();
        }
    }
}
