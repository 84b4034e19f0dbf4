package io.stare.deploy.softswitch;

import io.stare.deploy.Cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.testing.TestTime;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code stare softswitch} as an operator runs it, through the real entry point. */
class SoftSwitchCommandTest {


    @Test
    void runsATopologyAndPrintsWhereEverythingListens(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("line.txt");
        Files.writeString(file, "switch s1 ports 2\nswitch s2 ports 2\nlink s1:1 s2:0\nhost h1 s1:0\nhost h2 s2:1\n");
        Cli run = Cli.run("softswitch", "--topology", file.toString(), "--grpc", "127.0.0.1:0", "--program", "register",
                "--duration", "500ms");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().lines().anyMatch(l -> l.startsWith("s1 ") && l.contains("register")), run.out());
        assertTrue(run.out().lines().anyMatch(l -> l.startsWith("s2 ")), run.out());
        assertTrue(run.out().contains("distribution tree rooted at s1: [s1:1 <-> s2:0]"), run.out());
    }

    @Test
    void servesItsCountersAsMetrics() throws Exception {
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        java.util.concurrent.CompletableFuture<Cli> running = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> Cli.run("softswitch", "--ports", "2", "--grpc", "127.0.0.1:0", "--program", "register",
                        "--metrics", "127.0.0.1:" + port, "--duration", "5s"));
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        String body = TestTime.eventually(java.time.Duration.ofSeconds(5), () -> {
            try {
                return http.send(java.net.http.HttpRequest.newBuilder(
                                java.net.URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            } catch (java.io.IOException notYet) {
                return null; // not bound yet
            }
        }, java.util.Objects::nonNull);
        assertTrue(body.contains("stare_switch_pipeline_installed{switch=\"s1\"} 1.0\n"), body);
        assertTrue(body.contains("stare_switch_drops_no_subscriber_total{switch=\"s1\"} 0.0\n"), body);
        assertTrue(body.contains("stare_switch_port_received_total{port=\"s1:1\"} 0.0\n"), body);
        assertTrue(body.contains("stare_switch_controller_streams_broken_total{switch=\"s1\"} 0.0\n"), body);
        Cli run = running.get(20, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("metrics at http://127.0.0.1:" + port + "/metrics"), run.out());
    }

    @Test
    void badInputGivesOneClearLine(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.txt");
        Files.writeString(bad, "switch s1 ports 2\nlink s1:1 s9:0\n");
        assertOneLine(Cli.run("softswitch", "--topology", bad.toString()), "bad.txt:2: link names unknown switch 's9'");
        assertOneLine(Cli.run("softswitch", "--topology", dir.resolve("missing.txt").toString()), "cannot read topology file");
        assertOneLine(Cli.run("softswitch", "--program", "bogus"), "--program must be register, embedded or none");
        assertOneLine(Cli.run("softswitch", "--grpc", "nowhere"), "is not HOST:PORT");
        assertOneLine(Cli.run("softswitch", "--ports", "2", "--hosts", "2=127.0.0.1:4000"),
                "the switch has front ports 0..1");
        assertOneLine(Cli.run("softswitch", "--ports", "2", "--hosts", "0=127.0.0.1:4000,0=127.0.0.1:4001"),
                "--hosts names port 0 twice");
        assertOneLine(Cli.run("softswitch", "--ports", "2", "--hosts", "x=127.0.0.1:4000"), "must be PORT=HOST:PORT");
        assertOneLine(Cli.run("softswitch", "--ports", "2", "--hosts", "0=127.0.0.1:0"), "needs a resolvable host");
        assertOneLine(Cli.run("softswitch", "--ports", "17", "--grpc", "127.0.0.1:0"), "out of range 1..16");
        assertOneLine(Cli.run("softswitch", "--duration", "soon"), "is not a duration");
        assertOneLine(Cli.run("softswitch", "--ports", "2", "--tls-dir", dir.resolve("none").toString()),
                "none/tls.crt");
    }

    private static void assertOneLine(Cli run, String mention) {
        assertEquals(1, run.exitCode(), run.out() + run.err());
        String err = run.err().strip();
        assertFalse(err.contains("\n"), err);
        assertTrue(err.contains(mention), err);
    }
}
