package io.stare.actors.middleware;

import static io.stare.actors.middleware.Testbed.WAIT;
import static io.stare.actors.middleware.Testbed.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.client.Delivery;
import io.stare.client.PublishResult;
import io.stare.client.StareClient;
import io.stare.client.StareException;
import io.stare.protocol.ErrorCode;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.frame.ServerFrames;
import io.stare.testing.TestTime;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Something between H3 and its switch port: loss (publishes recovered through RECOVER, SUB
 * messages through the SUB-* RESEND ARQ, a permanent failure reported to the VNF) and hostile
 * frames (counted, never fatal).
 */
@Timeout(120)
class MiddlewareLinkTest {

    private Testbed testbed;
    private LossyRelay relay;

    @AfterEach
    void stop() throws Exception {
        if (testbed != null) {
            testbed.close();
        }
    }

    /** H3 (server index 2) reaches the switch through a relay with these drop rules. */
    private void start(Predicate<byte[]> dropUp, Predicate<byte[]> dropDown, Duration arqTimeout, int arqLimit)
            throws Exception {
        testbed = new Testbed(settings -> settings.withArq(arqTimeout, arqTimeout.multipliedBy(4), arqLimit)
                .withLatestPoll(Duration.ofMillis(200)), (server, switchPort) -> {
            if (server != 2) {
                return switchPort;
            }
            relay = new LossyRelay(switchPort, dropUp, dropDown);
            return relay.serverSide();
        });
        testbed.onClose(relay);
    }

    @Test
    void everyUpdateArrivesThroughRecoverDespiteFivePercentLoss() throws Exception {
        Random random = new Random(5);
        start(frame -> false, frame -> LossyRelay.is(frame, MessageKind.PUBLISH) && random.nextDouble() < 0.05,
                Duration.ofMillis(100), 8);
        StareClient a = testbed.vnf(0, "a");
        StareClient d = testbed.vnf(2, "d");
        await(a.declare("state-a"));
        Recorder atD = new Recorder();
        await(d.subscribe("state-a", atD));

        int updates = 200;
        List<byte[]> values = new ArrayList<>();
        Random content = new Random(11);
        List<CompletionStage<PublishResult>> results = new ArrayList<>();
        for (int i = 0; i < updates; i++) {
            byte[] value = new byte[1 + content.nextInt(4000)]; // one to three segments
            content.nextBytes(value);
            values.add(value);
            results.add(a.publish("state-a", value));
        }
        // A marker after them: once it is heard, anything repeated would be in the recorder.
        byte[] marker = {42};
        values.add(marker);
        results.add(a.publish("state-a", marker));
        for (CompletionStage<PublishResult> result : results) {
            assertInstanceOf(PublishResult.Published.class, await(result));
        }
        List<Recorder.Heard> heard = atD.awaitCount(updates + 1, Duration.ofSeconds(60));
        assertEquals(updates + 1, heard.size(), "every update exactly once");
        for (int i = 0; i <= updates; i++) {
            assertEquals(i, heard.get(i).update());
            assertArrayEquals(values.get(i), heard.get(i).value(), "update " + i);
        }
        assertTrue(atD.losses().isEmpty(), "losses " + atD.losses());
        assertTrue(relay.droppedDown() > 0, "the link dropped nothing");
        assertTrue(testbed.stats(2).recoverRequests() > 0, "nothing was recovered");
    }

    /**
     * The last update is lost and nothing follows it to reveal the gap: the periodic latest-update
     * query (200 ms here) tells the subscriber's middleware it exists, and RECOVER brings it.
     */
    @Test
    void aLostLastUpdateIsFoundThroughTheLatestUpdateQuery() throws Exception {
        start(frame -> false, frame -> LossyRelay.is(frame, MessageKind.PUBLISH)
                && ServerFrames.decode(frame).orElseThrow().header().updateNo() == 4, Duration.ofMillis(100), 8);
        StareClient a = testbed.vnf(0, "a");
        StareClient d = testbed.vnf(2, "d");
        await(a.declare("state-a"));
        Recorder atD = new Recorder();
        await(d.subscribe("state-a", atD));
        for (int i = 0; i < 5; i++) {
            assertInstanceOf(PublishResult.Published.class, await(a.publish("state-a", new byte[] {(byte) i})));
        }
        List<Recorder.Heard> heard = atD.awaitCount(5, Duration.ofSeconds(20));
        assertEquals(List.of(0L, 1L, 2L, 3L, 4L), heard.stream().map(Recorder.Heard::update).toList());
        assertEquals(1, relay.droppedDown(), "only update 4 was dropped");
        assertTrue(testbed.stats(2).recoverRequests() > 0, "update 4 came back through RECOVER");
        assertEquals(1, testbed.stats(2).recoveredSegments());
    }

