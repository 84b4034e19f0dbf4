package io.stare.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.stare.client.Delivery;
import io.stare.client.StareClient;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The README's example: one VNF publishes, another on another host receives it through the switch. */
@Timeout(60)
class TwoVnfTest {

    @RegisterExtension
    final StareFabricExtension fabric = StareFabricExtension.builder().build(); // s1 with h1, h2

    @Test
    void subscriberOnAnotherHostReceivesTheState() throws Exception {
        StareClient tracker = fabric.vnf("h1", "tracker-1");
        StareClient monitor = fabric.vnf("h2", "monitor-1");
        fabric.await(tracker.declare("flows"));
        ProbeListener listener = fabric.listener();
        fabric.await(monitor.subscribe("flows", listener));

        fabric.await(tracker.publish("flows", "10.0.0.1:80".getBytes(StandardCharsets.UTF_8)));

        Delivery.Update update = listener.probe().expectMessageClass(Delivery.Update.class);
        assertArrayEquals("10.0.0.1:80".getBytes(StandardCharsets.UTF_8), update.value());
    }
}
