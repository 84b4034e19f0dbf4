package io.stare.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.client.Delivery;
import io.stare.client.StareClient;
import io.stare.p4.program.StarePrograms;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The fabric's start-up options: direct links without relays, and switches too wide for the programs. */
@Timeout(60)
class FabricOptionsTest {

    @Test
    void aSwitchWithMorePortsThanTheProgramsIsRefusedUpFront() {
        String[] hosts = new String[StarePrograms.FRONT_PORTS + 1];
        for (int i = 0; i < hosts.length; i++) {
            hosts[i] = "h" + i;
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StareFabric.builder().topology(StareFabric.singleSwitch(hosts)).start());
        assertTrue(e.getMessage().contains("switch s1 has 9 ports; the STARE programs are compiled for 8"),
                e.getMessage());
    }

    @Test
    void withoutRelaysUpdatesFlowAndLinksCannotBeImpaired() throws Exception {
        try (StareFabric fabric = StareFabric.builder().relays(false).timeout(Duration.ofSeconds(20)).start()) {
            StareClient publisher = fabric.vnf("h1", "pub");
            StareClient subscriber = fabric.vnf("h2", "sub");
            int state = fabric.await(publisher.declare("direct"));
            ProbeListener listener = fabric.listener();
            fabric.await(subscriber.subscribe("direct", listener));
            fabric.awaitRoute(state, "h1", "h2");
            fabric.await(publisher.publish("direct", new byte[] {1, 2, 3}));
            Delivery.Update update = listener.probe().expectMessageClass(Delivery.Update.class, Duration.ofSeconds(10));
            assertArrayEquals(new byte[] {1, 2, 3}, update.value());
            assertEquals(List.of(), fabric.links());
            assertThrows(IllegalStateException.class, () -> fabric.link("h2"));
        }
    }
}
