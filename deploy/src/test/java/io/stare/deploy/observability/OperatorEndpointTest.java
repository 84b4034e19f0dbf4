package io.stare.deploy.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.stare.actors.observability.MetricFamilies;
import io.stare.testing.TestTime;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A role's operator endpoint is Pekko Management: its health checks answer the probes, and
 * {@code /metrics} is written by the Prometheus client in the format the scraper asks for.
 */
@Timeout(60)
class OperatorEndpointTest {

    private static final MetricFamilies<AtomicLong> FAMILIES = new MetricFamilies<AtomicLong>("server")
            .counter("stare_test_publishes_total", "publishes", AtomicLong::get)
            .gauge("stare_test_queued", "queued \"now\"", n -> n.get() / 2.0);

    private final AtomicLong publishes = new AtomicLong(7);
    private final AtomicBoolean serving = new AtomicBoolean();
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private ActorSystem<Void> system;
    private String base;

    @BeforeEach
    void start() {
        system = ActorSystem.create(Behaviors.empty(), "endpoint-test",
                OperatorEndpoint.at(new InetSocketAddress("127.0.0.1", 0), false).withFallback(ConfigFactory.load()));
        InetSocketAddress at = OperatorEndpoint.start(system, () -> failure.get() != null
                        ? CompletableFuture.failedFuture(failure.get())
                        : CompletableFuture.completedFuture(metrics()),
                serving::get, Duration.ofSeconds(10));
        assertNotEquals(0, at.getPort(), "the real port, not the configured 0");
        base = "http://127.0.0.1:" + at.getPort();
    }

    @AfterEach
    void stop() {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().join();
    }

    private MetricSnapshots metrics() {
        return FAMILIES.snapshots(Map.of("h1", publishes));
    }

    @Test
    void readinessFollowsTheRoleAndLivenessTheSystem() {
        assertEquals(200, get("/alive", null).statusCode());
        assertEquals(500, get("/ready", null).statusCode(), "not ready until the role serves");
        serving.set(true);
        // Management caches nothing: the next probe sees it.
        TestTime.eventually(Duration.ofSeconds(5), () -> assertEquals(200, get("/ready", null).statusCode()));
        assertEquals(404, get("/nothing", null).statusCode());
    }

    @Test
    void metricsAreReadAtEachScrapeInTheTextFormat() {
        HttpResponse<String> first = get("/metrics", null);
        assertEquals(200, first.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8",
                first.headers().firstValue("Content-Type").orElse("").toLowerCase(java.util.Locale.ROOT));
        assertTrue(first.body().contains("# TYPE stare_test_publishes_total counter\n"), first.body());
        assertTrue(first.body().contains("stare_test_publishes_total{server=\"h1\"} 7.0\n"), first.body());
        assertTrue(first.body().contains("# HELP stare_test_queued queued \"now\"\n"), first.body());
        publishes.set(9);
        String second = get("/metrics", null).body();
        assertTrue(second.contains("stare_test_publishes_total{server=\"h1\"} 9.0\n"), second);
        assertTrue(second.contains("stare_test_queued{server=\"h1\"} 4.5\n"), second);
    }

    @Test
    void aScraperThatAsksForOpenMetricsGetsIt() {
        HttpResponse<String> open = get("/metrics", "application/openmetrics-text; version=1.0.0,text/plain;q=0.5");
        assertEquals(200, open.statusCode());
        assertTrue(open.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text"));
        assertTrue(open.body().contains("stare_test_publishes_total{server=\"h1\"} 7.0\n"), open.body());
        assertTrue(open.body().endsWith("# EOF\n"), open.body());
    }

    @Test
    void aScraperThatAsksForProtobufGetsText() {
        // Prometheus asks for protobuf first when native histograms are on; no protobuf writer here.
        HttpResponse<String> response = get("/metrics", "application/vnd.google.protobuf;"
                + "proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3");
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
        assertTrue(response.body().contains("stare_test_publishes_total{server=\"h1\"} 7.0\n"), response.body());
    }

    @Test
    void metricsThatCannotBeReadAre503WithTheReason() {
        failure.set(new IllegalStateException("the middleware did not answer within 5 s"));
        HttpResponse<String> response = get("/metrics", null);
        assertEquals(503, response.statusCode());
        assertEquals("metrics unavailable: the middleware did not answer within 5 s\n", response.body());
        failure.set(null);
        assertEquals(200, get("/metrics", null).statusCode(), "the next scrape reads again");
    }

    private HttpResponse<String> get(String path, String accept) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
        if (accept != null) {
            request.header("Accept", accept);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
