package io.stare.deploy.demo;

import io.stare.deploy.Cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.testing.TestTime;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code stare demo} through the real entry point. */
@Timeout(90)
class DemoCommandTest {


    @Test
    void theMetricsEndpointServesTheCountersWhileTheDemoRunsAndTheSummaryFollows() throws Exception {
        int port = 24_000 + (int) (ProcessHandle.current().pid() % 2_000);
        CompletableFuture<Cli> running = CompletableFuture.supplyAsync(() -> Cli.run("demo", "--duration", "8s",
                "--speedup", "20", "--devices", "20", "--plain", "--metrics", "127.0.0.1:" + port));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Pattern publishes = Pattern.compile("(?m)^stare_middleware_publishes_total\\{server=\"h1\"} (\\S+)$");
        boolean[] sawReady = {false};
        // Until h1 has counted a publish, or the demo has ended without (then the asserts below say so).
        String found = TestTime.eventually(Duration.ofSeconds(30), () -> {
            if (running.isDone()) {
                return "";
            }
            try {
                HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/ready")).build(), HttpResponse.BodyHandlers.ofString());
                sawReady[0] |= ready.statusCode() == 200;
                if (ready.statusCode() == 200) {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                            + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
                    Matcher m = publishes.matcher(r.body());
                    if (r.statusCode() == 200 && m.find() && Double.parseDouble(m.group(1)) > 0) {
                        return r.body();
                    }
                }
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            return null;
        }, java.util.Objects::nonNull);
        String metrics = found.isEmpty() ? null : found;
        Cli run = running.get(60, TimeUnit.SECONDS);
        assertEquals(0, run.exitCode(), run.out() + run.err());
        assertTrue(sawReady[0], run.out());
        assertTrue(metrics != null, "no publishes counted by h1 in the metrics while the demo ran\n" + run.out());
        assertTrue(metrics.contains("stare_demo_publishes_total{vnf=\"tracker-area-1\"}"), metrics);
        assertTrue(metrics.contains("stare_demo_devices_tracked{vnf=\"tracker-area-2\"}"), metrics);
        assertTrue(metrics.contains("stare_demo_backlog_updates{state=\"scans/area-3\"}"), metrics);
        assertTrue(metrics.contains("stare_demo_switch_subscriber_ports{switch=\"s1\"}"), metrics);
        assertTrue(metrics.contains("stare_middleware_recovered_segments_total{server=\"h2\"}"), metrics);
        // The counters: deliveries, losses recovered and unrecoverable, SUB retransmissions,
        // backlog sizes, rule counts, P4Runtime errors and queue depths.
        for (String family : new String[] {"stare_middleware_deliveries_network_total{server=\"h3\"}",
                "stare_middleware_unrecoverable_updates_total{server=\"h2\"}",
                "stare_middleware_sub_retransmissions_total{server=\"h2\"}",
                "stare_middleware_inbound_queued{server=\"h2\"}",
                "stare_middleware_unconfirmed_appends{server=\"h1\"}",
                "stare_agent_rules{switch=\"s1\"}", "stare_agent_errors_total{switch=\"s1\"}"}) {
            assertTrue(metrics.contains(family), family + " missing:\n" + metrics);
        }
        assertTrue(run.out().contains("tracker-area-4   h3"), run.out());
        assertTrue(run.out().contains("Summary: "), run.out());
        assertTrue(run.out().contains("Trajectories inferred: "), run.out());
    }

    @Test
    void badFlagsGetOneLine() {
        assertOneLine(Cli.run("demo", "--loss", "1.5"), "--loss must be a probability in [0, 1)");
        assertOneLine(Cli.run("demo", "--mode", "fast"), "--mode must be register or embedded");
        assertOneLine(Cli.run("demo", "--duration", "soon"), "--duration 'soon' is not a duration");
        assertOneLine(Cli.run("demo", "--devices", "500"), "--devices must be 0 to 50");
        assertOneLine(Cli.run("demo", "--topology", "/no/such/file"), "cannot read topology file");
        assertOneLine(Cli.run("demo", "--metrics", "nowhere"), "--metrics 'nowhere' is not HOST:PORT");
        Cli unknown = Cli.run("demo", "--speed", "3");
        assertEquals(2, unknown.exitCode());
        assertEquals(1, unknown.err().strip().lines().count(), unknown.err());
    }

    private static void assertOneLine(Cli run, String expected) {
        assertEquals(1, run.exitCode(), run.out() + run.err());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertTrue(run.err().startsWith("stare: ") && run.err().contains(expected), run.err());
        assertEquals("", run.out());
    }
}
