package io.stare.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.client.Delivery;
import io.stare.client.PublishResult;
import io.stare.client.StareClient;
import io.stare.p4.topology.Topologies;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Across s1 - s2 - s3 with 5% loss on the subscriber's link: every update arrives, in order (RECOVER). */
@Timeout(90)
class LossyLinearTest {

    private static final int UPDATES = 100;

    @RegisterExtension
    final StareFabricExtension fabric = StareFabricExtension.builder()
            .topology(Topologies.linear(3)).seed(42).build();

    private static byte[] value(int i) {
        return ("update-" + i).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void everyUpdateArrivesInOrderDespiteLoss() throws Exception {
        StareClient publisher = fabric.vnf("h1", "tracker-1");
        StareClient subscriber = fabric.vnf("h3", "monitor-1");
        int state = fabric.await(publisher.declare("flows"));
        ProbeListener listener = fabric.listener();
        fabric.await(subscriber.subscribe("flows", listener));
        fabric.link("h3").loss(0.05);

        List<CompletionStage<PublishResult>> results = new ArrayList<>();
        // One more than UPDATES: the last is the marker. Anything duplicated or out of order would be
        // heard before it, so once it arrives in its place nothing else is owed.
        for (int i = 0; i <= UPDATES; i++) {
            results.add(publisher.publish("flows", value(i)));
        }
        for (CompletionStage<PublishResult> result : results) {
            assertInstanceOf(PublishResult.Published.class, fabric.await(result));
        }
        long first = -1;
        for (int i = 0; i <= UPDATES; i++) {
            Delivery.Update update = listener.probe().expectMessageClass(Delivery.Update.class, Duration.ofSeconds(20));
            assertEquals(state, update.stateId());
            if (first < 0) {
                first = update.update();
            }
            assertEquals(first + i, update.update(), "in order, none missing");
            assertArrayEquals(value(i), update.value());
        }
        assertTrue(fabric.link("h3").dropped() > 0, "the link dropped something");
        assertTrue(fabric.stats("h3").recoverRequests() > 0, "lost updates came back through RECOVER");
    }
}
