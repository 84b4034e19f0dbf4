package io.stare.actors.middleware;

import static io.stare.actors.middleware.Testbed.WAIT;
import static io.stare.actors.middleware.Testbed.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.client.Delivery;
import io.stare.client.PublishResult;
import io.stare.client.StareClient;
import io.stare.client.StareException;
import io.stare.testing.TestTime;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * End to end through a real software switch: the paper's testbed (Fig. 7a) with one VNF on H1,
 * two on H2 and one on H3.
 */
@Timeout(120)
class MiddlewareTestbedTest {

    private static final int UPDATES = 50;

    private Testbed testbed;
    private StareClient a;
    private StareClient b;
    private StareClient c;
    private StareClient d;

    @BeforeEach
    void start() throws Exception {
        testbed = new Testbed();
        a = testbed.vnf(0, "a");
        b = testbed.vnf(1, "b");
        c = testbed.vnf(1, "c");
        d = testbed.vnf(2, "d");
        for (StareClient vnf : List.of(a, b, c, d)) {
            await(vnf.declare("state-" + vnf.name()));
        }
    }

    @AfterEach
    void stop() throws Exception {
        testbed.close();
    }

    private static byte[] value(String state, int i) {
        return (state + "#" + i).getBytes(StandardCharsets.UTF_8);
    }

    private static void publishAll(StareClient publisher, int from, int to) throws Exception {
        List<CompletionStage<PublishResult>> results = new ArrayList<>();
        for (int i = from; i < to; i++) {
            results.add(publisher.publish("state-" + publisher.name(), value("state-" + publisher.name(), i)));
        }
        for (CompletionStage<PublishResult> result : results) {
            assertInstanceOf(PublishResult.Published.class, await(result));
        }
    }

    private static void assertInOrderExactlyOnce(List<Recorder.Heard> heard, String state, int count) {
        assertEquals(count, heard.size(), state + ": every update exactly once");
        for (int i = 0; i < count; i++) {
            assertEquals(i, heard.get(i).update(), state + ": in order");
            assertArrayEquals(value(state, i), heard.get(i).value(), state + ": value of update " + i);
        }
    }

    @Test
    void everySubscriberReceivesEveryUpdateInOrderExactlyOnce() throws Exception {
        // Who subscribes to whom: remote states across the switch, and on H2 each other's state locally.
        Map<StareClient, List<StareClient>> subscriptions = Map.of(
                a, List.of(d, b),
                b, List.of(a, c, d),
                c, List.of(a, b),
                d, List.of(a, b, c));
        Map<String, Recorder> recorders = new java.util.HashMap<>();
        for (var entry : subscriptions.entrySet()) {
            for (StareClient publisher : entry.getValue()) {
                Recorder recorder = new Recorder();
                recorders.put(entry.getKey().name() + "<-" + publisher.name(), recorder);
                await(entry.getKey().subscribe("state-" + publisher.name(), recorder));
            }
        }
        for (StareClient publisher : List.of(a, b, c, d)) {
            publishAll(publisher, 0, UPDATES);
        }
        // A marker, one more update of every state: once it is heard, every update published before
        // it has been handled on its way, so a duplicate would already be in the recorder.
        for (StareClient publisher : List.of(a, b, c, d)) {
            publishAll(publisher, UPDATES, UPDATES + 1);
        }
        for (var entry : recorders.entrySet()) {
            entry.getValue().awaitCount(UPDATES + 1, WAIT);
        }
        for (var entry : recorders.entrySet()) {
            String state = "state-" + entry.getKey().substring(entry.getKey().indexOf("<-") + 2);
            assertInOrderExactlyOnce(entry.getValue().updates(), state, UPDATES + 1);
            assertTrue(entry.getValue().losses().isEmpty(), entry.getKey() + " lost " + entry.getValue().losses());
        }
        // One SUB-register per server per state, however many local subscribers: H2's VNFs subscribe to
        // state-a twice and to state-d once (each other's states are local), so H2 sent two.
        assertEquals(2, testbed.stats(1).arq().acknowledged());
        assertEquals(0, testbed.stats(1).arq().retransmissions());
    }

