package io.stare.actors.middleware.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.client.Delivery;
import io.stare.protocol.vnf.VnfMessage;
import io.stare.protocol.vnf.VnfMessage.LossNotice.Outcome;
import io.stare.testing.TestTime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The bounded delivery buffer: what a slow VNF cannot take is dropped and reported in order. */
@Timeout(30)
class OutboxTest {

    private static final ActorTestKit testKit = ActorTestKit.create();

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private static Delivery.Update update(int state, long n) {
        return new Delivery.Update(state, 3, n, new byte[] {(byte) n});
    }

    @Test
    void overflowIsDroppedAndReportedBeforeTheStatesNextUpdate() throws Exception {
        GatewayCounters counters = new GatewayCounters();
        Outbox outbox = new Outbox(2, counters);
        outbox.deliver(update(1, 0));
        outbox.deliver(update(1, 1));
        outbox.deliver(update(1, 2)); // dropped
        outbox.deliver(update(1, 3)); // dropped, merged into one notice
        outbox.deliver(update(2, 0)); // dropped
        assertEquals(3, counters.deliveriesDropped.sum());

        List<VnfMessage> drained = outbox.source().take(4).runWith(Sink.seq(), testKit.system())
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertEquals(List.of(
                new VnfMessage.Deliver(1, 3, 0, new byte[] {0}),
                new VnfMessage.Deliver(1, 3, 1, new byte[] {1}),
                new VnfMessage.LossNotice(1, 2, 3, Outcome.UNRECOVERABLE),
                new VnfMessage.LossNotice(2, 0, 0, Outcome.UNRECOVERABLE)), drained);
        assertEquals(2, counters.lossNotices.sum());
    }

    @Test
    void aLossGoesOutJustBeforeTheStatesNextDeliveryAndWakesAWaitingStream() throws Exception {
        GatewayCounters counters = new GatewayCounters();
        Outbox outbox = new Outbox(1, counters);
        outbox.deliver(update(1, 0));
        outbox.deliver(update(1, 1)); // dropped
        var result = outbox.source().take(3).runWith(Sink.seq(), testKit.system()).toCompletableFuture();
        TestTime.eventually(Duration.ofSeconds(5), () -> assertTrue(outbox.streamWaits(),
                "the stream has drained the outbox and waits"));
        outbox.loss(new Delivery.Loss(1, 3, 2, 2, Delivery.Loss.Reason.UNRECOVERABLE));
        List<VnfMessage> drained = result.get(5, TimeUnit.SECONDS);
        assertEquals(new VnfMessage.Deliver(1, 3, 0, new byte[] {0}), drained.get(0));
        assertEquals(new VnfMessage.LossNotice(1, 1, 1, Outcome.UNRECOVERABLE), drained.get(1));
        assertEquals(new VnfMessage.LossNotice(1, 2, 2, Outcome.UNRECOVERABLE), drained.get(2));
    }

    @Test
    void aFullOutboxPausesTheVnfActorUntilHalfOfItHasLeft() throws Exception {
        Outbox outbox = new Outbox(4, new GatewayCounters());
        java.util.List<Integer> resumedAt = new java.util.concurrent.CopyOnWriteArrayList<>();
        Runnable resume = () -> resumedAt.add(outbox.size());
        for (int n = 0; n < 3; n++) {
            outbox.deliver(update(1, n));
        }
        assertTrue(outbox.ready(resume), "room for one more");
        outbox.deliver(update(1, 3));
        assertTrue(!outbox.ready(resume), "full: the actor pauses");
        assertEquals(List.of(), resumedAt);

        outbox.source().take(4).runWith(Sink.seq(), testKit.system()).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertEquals(1, resumedAt.size(), "resumed once");
        assertTrue(resumedAt.get(0) <= 2, "not before half had left: " + resumedAt);
        assertEquals(0, outbox.size());
    }

    @Test
    void closingResumesAPausedActorSoItDrainsIntoNothing() {
        Outbox outbox = new Outbox(1, new GatewayCounters());
        java.util.concurrent.atomic.AtomicInteger resumed = new java.util.concurrent.atomic.AtomicInteger();
        outbox.deliver(update(1, 0));
        assertTrue(!outbox.ready(resumed::incrementAndGet));
        outbox.close();
        assertEquals(1, resumed.get());
        assertTrue(outbox.ready(resumed::incrementAndGet), "a closed outbox never pauses anyone");
    }
}
