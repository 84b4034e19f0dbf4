package io.stare.actors.middleware.gateway;

import static io.stare.actors.middleware.gateway.GatewayFabric.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.client.PublishResult;
import io.stare.client.StareClient;
import io.stare.protocol.vnf.VnfMessage;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A TCP VNF that stops reading: the gateway buffers at most {@code outbound-buffer} updates for it and
 * then stops taking them from the VNF's INT module, whose queue turns the rest away; they are read
 * again from the backlog once the VNF reads again. It gets every update, once and in order, and the
 * publisher is never held up.
 */
@Timeout(60)
class VnfGatewaySlowReaderTest {

    private static final int UPDATES = 200;
    private static final int PAYLOAD = 64 * 1024;

    @Test
    void aVnfThatStopsReadingGetsEveryUpdateInOrderOnceItReadsAgain() throws Exception {
        try (GatewayFabric fabric = new GatewayFabric(8, 16, settings -> settings)) {
            StareClient publisher = fabric.vnf(0, "fast-publisher");
            int state = await(publisher.declare("firehose"));
            try (TcpVnf slow = fabric.connect(8 * 1024)) {
                slow.handshakeAndRegister("slow-reader");
                assertEquals(state, slow.subscribe("firehose"));

                // 12.8 MB while the VNF reads nothing: more than the socket buffers, the outbox and
                // the INT module's queue hold.
                for (int i = 0; i < UPDATES; i++) {
                    byte[] value = new byte[PAYLOAD];
                    Arrays.fill(value, (byte) i);
                    assertInstanceOf(PublishResult.Published.class, await(publisher.publish(state, value)));
                }
                VnfGatewayTest.eventually(() -> fabric.stats(0).inboundDropped() > 0, "the INT module's queue overflowing");

                // Now read: every update arrives once, in order, none reported lost.
                for (int expected = 0; expected < UPDATES; expected++) {
                    VnfMessage.Deliver d = assertInstanceOf(VnfMessage.Deliver.class, slow.next());
                    assertEquals(expected, d.updateNo(), "in order, none twice");
                    assertEquals(PAYLOAD, d.payloadLength());
                    assertEquals((byte) expected, d.payload()[0]);
                }
                VnfGateway.Counters counters = fabric.gateway.counters();
                assertEquals(UPDATES, counters.deliveries());
                assertEquals(0, counters.deliveriesDropped());
                assertEquals(0, counters.lossNotices());
                // The session is still good.
                assertEquals(state, slow.call(new VnfMessage.LookupState(slow.nextRequestId(), "firehose"),
                        VnfMessage.StateFound.class).stateId());
                List<VnfMessage> leftovers = slow.pushed();
                assertTrue(leftovers.isEmpty(), "unexpected " + leftovers);
            }
        }
    }
}
