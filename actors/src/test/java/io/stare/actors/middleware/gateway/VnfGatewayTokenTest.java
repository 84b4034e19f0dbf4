package io.stare.actors.middleware.gateway;

import static io.stare.actors.middleware.gateway.GatewayFabric.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.client.StareClient;
import io.stare.client.StareException;
import io.stare.protocol.ErrorCode;
import java.security.SecureRandom;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 17, item 8: with a token key configured, the gateway admits a VNF under a name only with
 * that name's token. Before, any process that reached the gateway could register as any VNF and
 * publish on its states.
 */
@Timeout(60)
class VnfGatewayTokenTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Test
    void aVnfGetsInOnlyWithItsOwnNamesToken() throws Exception {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        VnfTokens tokens = VnfTokens.of(key);
        try (GatewayFabric fabric = new GatewayFabric(1024, settings -> settings.withTokens(tokens))) {
            var gateway = fabric.gateway.localAddress();

            StareException none = assertThrows(StareException.class,
                    () -> StareClient.connect(gateway, "firewall", TIMEOUT, ""));
            assertEquals(ErrorCode.NOT_AUTHORIZED, none.code());
            assertFalse(none.code().retryable());
            StareException another = assertThrows(StareException.class,
                    () -> StareClient.connect(gateway, "firewall", TIMEOUT, tokens.tokenOf("ids")));
            assertEquals(ErrorCode.NOT_AUTHORIZED, another.code());

            StareClient firewall = StareClient.connect(gateway, "firewall", TIMEOUT, tokens.tokenOf("firewall"));
            try {
                assertTrue(await(firewall.declare("blocked-flows")) >= 0);
            } finally {
                firewall.close();
            }
            assertEquals(2L, fabric.gateway.counters().errors().get(ErrorCode.NOT_AUTHORIZED));
        }
    }

    @Test
    void tokensAreTheNamesHmacUnderTheKey() {
        VnfTokens tokens = VnfTokens.of("0123456789abcdef0123456789abcdef".getBytes());
        String token = tokens.tokenOf("firewall");
        assertEquals(43, token.length());
        assertEquals(token, VnfTokens.of("0123456789abcdef0123456789abcdef".getBytes()).tokenOf("firewall"));
        assertNotEquals(token, VnfTokens.of("fedcba9876543210fedcba9876543210".getBytes()).tokenOf("firewall"));
        assertTrue(tokens.admits("firewall", token));
        assertFalse(tokens.admits("ids", token));
        assertFalse(tokens.admits("firewall", token.substring(1)));
        IllegalArgumentException shortKey = assertThrows(IllegalArgumentException.class,
                () -> VnfTokens.of(new byte[8]));
        assertTrue(shortKey.getMessage().contains("at least 16 bytes"), shortKey.getMessage());
    }
}
