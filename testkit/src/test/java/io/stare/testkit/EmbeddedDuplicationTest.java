package io.stare.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.client.Delivery;
import io.stare.client.PublishResult;
import io.stare.client.StareClient;
import io.stare.p4.program.StareProgram;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Embedded mode, one switch, a subscriber link that duplicates and reorders: in order, exactly once. */
@Timeout(60)
class EmbeddedDuplicationTest {

    private static final int UPDATES = 50;

    @RegisterExtension
    final StareFabricExtension fabric = StareFabricExtension.builder()
            .mode(StareProgram.Mode.EMBEDDED).seed(7)
            .onStart(f -> f.link("h2").duplication(0.1).reordering(0.1)).build();

    private static byte[] value(int i) {
        return ("update-" + i).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void duplicatesAndReorderingAreHidden() throws Exception {
        StareClient publisher = fabric.vnf("h1", "tracker-1");
        StareClient subscriber = fabric.vnf("h2", "monitor-1");
        fabric.await(publisher.declare("flows"));
        ProbeListener listener = fabric.listener();
        fabric.await(subscriber.subscribe("flows", listener));

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
            assertArrayEquals(value(i), update.value(), "update " + i + " in order");
        }
        assertTrue(fabric.link("h2").duplicated() > 0 && fabric.link("h2").reordered() > 0);
        assertEquals(0, fabric.link("h2").dropped());
    }
}
