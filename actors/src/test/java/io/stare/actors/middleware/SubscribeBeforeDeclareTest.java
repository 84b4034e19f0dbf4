package io.stare.actors.middleware;

import static io.stare.actors.middleware.Testbed.WAIT;
import static io.stare.actors.middleware.Testbed.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.stare.client.StareClient;
import io.stare.client.StareException;
import io.stare.protocol.ErrorCode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A subscriber that starts before its publisher can wait for the declaration instead of failing. */
@Timeout(60)
class SubscribeBeforeDeclareTest {

    @Test
    void aWaitingSubscriptionCompletesOnceTheStateIsDeclared() throws Exception {
        try (Testbed testbed = new Testbed()) {
            StareClient subscriber = testbed.vnf(1, "early-sub");
            Recorder heard = new Recorder();
            CompletableFuture<Integer> subscribed =
                    subscriber.subscribe("late", heard, WAIT).toCompletableFuture();
            // Marker: a plain subscribe, asked after the waiting one, is refused: nobody has declared yet.
            ExecutionException early = assertThrows(ExecutionException.class,
                    () -> subscriber.subscribe("late", new Recorder()).toCompletableFuture().get());
            assertEquals(ErrorCode.UNKNOWN_STATE,
                    assertInstanceOf(StareException.class, early.getCause()).code());
            assertFalse(subscribed.isDone(), "the waiting subscription gave up while the state was undeclared");

            StareClient publisher = testbed.vnf(0, "late-pub");
            int state = await(publisher.declare("late"));
            assertEquals(state, await(subscribed));
            assertEquals(0, publisher.tryPublish(state, new byte[] {7}, 0, 1));
            assertEquals(1, heard.awaitCount(1, WAIT).size());
        }
    }

    @Test
    void aWaitingSubscriptionFailsWithUnknownStateWhenTheWaitEnds() throws Exception {
        try (Testbed testbed = new Testbed()) {
            StareClient subscriber = testbed.vnf(1, "patient");
            ExecutionException e = assertThrows(ExecutionException.class, () -> subscriber
                    .subscribe("never-declared", new Recorder(), Duration.ofMillis(500)).toCompletableFuture()
                    .get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(ErrorCode.UNKNOWN_STATE,
                    assertInstanceOf(StareException.class, e.getCause()).code());
        }
    }
}
