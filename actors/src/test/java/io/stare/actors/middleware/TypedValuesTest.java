package io.stare.actors.middleware;

import static io.stare.actors.middleware.Testbed.WAIT;
import static io.stare.actors.middleware.Testbed.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.stare.client.PublishResult;
import io.stare.client.StareClient;
import io.stare.client.StateCodec;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Values of the VNF's own type cross the switch through a codec. */
@Timeout(60)
class TypedValuesTest {

    record CellLoad(String cell, double load, List<String> neighbours) {
    }

    @Test
    void aRecordPublishedAsJsonArrivesAsTheSameRecord() throws Exception {
        try (Testbed testbed = new Testbed()) {
            StareClient publisher = testbed.vnf(0, "load-monitor");
            StareClient subscriber = testbed.vnf(2, "balancer");
            StateCodec<CellLoad> codec = StateCodec.json(CellLoad.class);
            await(publisher.declare("cell-loads"));
            LinkedBlockingQueue<CellLoad> heard = new LinkedBlockingQueue<>();
            await(subscriber.subscribe("cell-loads", codec, (state, update, load) -> heard.add(load)));

            CellLoad load = new CellLoad("cell-17", 0.82, List.of("cell-16", "cell-18"));
            assertInstanceOf(PublishResult.Published.class, await(publisher.publish("cell-loads", load, codec)));

            assertEquals(load, heard.poll(WAIT.toSeconds(), TimeUnit.SECONDS));
        }
    }
}
