package io.stare.actors.middleware.gateway;

import static io.stare.actors.middleware.gateway.GatewayFabric.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.client.PublishResult;
import io.stare.client.StareClient;
import io.stare.protocol.vnf.VnfMessage;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A TCP VNF that stops reading: the gateway buffers at most {@code outbound-buffer} updates for it,
 * drops the rest and says so with LOSS_NOTICE(UNRECOVERABLE); the publisher is never held up.
 */
@Timeout(60)
class VnfGatewaySlowReaderTest {

    private static final int UPDATES = 200;
    private static final int PAYLOAD = 64 * 1024;

    @Test
    void whatASlowVnfCannotTakeIsDroppedAndReportedExactly() throws Exception {
        try (GatewayFabric fabric = new GatewayFabric(8)) {
            StareClient publisher = fabric.vnf(0, "fast-publisher");
            int state = await(publisher.declare("firehose"));
            try (TcpVnf slow = fabric.connect(8 * 1024)) {
                slow.handshakeAndRegister("slow-reader");
                assertEquals(state, slow.subscribe("firehose"));

                // 12.8 MB while the VNF reads nothing: more than the socket buffers and the outbox hold.
                for (int i = 0; i < UPDATES; i++) {
                    byte[] value = new byte[PAYLOAD];
                    Arrays.fill(value, (byte) i);
                    assertInstanceOf(PublishResult.Published.class, await(publisher.publish(state, value)));
                }
                VnfGatewayTest.eventually(() -> fabric.gateway.counters().deliveriesDropped() > 0, "drops");

                // Now read: every update arrives exactly once, either delivered whole or within a notice.
                BitSet seen = new BitSet();
                while (seen.cardinality() < UPDATES) {
                    VnfMessage message = slow.next();
                    if (message instanceof VnfMessage.Deliver d) {
                        assertTrue(!seen.get((int) d.updateNo()), "update " + d.updateNo() + " twice");
                        assertEquals(PAYLOAD, d.payloadLength());
                        assertEquals((byte) d.updateNo(), d.payload()[0]);
                        seen.set((int) d.updateNo());
                    } else {
                        VnfMessage.LossNotice loss = assertInstanceOf(VnfMessage.LossNotice.class, message);
                        assertEquals(VnfMessage.LossNotice.Outcome.UNRECOVERABLE, loss.outcome());
                        for (long u = loss.firstUpdate(); u <= loss.lastUpdate(); u++) {
                            assertTrue(!seen.get((int) u), "update " + u + " delivered and lost");
                            seen.set((int) u);
                        }
                    }
                }
                VnfGateway.Counters counters = fabric.gateway.counters();
                assertEquals(UPDATES, counters.deliveries() + counters.deliveriesDropped());
                assertTrue(counters.lossNotices() > 0);
                // The session is still good.
                assertEquals(state, slow.call(new VnfMessage.LookupState(slow.nextRequestId(), "firehose"),
                        VnfMessage.StateFound.class).stateId());
                List<VnfMessage> leftovers = slow.pushed();
                assertTrue(leftovers.isEmpty(), "unexpected " + leftovers);
            }
        }
    }
}
