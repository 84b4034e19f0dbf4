package io.stare.actors.middleware;

import static io.stare.actors.middleware.Testbed.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.actors.observability.Exposition;
import io.stare.actors.observability.MiddlewareMetrics;
import io.stare.client.StareClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The middlewares' counters as Prometheus metrics, read from running middlewares. */
@Timeout(60)
class MiddlewareMetricsTest {

    @Test
    void theCountersFollowTheTraffic() throws Exception {
        try (Testbed testbed = new Testbed()) {
            StareClient publisher = testbed.vnf(0, "tracker");
            StareClient subscriber = testbed.vnf(2, "monitor");
            await(publisher.declare("flows"));
            Recorder recorder = new Recorder();
            await(subscriber.subscribe("flows", recorder));
            for (int i = 0; i < 7; i++) {
                await(publisher.publish("flows", ("u" + i).getBytes(StandardCharsets.UTF_8)));
            }
            recorder.awaitCount(7, Testbed.WAIT);
            String text = Exposition.text(MiddlewareMetrics.snapshots(await(stats(testbed))));
            assertTrue(text.contains("# TYPE stare_middleware_publishes_total counter"), text);
            assertTrue(text.contains("stare_middleware_publishes_total{server=\"h1\"} 7.0\n"), text);
            assertTrue(text.contains("stare_middleware_deliveries_network_total{server=\"h3\"} 7.0\n"), text);
            assertTrue(text.contains("stare_middleware_unconfirmed_appends{server=\"h2\"} 0.0\n"), text);
            assertTrue(text.contains("stare_middleware_inbound_queued{server=\"h3\"} 0.0\n"), text);
            assertTrue(text.contains("stare_middleware_handler_errors_total{server=\"h3\"} 0.0\n"), text);
        }
    }

    private static CompletableFuture<Map<String, Middleware.Stats>> stats(Testbed testbed) {
        Map<String, CompletableFuture<Middleware.Stats>> asks = new LinkedHashMap<>();
        for (int server = 0; server < testbed.middlewares.size(); server++) {
            asks.put("h" + (server + 1), AskPattern.<Middleware.Command, Middleware.Stats>ask(
                    testbed.middlewares.get(server), Middleware.GetStats::new, Duration.ofSeconds(5),
                    testbed.testKit.system().scheduler()).toCompletableFuture());
        }
        return CompletableFuture.allOf(asks.values().toArray(CompletableFuture[]::new)).thenApply(done -> {
            Map<String, Middleware.Stats> stats = new LinkedHashMap<>();
            asks.forEach((server, ask) -> stats.put(server, ask.join()));
            return stats;
        });
    }
}