    @Test
    void twoVnfsOnOneServerExchangeUpdatesWithoutTheNetwork() throws Exception {
        Recorder atC = new Recorder();
        Recorder atB = new Recorder();
        await(c.subscribe("state-b", atC));
        await(b.subscribe("state-c", atB));
        long switchSentToH2 = testbed.node.ports().counters(1).sent();
        long switchReceivedFromH2 = testbed.node.ports().counters(1).received();
        long h2Received = testbed.stats(1).transport().received();
        long keptLocalBefore = testbed.stats(1).keptLocal();

        publishAll(b, 0, 20);
        publishAll(c, 0, 20);
        assertInOrderExactlyOnce(atC.awaitCount(20, WAIT), "state-b", 20);
        assertInOrderExactlyOnce(atB.awaitCount(20, WAIT), "state-c", 20);

        // The switch has every publish H2 sent up (those it did not keep local), and a task queued to
        // the switch's data path now runs after the cycle that forwarded them: whatever it sent back
        // to H2 has been sent.
        long sentUp = 40 - (testbed.stats(1).keptLocal() - keptLocalBefore);
        TestTime.eventually(WAIT, () -> assertEquals(switchReceivedFromH2 + sentUp,
                testbed.node.ports().counters(1).received()));
        testbed.node.softSwitch().withPipeline(pipeline -> pipeline);
        Middleware.Stats h2 = testbed.stats(1);
        assertEquals(40, h2.localDeliveries());
        // H2 still sends each publish up (it cannot know that no other server subscribes; the switch
        // drops them as NO_SUBSCRIBER), but none comes back down to it.
        assertEquals(h2Received, h2.transport().received(), "nothing came back to H2 from the network");
        assertEquals(switchSentToH2, testbed.node.ports().counters(1).sent(), "the switch sent nothing to H2");
        assertEquals(0, h2.arq().acknowledged(), "a locally published state needs no SUB-register");
    }

    @Test
    void afterUnsubscribeNothingMoreArrives() throws Exception {
        Recorder atD = new Recorder();
        Recorder atB = new Recorder();
        await(d.subscribe("state-a", atD));
        await(b.subscribe("state-a", atB));
        publishAll(a, 0, 5);
        atD.awaitCount(5, WAIT);

        // D keeps a subscription to another state of A's: the marker. A's frames leave H1 in order, the
        // switch forwards them in order, H3's main path handles them in order and D's actor hears them
        // in order: once D hears the marker, any update of state-a sent to it would have been heard.
        await(a.declare("marker-a"));
        Recorder marker = new Recorder();
        await(d.subscribe("marker-a", marker));
        await(d.unsubscribe("state-a"));
        publishAll(a, 5, 10);
        assertInstanceOf(PublishResult.Published.class, await(a.publish("marker-a", new byte[] {1})));
        assertInOrderExactlyOnce(atB.awaitCount(10, WAIT), "state-a", 10);
        marker.awaitCount(1, WAIT);
        assertInOrderExactlyOnce(atD.updates(), "state-a", 5);
    }

    @Test
    void aHundredKilobyteUpdateCrossesSegmented() throws Exception {
        Recorder atD = new Recorder();
        await(d.subscribe("state-a", atD));
        byte[] big = new byte[100 * 1024];
        new Random(7).nextBytes(big);

        PublishResult result = await(a.publish("state-a", big));
        // 1,448 payload bytes per segment at MTU 1500: 36 bytes of headers, 8 of the Publish tag.
        assertEquals(71, assertInstanceOf(PublishResult.Published.class, result).segments());
        List<Recorder.Heard> heard = atD.awaitCount(1, WAIT);
        assertArrayEquals(big, heard.get(0).value());
        assertEquals(71, testbed.stats(2).publishFramesReceived());
        assertEquals(0, testbed.stats(2).unauthenticated(), "every segment's tag verified");
        // The publisher keeps the update until the backlog confirms it holds all 71 segments.
        TestTime.eventually(WAIT, () -> assertEquals(0, testbed.stats(0).unconfirmedAppends()));
    }

