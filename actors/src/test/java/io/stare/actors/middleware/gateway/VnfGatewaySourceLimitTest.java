package io.stare.actors.middleware.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.protocol.ErrorCode;
import io.stare.protocol.vnf.VnfMessage;
import io.stare.testing.TestTime;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 17, item 10: a source whose connections keep ending before a handshake is refused for a
 * while, at accept, without a session; a VNF connected before keeps publishing, and the address is
 * served again once the ban ends.
 */
@Timeout(60)
class VnfGatewaySourceLimitTest {

    private static final Duration BAN = Duration.ofSeconds(2);

    @Test
    void junkFromAnAddressGetsItRefusedForAWhileAndAConnectedVnfCarriesOn() throws Exception {
        try (GatewayFabric fabric = new GatewayFabric(1024, settings -> settings.withSourceLimits(
                new SourceLimits.Settings(3, Duration.ofSeconds(30), BAN, BAN, 20)));
             TcpVnf good = fabric.connect()) {
            good.handshakeAndRegister("good-vnf");
            int state = good.declare("good-state");
            for (int strike = 0; strike < 3; strike++) {
                try (TcpVnf junk = fabric.connect()) {
                    junk.sendRaw("GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    assertEquals(ErrorCode.PAYLOAD_TOO_LARGE,
                            assertInstanceOf(VnfMessage.Error.class, junk.next()).code());
                    junk.awaitClosed();
                }
            }
            VnfGateway.Counters banned = TestTime.eventually(Duration.ofSeconds(10), fabric.gateway::counters,
                    c -> c.open() == 1); // the three junk sessions have ended, so counted
            long accepted = banned.accepted();

            try (TcpVnf refused = fabric.connect()) {
                assertNull(refused.next(), "closed at once: not even an ERROR frame, no session made");
            }
            VnfGateway.Counters after = fabric.gateway.counters();
            assertEquals(1, after.refusedSources());
            assertEquals(accepted, after.accepted(), "no session for the refused connection");
            assertEquals(0, good.publish(state, "still-here".getBytes(StandardCharsets.UTF_8)),
                    "the VNF connected before the ban is untouched");

            // Once the ban is over, the address is served again.
            TcpVnf again = TestTime.eventually(BAN.multipliedBy(5), () -> {
                TcpVnf attempt = fabric.connect();
                try {
                    attempt.handshakeAndRegister("later-vnf");
                    return attempt;
                } catch (Exception | AssertionError refusedStill) {
                    attempt.close();
                    return null;
                }
            }, java.util.Objects::nonNull);
            again.close();
            assertTrue(fabric.gateway.counters().handshakes() >= 2);
        }
    }
}
