package io.stare.datapath;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A data path on real loopback sockets, driven by plain {@link DatagramSocket}s as its peers. */
class DataPathTest {

    private static ActorTestKit testKit;
    private final List<DataPath<?>> paths = new ArrayList<>();
    private final List<DatagramSocket> sockets = new ArrayList<>();

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create("datapath-test");
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (DataPath<?> path : paths) {
            path.close().toCompletableFuture().get(timeout().toMillis(), TimeUnit.MILLISECONDS);
        }
        sockets.forEach(DatagramSocket::close);
    }

    private static Duration timeout() {
        return testKit.testKitSettings().dilated(Duration.ofSeconds(5));
    }

    private static DataPathSettings settings() {
        return DataPathSettings.fromConfig(testKit.system().settings().config());
    }

    private static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    private <C> DataPath<C> start(List<PortSpec> ports, Duration tick, Function<Ingress<C>, Egress> logic)
            throws IOException {
        DataPath<C> path = DataPath.start(testKit.system(), "test-" + paths.size(), ports, tick, logic);
        paths.add(path);
        return path;
    }

    private DatagramSocket socket() throws IOException {
        DatagramSocket socket = new DatagramSocket(loopback());
        socket.setSoTimeout((int) timeout().toMillis());
        sockets.add(socket);
        return socket;
    }

    private static byte[] frame(int length, int fill) {
        byte[] frame = new byte[length];
        Arrays.fill(frame, (byte) fill);
        return frame;
    }

    private static byte[] receive(DatagramSocket socket) throws IOException {
        DatagramPacket packet = new DatagramPacket(new byte[65_536], 65_536);
        socket.receive(packet);
        return Arrays.copyOf(packet.getData(), packet.getLength());
    }

    /** Sends every frame back where it came from, on the same port (what is shorter than an Ethernet header is junk). */
    private static <C> Egress echo(Ingress<C> in) {
        for (int i = 0; i < in.frameCount(); i++) {
            if (in.length(i) >= TunnelFraming.MIN_FRAME) {
                in.egress().copy(in.port(i), in.buffer(), in.offset(i), in.length(i));
            }
        }
        return in.egress();
    }

    private static void awaitCounters(DataPath<?> path, int port, java.util.function.Consumer<PortCounters> check) {
        testKit.createTestProbe().awaitAssert(timeout(), () -> {
            check.accept(path.counters(port));
            return null;
        });
    }

    @Test
    void framesComeBackInTheFramingThePeerUsed() throws Exception {
        DataPath<Object> path = start(List.of(PortSpec.udp("p0", loopback(), settings())), Duration.ZERO,
                DataPathTest::echo);
        DatagramSocket peer = socket();
        InetSocketAddress port = path.localAddress(0);

        byte[] raw = frame(60, 1);
        peer.send(new DatagramPacket(raw, raw.length, port));
        assertArrayEquals(raw, receive(peer), "a raw frame comes back raw");

        byte[] batch = TunnelFraming.batch(frame(20, 2), frame(1500, 3), frame(14, 4));
        peer.send(new DatagramPacket(batch, batch.length, port));
        assertArrayEquals(batch, receive(peer), "a batch comes back as the same batch");

        // The counters move right after the send that the peer has already seen: wait for them.
        awaitCounters(path, 0, counters -> {
            assertEquals(2, counters.datagramsIn());
            assertEquals(4, counters.framesIn());
            assertEquals(4, counters.framesOut());
        });
        assertEquals(peer.getLocalSocketAddress(), path.peer(0).orElseThrow());
    }

    @Test
    void hostileDatagramsAreCountedAndGoodOnesStillFlow() throws Exception {
        DatagramSocket owner = socket();
        DatagramSocket stranger = socket();
        PortSpec only = PortSpec.udp("tunnel", loopback(), settings())
                .withPeer(new PortSpec.Fixed((InetSocketAddress) owner.getLocalSocketAddress(), true))
                .withFraming(PortSpec.Framing.BATCH);
        DataPath<Object> path = start(List.of(only), Duration.ZERO, DataPathTest::echo);
        InetSocketAddress port = path.localAddress(0);

        byte[] junk = frame(30, 9);
        stranger.send(new DatagramPacket(junk, junk.length, port));
        byte[] malformed = Arrays.copyOf(TunnelFraming.batch(frame(20, 1)), 30);
        owner.send(new DatagramPacket(malformed, malformed.length, port));
        byte[] empty = new byte[0];
        owner.send(new DatagramPacket(empty, 0, port));
        byte[] good = frame(40, 5);
        owner.send(new DatagramPacket(good, good.length, port));

        assertArrayEquals(TunnelFraming.batch(good), receive(owner), "a fixed peer on a batch port gets batches");
        awaitCounters(path, 0, counters -> {
            assertEquals(1, counters.foreign());
            assertEquals(1, counters.malformed());
            assertEquals(1, counters.framesOut());
            assertEquals(2, counters.datagramsIn(), "the empty datagram reaches the logic as a raw frame of 0 bytes");
        });
    }

    @Test
    void controlMessagesSignalsTasksAndTicksReachTheDataPathThread() throws Exception {
        TestProbe<String> probe = testKit.createTestProbe();
        AtomicInteger ticks = new AtomicInteger();
        DataPath<String> path = start(List.of(PortSpec.udp("p0", loopback(), settings())), Duration.ofMillis(20),
                in -> {
                    for (String control : in.controls()) {
                        probe.ref().tell(control + "@" + Thread.currentThread().getName());
                    }
                    if (in.signalled()) {
                        probe.ref().tell("signal");
                    }
                    if (in.tick()) {
                        ticks.incrementAndGet();
                    }
                    return in.egress();
                });
        assertTrue(path.offer("one"));
        assertTrue(path.offer("two"));
        String first = probe.receiveMessage(timeout());
        assertTrue(first.startsWith("one@"), first);
        assertTrue(first.contains("pinned-dispatcher"), "runs on the data path's own thread: " + first);
        assertTrue(probe.receiveMessage(timeout()).startsWith("two@"));
        path.signal();
        probe.expectMessage(timeout(), "signal");
        String thread = path.call(ports -> Thread.currentThread().getName()).toCompletableFuture()
                .get(timeout().toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(first.substring(first.indexOf('@') + 1), thread, "tasks run on the same thread");
        probe.awaitAssert(timeout(), () -> {
            assertTrue(ticks.get() >= 3, "ticks: " + ticks.get());
            return null;
        });
    }

    @Test
    void framesLargerThanADatagramAreDroppedAndCounted() throws Exception {
        DatagramSocket peer = socket();
        PortSpec fixed = PortSpec.udp("p0", loopback(), settings())
                .withPeer(new PortSpec.Fixed((InetSocketAddress) peer.getLocalSocketAddress(), false))
                .withFraming(PortSpec.Framing.RAW);
        DataPath<Integer> path = start(List.of(fixed), Duration.ZERO, in -> {
            for (int length : in.controls()) {
                int at = in.egress().claim(0, length);
                if (at >= 0) {
                    in.egress().buffer(0).put(at, frame(length, 1));
                }
            }
            return in.egress();
        });
        assertTrue(path.offer(TunnelFraming.MAX_DATAGRAM + 1));
        assertTrue(path.offer(100));
        assertEquals(100, receive(peer).length);
        assertEquals(1, path.counters(0).droppedSize(), path.counters(0).toString());
        assertEquals(1, path.counters(0).framesOut());
    }

    @Test
    void portsOpenLaterAndCloseReleasesEverySocket() throws Exception {
        DataPath<Object> path = start(List.of(PortSpec.udp("p0", loopback(), settings())), Duration.ZERO,
                DataPathTest::echo);
        int second = path.call(ports -> ports.open(PortSpec.udp("p1", loopback(), settings())))
                .toCompletableFuture().get(timeout().toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(1, second);
        DatagramSocket peer = socket();
        byte[] raw = frame(50, 6);
        peer.send(new DatagramPacket(raw, raw.length, path.localAddress(1)));
        assertArrayEquals(raw, receive(peer), "the new port is served like the first");

        InetSocketAddress a = path.localAddress(0);
        InetSocketAddress b = path.localAddress(1);
        path.close().toCompletableFuture().get(timeout().toMillis(), TimeUnit.MILLISECONDS);
        for (InetSocketAddress address : List.of(a, b)) {
            try (DatagramSocket again = new DatagramSocket(address)) {
                assertEquals(address.getPort(), again.getLocalPort());
            }
        }
        assertFalse(path.offer(new Object()), "a closed data path takes nothing");
    }

    @Test
    void manyFramesPerCycleCrossInOrder() throws Exception {
        DatagramSocket peer = socket();
        peer.setReceiveBufferSize(4 << 20);
        DataPath<Object> path = start(List.of(PortSpec.udp("p0", loopback(), settings())), Duration.ZERO,
                DataPathTest::echo);
        int count = 2000;
        for (int i = 0; i < count; i++) {
            byte[] raw = frame(64, i);
            raw[0] = (byte) (i >> 8);
            raw[1] = (byte) i;
            peer.send(new DatagramPacket(raw, raw.length, path.localAddress(0)));
        }
        int next = 0;
        try {
            while (next < count) {
                byte[] back = receive(peer);
                int seen = ((back[0] & 0xff) << 8) | (back[1] & 0xff);
                assertTrue(seen >= next, "in order: " + seen + " after " + next);
                next = seen + 1;
            }
        } catch (SocketTimeoutException e) {
            // Loopback may drop under a burst into a full receive buffer; what arrived was in order.
        }
        assertTrue(path.counters(0).framesIn() > 0);
    }

    @Test
    void idleWorkRunsOnTheCallersThreadAndIsSentBeforeItReturns() throws Exception {
        DatagramSocket peer = socket();
        PortSpec fixed = PortSpec.udp("p0", loopback(), settings())
                .withPeer(new PortSpec.Fixed((InetSocketAddress) peer.getLocalSocketAddress(), false))
                .withFraming(PortSpec.Framing.RAW);
        List<Boolean> fromInsideTheLogic = new java.util.concurrent.CopyOnWriteArrayList<>();
        DataPath<String> path = start(List.of(fixed), Duration.ZERO, in -> in.egress());
        DataPath<String>[] self = new DataPath[] {path};
        byte[] frame = frame(64, 7);
        Thread[] ranOn = new Thread[1];
        // The data path falls asleep soon after it starts; until then the call is refused.
        testKit.createTestProbe().awaitAssert(timeout(), () -> {
            assertTrue(path.runIfIdle(egress -> {
                ranOn[0] = Thread.currentThread();
                egress.copy(0, java.nio.ByteBuffer.wrap(frame), 0, frame.length);
                fromInsideTheLogic.add(self[0].runIfIdle(inner -> { }));
            }), "an idle data path lets the caller run the work");
            return null;
        });
        assertEquals(Thread.currentThread(), ranOn[0], "the work ran on the caller's thread");
        assertArrayEquals(frame, receive(peer), "what the work wrote was sent");
        assertEquals(List.of(false), fromInsideTheLogic, "work already running the logic is never nested");
    }

    @Test
    void idleWorkAndCyclesNeverOverlap() throws Exception {
        DatagramSocket peer = socket();
        java.util.concurrent.atomic.AtomicBoolean running = new java.util.concurrent.atomic.AtomicBoolean();
        AtomicInteger overlaps = new AtomicInteger();
        AtomicInteger steps = new AtomicInteger();
        AtomicInteger nestedFromStep = new AtomicInteger();
        DataPath<String>[] self = new DataPath[1];
        DataPath<String> path = start(List.of(PortSpec.udp("p0", loopback(), settings())), Duration.ZERO, in -> {
            if (!running.compareAndSet(false, true)) {
                overlaps.incrementAndGet();
            }
            steps.incrementAndGet();
            if (self[0].runIfIdle(egress -> { })) {
                nestedFromStep.incrementAndGet();
            }
            running.set(false);
            return in.egress();
        });
        self[0] = path;
        Runnable critical = () -> {
            if (!running.compareAndSet(false, true)) {
                overlaps.incrementAndGet();
            }
            Thread.onSpinWait();
            running.set(false);
        };
        int ranIdle = 0;
        byte[] datagram = frame(64, 1);
        long deadline = System.nanoTime() + timeout().toNanos();
        for (int i = 0; i < 20_000 && System.nanoTime() < deadline; i++) {
            if (i % 4 == 0) {
                peer.send(new DatagramPacket(datagram, datagram.length, path.localAddress(0))); // keeps the stage cycling
            }
            if (path.runIfIdle(egress -> critical.run())) {
                ranIdle++;
            }
        }
        int during = ranIdle;
        testKit.createTestProbe().awaitAssert(timeout(), () -> {
            assertTrue(path.runIfIdle(egress -> critical.run()), "once traffic stops, the data path idles");
            return null;
        });
        assertEquals(0, overlaps.get(), "the logic ran on two threads at once (" + during + " idle runs, "
                + steps.get() + " steps)");
        assertTrue(steps.get() > 0, "the stage cycled");
        assertEquals(0, nestedFromStep.get(), "the data path's own step never runs idle work inline");
    }

    @Test
    void idleWorkIsRefusedWhenSwitchedOff() throws Exception {
        DataPath<String> path = DataPath.start(testKit.system(), settings().withRunIdleWork(false), "off",
                List.of(PortSpec.udp("p0", loopback(), settings())), Duration.ZERO, in -> in.egress());
        paths.add(path);
        DataPath<String> on = start(List.of(PortSpec.udp("p0", loopback(), settings())), Duration.ZERO,
                in -> in.egress());
        // Both paths idle alike: once the one with the setting on takes idle work, so would this one.
        testKit.createTestProbe().awaitAssert(timeout(), () -> {
            assertTrue(on.runIfIdle(egress -> { }));
            return null;
        });
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < 100; i++) {
            assertFalse(path.runIfIdle(egress -> ran.incrementAndGet()), "run-idle-work = off");
        }
        assertEquals(0, ran.get());
    }
}
