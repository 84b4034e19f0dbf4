package io.stare.actors.middleware.gateway;

import static io.stare.actors.middleware.gateway.GatewayFabric.WAIT;
import static io.stare.actors.middleware.gateway.GatewayFabric.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.client.PublishResult;
import io.stare.client.StareClient;
import io.stare.client.StateListener;
import io.stare.protocol.DecodeError;
import io.stare.protocol.ErrorCode;
import io.stare.protocol.vnf.VnfFrameCodec;
import io.stare.protocol.vnf.VnfMessage;
import io.stare.testing.TestTime;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** TCP VNFs against a real fabric: a software switch, the replica controller, two middlewares. */
@Timeout(60)
class VnfGatewayTest {

    private static GatewayFabric fabric;

    @BeforeAll
    static void start() throws Exception {
        fabric = new GatewayFabric(1024);
    }

    @AfterAll
    static void stop() throws Exception {
        fabric.close();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** Collects updates heard by an in-JVM VNF. */
    static final class Heard implements StateListener {
        final List<byte[]> values = new ArrayList<>();
        final List<Long> updates = new ArrayList<>();

        @Override
        public synchronized void onUpdate(int stateId, long update, byte[] value) {
            values.add(value);
            updates.add(update);
        }

        synchronized int size() {
            return values.size();
        }

        synchronized List<byte[]> values() {
            return List.copyOf(values);
        }
    }

    static void eventually(BooleanSupplier condition, String what) {
        TestTime.eventually(WAIT, () -> org.junit.jupiter.api.Assertions.assertTrue(condition.getAsBoolean(),
                "waiting for " + what));
    }

    @Test
    void aTcpVnfAndAnInJvmVnfOnAnotherServerExchangeUpdatesBothWays() throws Exception {
        StareClient jvm = fabric.vnf(1, "jvm-on-h2");
        try (TcpVnf tcp = fabric.connect()) {
            int tcpId = tcp.handshakeAndRegister("tcp-vnf");
            int tcpState = tcp.declare("tcp-state");

            // TCP → in-JVM across the switch.
            Heard heard = new Heard();
            assertEquals(tcpState, await(jvm.subscribe("tcp-state", heard)));
            for (int i = 0; i < 20; i++) {
                assertEquals(i, tcp.publish(tcpState, bytes("tcp#" + i)));
            }
            eventually(() -> heard.size() >= 20, "20 updates at the in-JVM VNF");
            for (int i = 0; i < 20; i++) {
                assertArrayEquals(bytes("tcp#" + i), heard.values().get(i));
            }

            // In-JVM → TCP: DELIVER frames with the publisher's ID and the update numbers.
            int jvmState = await(jvm.declare("jvm-state"));
            assertEquals(jvmState, tcp.call(new VnfMessage.LookupState(tcp.nextRequestId(), "jvm-state"),
                    VnfMessage.StateFound.class).stateId());
            assertEquals(jvmState, tcp.subscribe("jvm-state"));
            for (int i = 0; i < 20; i++) {
                assertInstanceOf(PublishResult.Published.class, await(jvm.publish("jvm-state", bytes("jvm#" + i))));
            }
            List<VnfMessage.Deliver> delivered = tcp.awaitDeliveries(20);
            for (int i = 0; i < 20; i++) {
                VnfMessage.Deliver d = delivered.get(i);
                assertEquals(jvmState, d.stateId());
                assertEquals(jvm.vnfId(), d.publisherVnfId());
                assertEquals(i, d.updateNo());
                assertArrayEquals(bytes("jvm#" + i), d.payload());
            }

            tcp.call(new VnfMessage.Unsubscribe(tcp.nextRequestId(), jvmState), VnfMessage.Unsubscribed.class);
            long req = tcp.nextRequestId();
            tcp.expectError(new VnfMessage.LookupState(req, "nobody-declared-this"), req, ErrorCode.UNKNOWN_STATE);
            assertTrue(tcpId >= 0);
        } finally {
            jvm.close();
        }
    }

    @Test
    void aTcpVnfListsTheStatesUnderAPrefixInOrder() throws Exception {
        StareClient jvm = fabric.vnf(1, "lister-peer");
        StareClient tcp = StareClient.connect(fabric.gateway.localAddress(), "lister", java.time.Duration.ofSeconds(10), "");
        try {
            await(jvm.declare("estate/fw/edge-b"));
            await(tcp.declare("estate/fw/edge-a"));
            await(jvm.declare("estate/other/0"));
            assertEquals(List.of("estate/fw/edge-a", "estate/fw/edge-b"), await(tcp.states("estate/fw/")));
            assertEquals(List.of("estate/fw/edge-a", "estate/fw/edge-b"), await(jvm.states("estate/fw/")),
                    "the same through the in-JVM client");
            assertEquals(List.of(), await(tcp.states("nothing/")));
        } finally {
            tcp.close();
            jvm.close();
        }
    }

    @Test
    void whenTheConnectionClosesItsVnfLeavesAndItsNameIsFreeAgain() throws Exception {
        StareClient jvm = fabric.vnf(0, "jvm-on-h1");
        int state = await(jvm.declare("h1-state"));
        try (TcpVnf first = fabric.connect()) {
            first.handshakeAndRegister("leaving-vnf");
            first.subscribe("h1-state");
            await(jvm.publish(state, bytes("before")));
            assertArrayEquals(bytes("before"), first.awaitDeliveries(1).get(0).payload());
            try (TcpVnf second = fabric.connect()) {
                second.call(new VnfMessage.Hello(1, 1, "second"), VnfMessage.HelloAck.class);
                second.expectError(new VnfMessage.RegisterVnf(9, "leaving-vnf"), 9, ErrorCode.BAD_REQUEST);
            }
        }
        eventually(() -> fabric.gateway.counters().open() == 0, "the sessions to end");
        // The VNF left with its subscription: a publish reaches no local subscriber, and its name is free.
        long localDeliveries = fabric.stats(0).localDeliveries();
        assertInstanceOf(PublishResult.Published.class, await(jvm.publish(state, bytes("after"))));
        assertEquals(localDeliveries, fabric.stats(0).localDeliveries());
        try (TcpVnf again = fabric.connect()) {
            again.call(new VnfMessage.Hello(1, 1, "again"), VnfMessage.HelloAck.class);
            // The old session's name is released once its VNF has left.
            TestTime.eventually(WAIT, () -> assertInstanceOf(VnfMessage.VnfRegistered.class,
                    again.call(new VnfMessage.RegisterVnf(again.nextRequestId(), "leaving-vnf"), VnfMessage.class)));
        } finally {
            jvm.close();
        }
    }


    @Test
    void hostileInputIsRefusedTypedAndCountedWhileAGoodVnfIsUnaffected() throws Exception {
        StareClient jvm = fabric.vnf(1, "hostile-observer");
        VnfGateway.Counters before = fabric.gateway.counters();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (TcpVnf good = fabric.connect()) {
            good.handshakeAndRegister("good-vnf");
            int goodState = good.declare("good-state");
            Heard heard = new Heard();
            await(jvm.subscribe("good-state", heard));
            // The good VNF publishes all along, from another thread.
            Future<Integer> goodTraffic = pool.submit((Callable<Integer>) () -> {
                for (int i = 0; i < 200; i++) {
                    assertEquals(i, good.publish(goodState, bytes("good#" + i)));
                }
                return 200;
            });

            // 1. Garbage: an HTTP probe. Its first four bytes read as a huge length: refused and closed.
            try (TcpVnf probe = fabric.connect()) {
                probe.sendRaw(bytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
                VnfMessage.Error error = assertInstanceOf(VnfMessage.Error.class, probe.next());
                assertEquals(ErrorCode.PAYLOAD_TOO_LARGE, error.code());
                assertEquals(0, error.requestId());
                probe.awaitClosed();
            }
            // 2. A request before the handshake: BAD_REQUEST and closed.
            try (TcpVnf eager = fabric.connect()) {
                eager.send(new VnfMessage.RegisterVnf(5, "eager"));
                VnfMessage.Error error = assertInstanceOf(VnfMessage.Error.class, eager.next());
                assertEquals(ErrorCode.BAD_REQUEST, error.code());
                assertEquals(5, error.requestId());
                eager.awaitClosed();
            }
            // 3. No version in common: UNSUPPORTED_VERSION and closed.
            try (TcpVnf future = fabric.connect()) {
                future.send(new VnfMessage.Hello(VnfFrameCodec.PROTOCOL_VERSION + 1, VnfFrameCodec.PROTOCOL_VERSION + 2,
                        "from-the-future"));
                assertEquals(ErrorCode.UNSUPPORTED_VERSION,
                        assertInstanceOf(VnfMessage.Error.class, future.next()).code());
                future.awaitClosed();
            }
            // 4. After the handshake: an unknown frame type, a MW→VNF frame, publishing someone else's
            //    state, a request before REGISTER_VNF; each refused, the connection stays usable.
            try (TcpVnf rogue = fabric.connect()) {
                rogue.call(new VnfMessage.Hello(1, 1, "rogue"), VnfMessage.HelloAck.class);
                rogue.sendRaw(new byte[] {0, 0, 0, 3, 0x7f, 1, 2});
                assertEquals(ErrorCode.BAD_REQUEST, assertInstanceOf(VnfMessage.Error.class, rogue.reply()).code());
                rogue.expectError(new VnfMessage.Deliver(1, 1, 1, new byte[0]), 0, ErrorCode.BAD_REQUEST);
                rogue.expectError(new VnfMessage.DeclarePublishState(7, "x"), 7, ErrorCode.NOT_REGISTERED);
                rogue.call(new VnfMessage.RegisterVnf(8, "rogue"), VnfMessage.VnfRegistered.class);
                rogue.expectError(new VnfMessage.Publish(9, goodState, bytes("forged")), 9, ErrorCode.NOT_PUBLISHER);
                rogue.expectError(new VnfMessage.Publish(10, 4_000_000, bytes("nowhere")), 10, ErrorCode.NOT_PUBLISHER);
                rogue.expectError(new VnfMessage.RegisterVnf(11, "rogue-again"), 11, ErrorCode.BAD_REQUEST);
                // 5. An oversize length prefix: refused, and only this connection closes.
                rogue.sendRaw(ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE).array());
                assertEquals(ErrorCode.PAYLOAD_TOO_LARGE, assertInstanceOf(VnfMessage.Error.class, rogue.reply()).code());
                rogue.awaitClosed();
            }
            // 6. A zero length: a framing error too.
            try (TcpVnf zero = fabric.connect()) {
                zero.call(new VnfMessage.Hello(1, 1, "zero"), VnfMessage.HelloAck.class);
                zero.sendRaw(new byte[] {0, 0, 0, 0});
                assertEquals(ErrorCode.BAD_REQUEST, assertInstanceOf(VnfMessage.Error.class, zero.reply()).code());
                zero.awaitClosed();
            }
            // 7. A truncated frame, then the VNF hangs up.
            try (TcpVnf truncated = fabric.connect()) {
                truncated.call(new VnfMessage.Hello(1, 1, "truncated"), VnfMessage.HelloAck.class);
                byte[] frame = VnfFrameCodec.encode(new VnfMessage.RegisterVnf(1, "half"));
                truncated.sendRaw(Arrays.copyOf(frame, frame.length - 3));
            }

            assertEquals(200, goodTraffic.get(WAIT.toSeconds(), TimeUnit.SECONDS));
            eventually(() -> heard.size() >= 200, "the good VNF's 200 updates");
            for (int i = 0; i < 200; i++) {
                assertArrayEquals(bytes("good#" + i), heard.values().get(i));
            }
            eventually(() -> fabric.gateway.counters().decodeErrors(DecodeError.Kind.TRUNCATED)
                    > before.decodeErrors(DecodeError.Kind.TRUNCATED), "the truncated frame to be counted");
            VnfGateway.Counters after = fabric.gateway.counters();
            assertEquals(2, after.decodeErrors(DecodeError.Kind.OVERSIZE) - before.decodeErrors(DecodeError.Kind.OVERSIZE));
            assertEquals(1, after.decodeErrors(DecodeError.Kind.UNKNOWN_KIND)
                    - before.decodeErrors(DecodeError.Kind.UNKNOWN_KIND));
            assertEquals(1, after.decodeErrors(DecodeError.Kind.MALFORMED) - before.decodeErrors(DecodeError.Kind.MALFORMED));
            assertEquals(2, after.errors(ErrorCode.NOT_PUBLISHER) - before.errors(ErrorCode.NOT_PUBLISHER));
            assertEquals(1, after.errors(ErrorCode.NOT_REGISTERED) - before.errors(ErrorCode.NOT_REGISTERED));
            assertEquals(1, after.errors(ErrorCode.UNSUPPORTED_VERSION) - before.errors(ErrorCode.UNSUPPORTED_VERSION));
            assertEquals(2, after.errors(ErrorCode.PAYLOAD_TOO_LARGE) - before.errors(ErrorCode.PAYLOAD_TOO_LARGE));
            assertEquals(5, after.errors(ErrorCode.BAD_REQUEST) - before.errors(ErrorCode.BAD_REQUEST));
            assertEquals(4, after.framingCloses() - before.framingCloses());
            // The good VNF is still served.
            assertEquals(200, good.publish(goodState, bytes("good#200")));
        } finally {
            pool.shutdownNow();
            jvm.close();
        }
    }
}