    @Test
    void subscriptionCompletesWhileSubAcksAreDropped() throws Exception {
        AtomicInteger acksToDrop = new AtomicInteger(3);
        start(frame -> false, frame -> LossyRelay.is(frame, MessageKind.SUB_ACK) && acksToDrop.getAndDecrement() > 0,
                Duration.ofMillis(50), 8);
        StareClient a = testbed.vnf(0, "a");
        StareClient d = testbed.vnf(2, "d");
        await(a.declare("state-a"));
        Recorder atD = new Recorder();
        await(d.subscribe("state-a", atD));

        assertEquals(3, relay.droppedDown());
        Middleware.Stats h3 = testbed.stats(2);
        assertTrue(h3.arq().retransmissions() >= 3, "retransmissions " + h3.arq());
        assertEquals(1, h3.arq().acknowledged());
        assertInstanceOf(PublishResult.Published.class, await(a.publish("state-a", new byte[] {42})));
        assertArrayEquals(new byte[] {42}, atD.awaitCount(1, WAIT).get(0).value());
    }

    @Test
    void aSubscriptionTheSwitchNeverAcknowledgesIsReportedToTheVnf() throws Exception {
        start(frame -> false, frame -> LossyRelay.is(frame, MessageKind.SUB_ACK), Duration.ofMillis(50), 3);
        StareClient a = testbed.vnf(0, "a");
        StareClient d = testbed.vnf(2, "d");
        await(a.declare("state-a"));

        ExecutionException error = assertThrows(ExecutionException.class,
                () -> await(d.subscribe("state-a", new Recorder())));
        StareException noAck = assertInstanceOf(StareException.class, error.getCause());
        assertEquals(ErrorCode.UNAVAILABLE, noAck.code(), noAck.getMessage());
        assertTrue(noAck.getMessage().contains("no SUB-ack"), noAck.getMessage());
        Middleware.Stats h3 = testbed.stats(2);
        assertEquals(1, h3.arq().abandoned());
        assertEquals(3, h3.arq().retransmissions());
    }


    @Test
    void hostileFramesAreCountedAndNeverStopTheMiddleware() throws Exception {
        start(frame -> false, frame -> false, Duration.ofMillis(100), 8);
        StareClient a = testbed.vnf(0, "a");
        StareClient d = testbed.vnf(2, "d");
        await(a.declare("state-a"));
        Recorder atD = new Recorder();
        await(d.subscribe("state-a", atD)); // H3 has spoken: the relay knows where it is

        List<byte[]> hostile = new ArrayList<>();
        hostile.add(new byte[5]); // shorter than Ethernet
        hostile.add(ethernet(0x0010, new byte[20])); // an 802.3 length, not an EtherType
        hostile.add(ethernet(0x86dd, new byte[40])); // IPv6
        hostile.add(ethernet(0x0800, new byte[10])); // a truncated IPv4 header
        byte[] corrupted = new ServerFrames(9).publish(new io.stare.protocol.segment.Segment(1, 9, 0, 1, 0, new byte[] {1, 2, 3}));
        corrupted[corrupted.length - 1] ^= 0x55; // the UDP checksum no longer matches
        hostile.add(corrupted);
        Random random = new Random(3);
        for (int i = 0; i < 100; i++) {
            byte[] body = new byte[random.nextInt(200)];
            random.nextBytes(body);
            hostile.add(ethernet(0x0800, body));
        }
        for (byte[] frame : hostile) {
            relay.injectDown(frame);
        }
        try (java.net.DatagramSocket stranger = new java.net.DatagramSocket(
                new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0))) {
            byte[] frame = new ServerFrames(9).publish(new io.stare.protocol.segment.Segment(1, 9, 0, 1, 0, new byte[] {1}));
            stranger.send(new java.net.DatagramPacket(frame, frame.length, testbed.stats(2).tunnelAddress()));
        }

