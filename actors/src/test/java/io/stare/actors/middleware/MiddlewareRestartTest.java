package io.stare.actors.middleware;

import static io.stare.actors.middleware.Testbed.WAIT;
import static io.stare.actors.middleware.Testbed.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.client.PublishResult;
import io.stare.client.StareClient;
import io.stare.testing.TestTime;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Restart safety on the Fig. 7a testbed: a middleware that fails restarts, its VNFs attach again
 * with their declarations and subscriptions, and no update is lost, repeated or renumbered; a VNF
 * that went away meanwhile takes its server off the tree.
 */
@Timeout(120)
class MiddlewareRestartTest {

    private Testbed testbed;

    @BeforeEach
    void start() throws Exception {
        testbed = new Testbed();
    }

    @AfterEach
    void stop() throws Exception {
        testbed.close();
    }

    private static byte[] value(int i) {
        return ("flows#" + i).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Publishes updates {@code from..to-1} in order, each retried while its middleware restarts
     * (refused as UNAVAILABLE meanwhile); anything else fails the test.
     */
    private static void publishEach(StareClient publisher, int from, int to) {
        for (int i = from; i < to; i++) {
            int update = i;
            TestTime.eventually(Duration.ofSeconds(10), () -> {
                PublishResult result = await(publisher.publish("flows", value(update)));
                if (result instanceof PublishResult.Refused refused) { // thrown at once: nothing else may refuse
                    assertEquals(PublishResult.Reason.UNAVAILABLE, refused.reason(), refused.detail());
                }
                return result;
            }, result -> result instanceof PublishResult.Published);
        }
    }

    /**
     * Publishes one more update as a marker and waits for it: then every update published before it
     * has been handled, so anything repeated would be in the recorder.
     */
    private static void assertEveryUpdateOnceInOrder(StareClient publisher, Recorder recorder, int count)
            throws Exception {
        publishEach(publisher, count, count + 1);
        List<Recorder.Heard> heard = recorder.awaitCount(count + 1, WAIT);
        assertEquals(count + 1, heard.size(), "every update exactly once");
        for (int i = 0; i <= count; i++) {
            assertEquals(i, heard.get(i).update(), "in order, numbered densely");
            assertArrayEquals(value(i), heard.get(i).value());
        }
        assertEquals(List.of(), recorder.losses());
    }

    @Test
    void aSubscribersMiddlewareRestartsAndRecoversWhatItMissed() throws Exception {
        StareClient publisher = testbed.vnf(0, "tracker");
        StareClient subscriber = testbed.vnf(1, "monitor");
        await(publisher.declare("flows"));
        Recorder recorder = new Recorder();
        await(subscriber.subscribe("flows", recorder));
        publishEach(publisher, 0, 20);
        recorder.awaitCount(20, WAIT);

        testbed.middlewares.get(1).tell(new Middleware.Crash("test"));
        // While H2 is down (at least its 100 ms restart back-off, less 20% jitter): lost on its link,
        // recovered afterwards. Spread over 200 ms so that some surely fall into that window.
        for (int i = 20; i < 40; i++) {
            publishEach(publisher, i, i + 1);
            Thread.sleep(10); // pacing: the updates are spread over the restart
        }
        publishEach(publisher, 40, 60);

        assertEveryUpdateOnceInOrder(publisher, recorder, 60);
        assertTrue(testbed.stats(1).recoverRequests() > 0, "the updates H2 missed came back through RECOVER");
    }

    @Test
    void aPublishersMiddlewareRestartsAndNumbersOn() throws Exception {
        StareClient publisher = testbed.vnf(0, "tracker");
        StareClient subscriber = testbed.vnf(2, "monitor");
        await(publisher.declare("flows"));
        Recorder recorder = new Recorder();
        await(subscriber.subscribe("flows", recorder));
        publishEach(publisher, 0, 20);

        testbed.middlewares.get(0).tell(new Middleware.Crash("test"));
        publishEach(publisher, 20, 50);

        assertEveryUpdateOnceInOrder(publisher, recorder, 50);
        TestTime.eventually(WAIT, () -> assertEquals(0, testbed.stats(0).unconfirmedAppends(),
                "the backlog confirmed every update, also across the restart"));
    }

    @Test
    void aVnfGoneDuringTheRestartTakesItsServerOffTheTree() throws Exception {
        StareClient publisher = testbed.vnf(0, "tracker");
        StareClient subscriber = testbed.vnf(2, "monitor");
        await(publisher.declare("flows"));
        int state = await(subscriber.subscribe("flows", new Recorder()));
        assertEquals(1L << 2, statePorts(state), "H3 joined the tree");

        testbed.middlewares.get(2).tell(new Middleware.Crash("test"));
        subscriber.close(); // its Detach reaches no one who knows it

        TestTime.eventually(WAIT, () -> assertEquals(0, statePorts(state),
                "no VNF subscribed again, so the restarted H3 sent a SUB-remove"));
    }

    private long statePorts(int state) {
        return testbed.node.softSwitch().withPipeline(
                p -> ((io.stare.p4.pipeline.RegisterPipeline) p).statePorts().read(state)).orElseThrow();
    }
}
