package io.stare.actors.middleware;

import static io.stare.actors.middleware.Testbed.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.actors.observability.MiddlewareMetrics;
import io.stare.actors.observability.ObservabilityServer;
import io.stare.client.StareClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The middlewares' counters served over HTTP in the Prometheus format, with health and readiness. */
@Timeout(60)
class MiddlewareMetricsTest {

    @Test
    void theEndpointServesTheCountersWhileTrafficFlows() throws Exception {
        try (Testbed testbed = new Testbed()) {
            StareClient publisher = testbed.vnf(0, "tracker");
            StareClient subscriber = testbed.vnf(2, "monitor");
            await(publisher.declare("flows"));
            Recorder recorder = new Recorder();
            await(subscriber.subscribe("flows", recorder));
            AtomicBoolean ready = new AtomicBoolean(false);
            ObservabilityServer server = await(ObservabilityServer.start(testbed.testKit.system(), "127.0.0.1", 0,
                    () -> stats(testbed).thenApply(MiddlewareMetrics::render), ready::get));
            String base = "http://127.0.0.1:" + server.localAddress().getPort();
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            try {
                assertEquals(200, get(http, base + "/health").statusCode());
                assertEquals(503, get(http, base + "/ready").statusCode(), "not ready until the role says so");
                ready.set(true);
                assertEquals(200, get(http, base + "/ready").statusCode());
                assertEquals(404, get(http, base + "/nothing").statusCode());

                for (int i = 0; i < 7; i++) {
                    await(publisher.publish("flows", ("u" + i).getBytes(StandardCharsets.UTF_8)));
                }
                recorder.awaitCount(7, Testbed.WAIT);
                HttpResponse<String> metrics = get(http, base + "/metrics");
                assertEquals(200, metrics.statusCode());
                assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
                String text = metrics.body();
                assertTrue(text.contains("# TYPE stare_middleware_publishes_total counter"), text);
                assertTrue(text.contains("stare_middleware_publishes_total{server=\"h1\"} 7"), text);
                assertTrue(text.contains("stare_middleware_deliveries_network_total{server=\"h3\"} 7"), text);
                assertTrue(text.contains("stare_middleware_unconfirmed_appends{server=\"h2\"} 0"), text);
                assertTrue(text.contains("stare_middleware_inbound_queued{server=\"h3\"} 0"), text);
                assertTrue(text.contains("stare_middleware_handler_errors_total{server=\"h3\"} 0"), text);
            } finally {
                await(server.close());
            }
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

    private static HttpResponse<String> get(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
