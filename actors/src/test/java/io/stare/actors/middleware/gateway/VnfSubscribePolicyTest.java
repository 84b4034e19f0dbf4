package io.stare.actors.middleware.gateway;

import static io.stare.actors.middleware.gateway.GatewayFabric.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.stare.actors.controller.SubscribePolicy;
import io.stare.client.StareClient;
import io.stare.client.StareException;
import io.stare.client.StateListener;
import io.stare.protocol.ErrorCode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 17, item 8: any VNF could subscribe to any state. With a subscribe policy at the replica
 * controller, a VNF that no rule lets subscribe to a state gets NOT_AUTHORIZED, over the gateway
 * as in the JVM, and one that a rule names gets its updates.
 */
@Timeout(60)
class VnfSubscribePolicyTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Test
    void onlyVnfsTheRulesNameMaySubscribe() throws Exception {
        SubscribePolicy policy = new SubscribePolicy(List.of(new SubscribePolicy.Rule("ids-*", List.of("flows"))));
        try (GatewayFabric fabric = new GatewayFabric(1024, 0, settings -> settings,
                controller -> controller.withSubscribePolicy(policy))) {
            StareClient exporter = fabric.vnf(1, "exporter");
            int flows = await(exporter.declare("flows"));
            var gateway = fabric.gateway.localAddress();

            try (StareClient firewall = StareClient.connect(gateway, "firewall", TIMEOUT)) {
                ExecutionException refused = assertThrows(ExecutionException.class,
                        () -> await(firewall.subscribe("flows", (state, update, value) -> { })));
                assertEquals(ErrorCode.NOT_AUTHORIZED, assertInstanceOf(StareException.class, refused.getCause()).code());
            }
            try (StareClient ids = StareClient.connect(gateway, "ids-1", TIMEOUT)) {
                LinkedBlockingQueue<Long> heard = new LinkedBlockingQueue<>();
                StateListener listener = (state, update, value) -> heard.add(update);
                assertEquals(flows, await(ids.subscribe("flows", listener)));
                await(exporter.publish(flows, new byte[] {1}));
                assertEquals(0L, heard.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS), "the permitted VNF hears it");
            }
            exporter.close();
        }
    }
}
