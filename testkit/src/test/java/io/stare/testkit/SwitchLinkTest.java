package io.stare.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.client.Delivery;
import io.stare.client.PublishResult;
import io.stare.client.StareClient;
import io.stare.fabric.FabricLink;
import io.stare.p4.topology.Topologies;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Impairments on a switch-to-switch link only (s1 - s2 of s1 - s2 - s3), and the link API. */
@Timeout(60)
class SwitchLinkTest {

    private static final int UPDATES = 100;

    @RegisterExtension
    final StareFabricExtension fabric = StareFabricExtension.builder()
            .topology(Topologies.linear(3)).seed(3).build();

    private static byte[] value(int i) {
        return ("update-" + i).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void switchLinksAreNamedByTheirEnds() {
        FabricLink link = fabric.link("s1", "s2");
        assertSame(link, fabric.link("s2", "s1"));
        assertEquals(List.of("s1", "s2"), link.ends());
        assertTrue(link.isSwitchLink());
        assertEquals(List.of("h1", "s1"), fabric.link("h1").ends());
        assertEquals(5, fabric.links().size(), "3 host links and 2 switch links");
        assertThrows(IllegalArgumentException.class, () -> fabric.link("s1", "s3"));
        assertThrows(IllegalArgumentException.class, () -> link.counters("s3"));
    }

    @Test
    void lossDuplicationAndReorderingBetweenSwitchesAreRepaired() throws Exception {
        StareClient publisher = fabric.vnf("h1", "tracker-1");
        StareClient subscriber = fabric.vnf("h3", "monitor-1");
        int state = fabric.await(publisher.declare("flows"));
        ProbeListener listener = fabric.listener();
        fabric.await(subscriber.subscribe("flows", listener));
        fabric.awaitRoute(state, "h1", "h3");
        FabricLink between = fabric.link("s1", "s2").loss(0.1).duplication(0.1).reordering(0.1);

        List<CompletionStage<PublishResult>> results = new ArrayList<>();
        // One more than UPDATES: the last is the marker. Anything duplicated or out of order would be
        // heard before it, so once it arrives in its place nothing else is owed.
        for (int i = 0; i <= UPDATES; i++) {
            results.add(publisher.publish("flows", value(i)));
        }
        for (CompletionStage<PublishResult> result : results) {
            assertInstanceOf(PublishResult.Published.class, fabric.await(result));
        }
        for (int i = 0; i <= UPDATES; i++) {
            Delivery.Update update = listener.probe().expectMessageClass(Delivery.Update.class, Duration.ofSeconds(20));
            assertEquals(i, update.update(), "in order, none missing");
            assertArrayEquals(value(i), update.value());
        }

        FabricLink.Counters fromS1 = between.counters("s1");
        assertTrue(fromS1.received() >= UPDATES, "every publish crossed s1 -> s2 (SUB-acks too): " + fromS1);
        assertTrue(fromS1.dropped() > 0 && fromS1.duplicated() > 0 && fromS1.reordered() > 0, fromS1.toString());
        assertEquals(0, fabric.link("h1").dropped() + fabric.link("h3").dropped(), "the host links are perfect");
        assertTrue(fabric.stats("h3").recoverRequests() > 0, "lost updates came back through RECOVER");
    }
}