    @Test
    void aVnfMayPublishOnlyWhatItDeclared() throws Exception {
        int stateOfA = await(d.subscribe("state-a", new Recorder()));
        PublishResult refused = await(b.publish(stateOfA, new byte[] {1}));
        assertEquals(PublishResult.Reason.NOT_DECLARED, assertInstanceOf(PublishResult.Refused.class, refused).reason());
        assertEquals(1, testbed.stats(1).publishesRefused());
    }

    @Test
    void subscribingToAnUndeclaredStateFails() {
        var error = org.junit.jupiter.api.Assertions.assertThrows(java.util.concurrent.ExecutionException.class,
                () -> await(d.subscribe("no-such-state", new Recorder())));
        assertInstanceOf(StareException.class, error.getCause());
    }

    @Test
    void aSlowVnfGetsWhatItsInboundQueueCouldNotHoldFromTheBacklogInOrder() throws Exception {
        testbed.close();
        testbed = new Testbed(settings -> settings.withIntQueues(2, 256), (server, port) -> port);
        StareClient publisher = testbed.vnf(1, "fast");
        StareClient slow = testbed.vnf(1, "slow");
        await(publisher.declare("state-fast"));
        Recorder recorder = new Recorder() {
            @Override
            public void onUpdate(int stateId, long update, byte[] value) {
                try {
                    Thread.sleep(20); // a slow VNF: the subject of this test
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                super.onUpdate(stateId, update, value);
            }
        };
        await(slow.subscribe("state-fast", recorder));
        publishAll(publisher, 0, 30);

        TestTime.eventually(WAIT, () -> assertEquals(30, recorder.updates().size(), "every update delivered"));
        assertEquals(List.of(), recorder.losses(), "nothing reported lost: the backlog held it all");
        assertTrue(testbed.stats(1).inboundDropped() > 0, "a queue of 2 cannot hold a burst of 30");
        assertInOrderExactlyOnce(recorder.updates(), "state-fast", 30);
    }

    @Test
    void aFullOutboundQueueRefusesAsBackPressuredAndNumbersStayDense() throws Exception {
        testbed.close();
        // Publishes wait in the queue only while the main path's thread sends them: a VNF thread that
        // finds the main path idle sends its publish itself and never queues (run-idle-work).
        testbed = new Testbed(settings -> settings.withIntQueues(1024, 1), (server, port) -> port, null,
                com.typesafe.config.ConfigFactory.parseString("stare.datapath.run-idle-work = off"));
        StareClient publisher = testbed.vnf(0, "burst");
        await(publisher.declare("state-burst"));
        List<CompletionStage<PublishResult>> results = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            results.add(publisher.publish("state-burst", new byte[] {(byte) i}));
        }
        List<Long> numbers = new ArrayList<>();
        int refused = 0;
        for (CompletionStage<PublishResult> result : results) {
            PublishResult outcome = await(result);
            if (outcome instanceof PublishResult.Published published) {
                numbers.add(published.update());
            } else {
                assertEquals(PublishResult.Reason.BACK_PRESSURED, ((PublishResult.Refused) outcome).reason());
                refused++;
            }
        }
        assertTrue(refused > 0, "a queue of one cannot take a burst of 200");
        java.util.Collections.sort(numbers);
        for (int i = 0; i < numbers.size(); i++) {
            assertEquals(i, numbers.get(i), "refused publishes take no update number");
        }
    }

    @Test
    void aVnfThatLeavesTakesItsServerOffTheTree() throws Exception {
        int state = await(d.subscribe("state-a", new Recorder()));
        assertEquals(1L << 2, statePorts(state));
        d.close();
        TestTime.eventually(WAIT, () -> assertEquals(0, statePorts(state),
                "H3 sent its SUB-remove when its last subscriber left"));
    }

    private long statePorts(int state) {
        return testbed.node.softSwitch().withPipeline(
                p -> ((io.stare.p4.pipeline.RegisterPipeline) p).statePorts().read(state)).orElseThrow();
    }
}
