package io.stare.actors.middleware;

import static io.stare.actors.middleware.Testbed.WAIT;
import static io.stare.actors.middleware.Testbed.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.client.Delivery;
import io.stare.client.StareClient;
import io.stare.client.StateListener;
import io.stare.client.UpdateHandler;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An exception thrown by a subscriber's listener or update handler is never thrown into the data
 * path: deliveries go on, and the VNF sees how many there were and the first one.
 */
@Timeout(60)
class ListenerFailureTest {

    @Test
    void aThrowingListenerIsCountedAndTheNextUpdatesStillArrive() throws Exception {
        try (Testbed testbed = new Testbed()) {
            StareClient publisher = testbed.vnf(0, "pub");
            int state = await(publisher.declare("faulty"));
            StareClient subscriber = testbed.vnf(1, "sub");
            IllegalStateException boom = new IllegalStateException("the listener's own bug");
            Recorder after = new Recorder();
            await(subscriber.subscribe("faulty", new StateListener() {
                @Override
                public void onUpdate(int stateId, long update, byte[] value) {
                    if (update == 0) {
                        throw boom;
                    }
                    after.onUpdate(stateId, update, value);
                }

                @Override
                public void onLoss(Delivery.Loss loss) {
                    after.onLoss(loss);
                }
            }));
            for (int i = 0; i < 3; i++) {
                assertEquals(i, publisher.tryPublish(state, new byte[] {(byte) i}, 0, 1));
            }
            after.awaitCount(2, WAIT);
            assertEquals(1, subscriber.listenerFailures());
            assertSame(boom, subscriber.firstListenerFailure().orElseThrow());
        }
    }

    @Test
    void aThrowingUpdateHandlerIsCountedByTheVnfAndTheServer() throws Exception {
        try (Testbed testbed = new Testbed()) {
            StareClient publisher = testbed.vnf(0, "pub");
            int state = await(publisher.declare("faulty-inline"));
            StareClient subscriber = testbed.vnf(1, "sub");
            AtomicInteger handled = new AtomicInteger();
            CountDownLatch allHandled = new CountDownLatch(3);
            await(subscriber.subscribe("faulty-inline", new UpdateHandler() {
                @Override
                public void onUpdate(int stateId, int publisherVnfId, long update, ByteBuffer buffer, int offset,
                                     int length) {
                    allHandled.countDown();
                    if (handled.incrementAndGet() == 1) {
                        throw new IllegalArgumentException("inline bug");
                    }
                }

                @Override
                public void onLoss(Delivery.Loss loss) {
                }
            }));
            for (int i = 0; i < 3; i++) {
                assertEquals(i, publisher.tryPublish(state, new byte[] {(byte) i}, 0, 1));
            }
            // The handler runs on one thread, in update order: once the third update is handled, the
            // first one's failure has been counted.
            assertTrue(allHandled.await(WAIT.toSeconds(), TimeUnit.SECONDS), "deliveries go on after the handler threw");
            assertEquals(1, subscriber.listenerFailures());
            assertEquals("inline bug", subscriber.firstListenerFailure().orElseThrow().getMessage());
            assertEquals(1, testbed.stats(1).handlerErrors());
        }
    }
}
