package io.stare.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.client.Delivery;
import io.stare.client.StareClient;
import io.stare.client.StateListener;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opentest4j.AssertionFailedError;

/**
 * An assertion that fails inside a listener runs on the VNF's actor, where it cannot fail the test
 * by itself: the fabric fails the test when it closes, with that assertion as the cause.
 */
@Timeout(60)
class ListenerAssertionTest {

    @Test
    void anAssertionFailingInAListenerFailsTheTestWhenTheFabricCloses() throws Exception {
        StareFabric fabric = StareFabric.builder().topology(StareFabric.singleSwitch("h1", "h2"))
                .timeout(Duration.ofSeconds(20)).start();
        ProbeListener heard = fabric.listener();
        StareClient subscriber;
        try {
            StareClient publisher = fabric.vnf("h1", "pub");
            subscriber = fabric.vnf("h2", "sub");
            int state = fabric.await(publisher.declare("asserted"));
            fabric.await(subscriber.subscribe("asserted", new StateListener() {
                @Override
                public void onUpdate(int stateId, long update, byte[] value) {
                    throw new IllegalStateException("not called: onDelivery is overridden");
                }

                @Override
                public void onDelivery(Delivery.Update update) {
                    heard.onDelivery(update);
                    if (update.update() == 0) {
                        assertEquals(99, update.value().length, "a test's own expectation, wrong on purpose");
                    }
                }

                @Override
                public void onLoss(Delivery.Loss loss) {
                    heard.onLoss(loss);
                }
            }));
            fabric.awaitRoute(state, "h1", "h2");
            fabric.await(publisher.publish("asserted", new byte[] {1}));
            fabric.await(publisher.publish("asserted", new byte[] {2}));
            // Marker: the listener runs on the VNF's actor in update order, so once update 1 is heard,
            // update 0's failed assertion has been counted.
            heard.probe().expectMessageClass(Delivery.Update.class, Duration.ofSeconds(10));
            heard.probe().expectMessageClass(Delivery.Update.class, Duration.ofSeconds(10));
        } catch (Throwable setUp) {
            try {
                fabric.close();
            } catch (Throwable closing) {
                setUp.addSuppressed(closing);
            }
            throw setUp;
        }
        assertEquals(1, subscriber.listenerFailures());
        AssertionError failed = assertThrows(AssertionError.class, fabric::close);
        assertTrue(failed.getMessage().contains("VNF sub"), failed.getMessage());
        assertInstanceOf(AssertionFailedError.class, failed.getCause());
    }
}