        TestTime.eventually(WAIT, () -> {
            Middleware.Stats h3 = testbed.stats(2);
            assertEquals(hostile.size(), h3.decodeErrors());
            assertEquals(1, h3.transport().foreign());
        });
        assertInstanceOf(PublishResult.Published.class, await(a.publish("state-a", new byte[] {7})));
        assertArrayEquals(new byte[] {7}, atD.awaitCount(1, WAIT).get(0).value());
    }

    @Test
    void anUpdateTheBacklogNoLongerHasReachesTheVnfAsALossNotice() throws Exception {
        testbed = new Testbed(settings -> settings.withLatestPoll(Duration.ofMillis(200)), (server, switchPort) -> {
            if (server != 2) {
                return switchPort;
            }
            relay = new LossyRelay(switchPort, frame -> false, frame -> {
                var decoded = ServerFrames.decode(frame);
                return decoded.isOk() && decoded.orElseThrow().header().kind() == MessageKind.PUBLISH
                        && decoded.orElseThrow().header().updateNo() == 3;
            });
            return relay.serverSide();
        }, ForgetfulController.create());
        testbed.onClose(relay);
        StareClient a = testbed.vnf(0, "a");
        StareClient d = testbed.vnf(2, "d");
        await(a.declare("state-a"));
        Recorder atD = new Recorder();
        await(d.subscribe("state-a", atD));
        for (int i = 0; i < 10; i++) {
            assertInstanceOf(PublishResult.Published.class, await(a.publish("state-a", new byte[] {(byte) i})));
        }
        List<Recorder.Heard> heard = atD.awaitCount(9, WAIT);
        assertEquals(List.of(0L, 1L, 2L, 4L, 5L, 6L, 7L, 8L, 9L), heard.stream().map(Recorder.Heard::update).toList());
        TestTime.eventually(WAIT, () -> assertEquals(
                List.of(new Delivery.Loss(1, 1, 3, 3, Delivery.Loss.Reason.UNRECOVERABLE)), atD.losses()));
    }

    /**
     * A publisher that declares on a second server (its first process gone) must number on from the
     * backlog's newest update. While the backlog answers busy, it cannot know that number: the
     * declaration fails with the reason instead of numbering from 0 and reusing update numbers
     * (which subscribers would drop as duplicates).
     */
    @Test
    void aDeclarationThatCannotLearnTheNewestUpdateFailsRatherThanReuseNumbers() throws Exception {
        AtomicInteger busy = new AtomicInteger();
        testbed = new Testbed(settings -> settings, (server, switchPort) -> switchPort, ForgetfulController.create(busy));
        StareClient first = testbed.vnf(0, "a");
        await(first.declare("state-a"));
        for (int i = 0; i < 5; i++) {
            assertInstanceOf(PublishResult.Published.class, await(first.publish("state-a", new byte[] {(byte) i})));
        }
        testbed.testKit.createTestProbe().awaitAssert(WAIT, () -> {
            assertEquals(0, testbed.stats(0).unconfirmedAppends(), "the backlog holds updates 0..4");
            return null;
        });
        first.close();

        StareClient again = testbed.vnf(1, "a"); // the same VNF, now on another server
        busy.set(1); // nothing else asks for the latest update: no server subscribes
        ExecutionException refused = assertThrows(ExecutionException.class,
                () -> again.declare("state-a").toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        assertEquals(ErrorCode.BUSY, assertInstanceOf(StareException.class, refused.getCause()).code(),
                refused.getCause().getMessage());
        assertEquals(0, busy.get());

        await(again.declare("state-a"));
        PublishResult next = await(again.publish("state-a", new byte[] {5}));
        assertEquals(5, assertInstanceOf(PublishResult.Published.class, next).update());
    }

    private static byte[] ethernet(int etherType, byte[] payload) {
        byte[] frame = new byte[14 + payload.length];
        frame[12] = (byte) (etherType >>> 8);
        frame[13] = (byte) etherType;
        System.arraycopy(payload, 0, frame, 14, payload.length);
        return frame;
    }
}
