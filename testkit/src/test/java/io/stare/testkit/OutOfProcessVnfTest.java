package io.stare.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.client.Delivery;
import io.stare.client.PublishResult;
import io.stare.client.StareClient;
import io.stare.client.StareException;
import io.stare.client.StateCodec;
import io.stare.protocol.ErrorCode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * VNFs attached over a middleware's TCP gateway (the {@link StareClient#connect} client, as a VNF in
 * a process of its own uses it) next to in-JVM ones: the same API, the same guarantees.
 */
@Timeout(90)
class OutOfProcessVnfTest {

    @RegisterExtension
    final StareFabricExtension fabric = StareFabricExtension.builder().build(); // s1 with h1, h2

    @Test
    void aTcpVnfAndAnInJvmVnfExchangeUpdatesBothWays() throws Exception {
        StareClient inJvm = fabric.vnf("h1", "in-jvm");
        StareClient overTcp = fabric.tcpVnf("h2", "over-tcp");
        int fromJvm = fabric.await(inJvm.declare("from-jvm"));
        int fromTcp = fabric.await(overTcp.declare("from-tcp"));
        ProbeListener atTcp = fabric.listener();
        ProbeListener atJvm = fabric.listener();
        fabric.await(overTcp.subscribe("from-jvm", atTcp));
        fabric.await(inJvm.subscribe("from-tcp", atJvm));
        fabric.awaitRoute(fromJvm, "h1", "h2");
        fabric.awaitRoute(fromTcp, "h2", "h1");

        fabric.await(inJvm.publish("from-jvm", new byte[] {1, 2}));
        PublishResult sent = fabric.await(overTcp.publish("from-tcp", new byte[] {3}));
        long second = overTcp.tryPublish(fromTcp, new byte[] {9, 4, 9}, 1, 1);

        Delivery.Update heardOverTcp = atTcp.probe().expectMessageClass(Delivery.Update.class);
        assertArrayEquals(new byte[] {1, 2}, heardOverTcp.value());
        assertEquals(inJvm.vnfId(), heardOverTcp.publisherVnfId());
        assertEquals(0, assertInstanceOf(PublishResult.Published.class, sent).update());
        assertEquals(1, second);
        assertArrayEquals(new byte[] {3}, atJvm.probe().expectMessageClass(Delivery.Update.class).value());
        assertArrayEquals(new byte[] {4}, atJvm.probe().expectMessageClass(Delivery.Update.class).value());
    }

    @Test
    void refusalsKeepTheirCodeOverTcp() throws Exception {
        StareClient overTcp = fabric.tcpVnf("h1", "refused");
        ExecutionException unknown = assertThrows(ExecutionException.class,
                () -> overTcp.subscribe("never-declared", fabric.listener()).toCompletableFuture().get());
        assertEquals(ErrorCode.UNKNOWN_STATE, assertInstanceOf(StareException.class, unknown.getCause()).code());
        PublishResult notMine = fabric.await(overTcp.publish("not-declared", new byte[] {1}));
        assertEquals(PublishResult.Reason.NOT_DECLARED, assertInstanceOf(PublishResult.Refused.class, notMine).reason());
        assertEquals(PublishResult.NOT_DECLARED, overTcp.tryPublish(12345, new byte[] {1}, 0, 1));
    }

    @Test
    void aTcpSubscriberThatStartsFirstWaitsForTheDeclarationAndGetsTypedValues() throws Exception {
        StareClient subscriber = fabric.tcpVnf("h2", "early");
        List<String> heard = new CopyOnWriteArrayList<>();
        var subscribed = subscriber.subscribe("late", (stateId, update, value) -> heard.add(new String(value)),
                Duration.ofSeconds(30));
        StareClient publisher = fabric.vnf("h1", "late-publisher");
        int state = fabric.await(publisher.declare("late"));
        assertEquals(state, (int) fabric.await(subscribed));
        fabric.awaitRoute(state, "h1", "h2");
        fabric.await(publisher.publish("late", "hello", StateCodec.utf8()));
        fabric.fabric().eventually(() -> assertEquals(List.of("hello"), heard));
    }

    @Test
    void theGatewayOfAHostIsOneAddressForEveryOutOfProcessVnf() throws Exception {
        assertEquals(fabric.gateway("h1"), fabric.gateway("h1"));
        assertTrue(fabric.gateway("h1").getAddress().isLoopbackAddress());
        CompletionException closed = assertThrows(CompletionException.class, () -> {
            StareClient vnf = fabric.tcpVnf("h1", "short-lived");
            vnf.close();
            vnf.declare("after-close").toCompletableFuture().join();
        });
        assertEquals(ErrorCode.UNAVAILABLE, assertInstanceOf(StareException.class, closed.getCause()).code());

        // A request queued when the client closes completes (done, or refused as UNAVAILABLE): never hangs.
        StareClient closing = fabric.tcpVnf("h1", "closing");
        java.util.concurrent.CompletableFuture<Integer> queued = closing.declare("queued").toCompletableFuture();
        closing.close();
        try {
            queued.get(fabric.fabric().timeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (ExecutionException refused) {
            assertEquals(ErrorCode.UNAVAILABLE, assertInstanceOf(StareException.class, refused.getCause()).code());
        }
    }
}
