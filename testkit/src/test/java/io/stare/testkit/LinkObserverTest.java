package io.stare.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.client.Delivery;
import io.stare.client.StareClient;
import io.stare.fabric.FabricLink;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The observer sees exactly the datagrams the link's counters count, drops included. */
@Timeout(60)
class LinkObserverTest {

    @RegisterExtension
    final StareFabricExtension fabric = StareFabricExtension.builder().seed(7).build();

    @Test
    void seesEveryDatagramAndEveryDrop() throws Exception {
        StareClient publisher = fabric.vnf("h1", "pub");
        StareClient subscriber = fabric.vnf("h2", "sub");
        int state = fabric.await(publisher.declare("observed"));
        ProbeListener listener = fabric.listener();
        fabric.await(subscriber.subscribe("observed", listener));
        fabric.awaitRoute(state, "h1", "h2");

        FabricLink link = fabric.link("h2");
        FabricLink.Counters before = link.counters("s1");
        AtomicLong seen = new AtomicLong();
        AtomicLong dropped = new AtomicLong();
        link.observe((from, frame, lost, nanos) -> {
            if (from.equals("s1")) {
                seen.incrementAndGet();
                if (lost) {
                    dropped.incrementAndGet();
                }
            }
        });
        link.loss(0.3);
        for (int i = 0; i < 30; i++) {
            fabric.await(publisher.publish(state, ("u" + i).getBytes(StandardCharsets.UTF_8)));
        }
        for (int i = 0; i < 30; i++) { // recovery brings the dropped ones back, in order
            listener.probe().expectMessageClass(Delivery.Update.class, Duration.ofSeconds(20));
        }
        link.observe(null);
        FabricLink.Counters after = link.counters("s1").minus(before);
        assertEquals(after.received(), seen.get(), "one call per datagram from the switch");
        assertEquals(after.dropped(), dropped.get(), "one dropped call per drop");
        assertTrue(dropped.get() > 0, "30% loss over 30 frames drops something (seeded)");
    }
}
