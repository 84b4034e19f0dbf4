package io.stare.actors.middleware.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.stare.actors.middleware.InJvmClient;
import io.stare.client.StareClient;
import io.stare.client.StareException;
import io.stare.protocol.ErrorCode;
import io.stare.testing.Commands;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 17, item 8: a VNF name is bound to the middleware it first registered at. Before, the
 * owner's name attached at another middleware got the owner's VNF ID and could publish on its
 * states. Moving is explicit, from Java (over TCP and in the JVM) and from Python.
 */
@Timeout(60)
class VnfNameBindingTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Test
    void theOwnersNameIsRefusedAtAnotherMiddlewareUnlessTheVnfMoves() throws Exception {
        try (GatewayFabric fabric = new GatewayFabric(1024)) {
            var gateway = fabric.gateway.localAddress(); // h1's
            StareClient owner = fabric.vnf(1, "firewall"); // attached at h2
            GatewayFabric.await(owner.declare("blocked-flows"));
            int ownersId = owner.vnfId();

            StareException refused = assertThrows(StareException.class,
                    () -> StareClient.connect(gateway, "firewall", TIMEOUT, ""));
            assertEquals(ErrorCode.NOT_AUTHORIZED, refused.code());

            StareClient moved = StareClient.moveTo(gateway, "firewall", TIMEOUT, "");
            try {
                assertEquals(ownersId, moved.vnfId(), "the same VNF, moved");
                assertEquals(1L, fabric.gateway.counters().errors().get(ErrorCode.NOT_AUTHORIZED));
            } finally {
                moved.close();
            }

            // Bound to h1 now: h2 refuses the name, unless it moves back.
            ExecutionException back = assertThrows(ExecutionException.class, () -> InJvmClient.connect(
                    fabric.testKit.system(), fabric.middlewares.get(1), "firewall", TIMEOUT)
                    .toCompletableFuture().get(15, TimeUnit.SECONDS));
            assertEquals(ErrorCode.NOT_AUTHORIZED, assertInstanceOf(StareException.class, back.getCause()).code());
            InJvmClient home = InJvmClient.connect(fabric.testKit.system(), fabric.middlewares.get(1), "firewall",
                    TIMEOUT, true).toCompletableFuture().get(15, TimeUnit.SECONDS);
            assertEquals(ownersId, home.vnfId());
            home.close();
            owner.close();
        }
    }

    @Test
    void aPythonVnfMovesWithMoveTrue() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Commands.runs("python3", "--version"), "python3 runs");
        try (GatewayFabric fabric = new GatewayFabric(1024)) {
            StareClient owner = fabric.vnf(1, "probe");
            var gateway = fabric.gateway.localAddress();
            String said = PythonVnfScript.run(
                    "import stare_client",
                    "def attempt(move):",
                    "    c = stare_client.connect('127.0.0.1', " + gateway.getPort() + ")",
                    "    try:",
                    "        return c.register_vnf('probe', move=move)",
                    "    except stare_client.StareError as e:",
                    "        return e.code",
                    "    finally:",
                    "        c.close()",
                    "print(attempt(False), attempt(True))");
            assertEquals("NOT_AUTHORIZED " + owner.vnfId(), said, "refused, then moved under the owner's ID");
            owner.close();
        }
    }
}
