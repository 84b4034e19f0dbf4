package io.stare.deploy.agent;

import io.stare.deploy.Cli;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.p4.softswitch.SoftSwitchNetwork;
import io.stare.p4.topology.TopologyFile;
import io.stare.testing.TestCertificates;
import io.stare.testing.TestTime;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code stare agent} against real software switches, through the real entry point. */
class AgentCommandTest {

    private static final String LINE = "switch s1 ports 3\nswitch s2 ports 3\nlink s1:2 s2:1\nhost h1 s1:0\nhost h2 s2:0\n";


    @Test
    void agentsTakeChargeOfEverySwitchOfATopology(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("line.txt");
        Files.writeString(file, LINE);
        ActorTestKit kit = ActorTestKit.create();
        int grpcBase = 21_000 + (int) (ProcessHandle.current().pid() % 2_000) * 2;
        SoftSwitchNetwork network = SoftSwitchNetwork.start(kit.system(), new SoftSwitchNetwork.Settings(
                ((TopologyFile.ParseResult.Parsed) TopologyFile.parse(LINE)).topology(), "127.0.0.1", grpcBase, 0,
                Optional.empty()));
        try {
            int metricsPort = grpcBase + 1_000;
            java.util.concurrent.CompletableFuture<Cli> running = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> Cli.run("agent", "--topology", file.toString(), "--switch", "127.0.0.1:" + grpcBase,
                            "--duration", "5s", "--metrics", "127.0.0.1:" + metricsPort));
            String metrics = fetchMetricsWhenReady(metricsPort);
            assertTrue(metrics.contains("stare_agent_primary{switch=\"s1\"} 1.0\n"), metrics);
            assertTrue(metrics.contains("stare_agent_rules{switch=\"s2\"} 257.0\n"), metrics);
            Cli run = running.get(30, TimeUnit.SECONDS);
            assertEquals(0, run.exitCode(), run.err());
            assertTrue(run.out().lines().anyMatch(l -> l.startsWith("s1 ") && l.contains("primary, ready")), run.out());
            assertTrue(run.out().lines().anyMatch(l -> l.startsWith("s2 ") && l.contains("primary, ready")), run.out());
            assertTrue(network.nodes().get("s2").softSwitch().hasPipeline(), "the agent pushed the pipeline");
        } finally {
            network.stop().toCompletableFuture().get(15, TimeUnit.SECONDS);
            kit.shutdownTestKit();
        }
    }

    /** Both commands with --tls-dir: P4Runtime over TLS 1.3, each side's certificate from one CA. */
    @Test
    void theSoftwareSwitchAndItsAgentSpeakTls(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(TestCertificates.opensslAvailable(), "openssl is not available");
        TestCertificates ca = TestCertificates.authority(dir.resolve("ca"), "stare-p4runtime-ca");
        Path switchTls = ca.node("switch");
        Path agentTls = ca.node("agent");
        int grpc;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            grpc = free.getLocalPort();
        }
        java.util.concurrent.CompletableFuture<Cli> softswitch = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> Cli.run("softswitch", "--ports", "2", "--grpc", "127.0.0.1:" + grpc, "--tls-dir",
                        switchTls.toString(), "--duration", "8s"));
        Cli agent = Cli.run("agent", "--switch", "127.0.0.1:" + grpc, "--tls-dir", agentTls.toString(),
                "--duration", "6s");
        assertEquals(0, agent.exitCode(), agent.err());
        assertTrue(agent.out().contains("P4Runtime over TLS"), agent.out());
        assertTrue(agent.out().lines().anyMatch(l -> l.contains("primary, ready")), agent.out());
        Cli switchRun = softswitch.get(30, TimeUnit.SECONDS);
        assertEquals(0, switchRun.exitCode(), switchRun.err());
        assertTrue(switchRun.out().contains("P4Runtime over TLS 1.3"), switchRun.out());
    }

    @Test
    void reconfigureGrowsTheTableAndReports() throws Exception {
        ActorTestKit kit = ActorTestKit.create();
        int grpc = 23_000 + (int) (ProcessHandle.current().pid() % 2_000) * 2;
        SoftSwitchNetwork network = SoftSwitchNetwork.start(kit.system(), new SoftSwitchNetwork.Settings(
                ((TopologyFile.ParseResult.Parsed) TopologyFile.parse("switch s1 ports 3\n")).topology(), "127.0.0.1",
                grpc, 0, Optional.empty()));
        try {
            Cli run = Cli.run("agent", "reconfigure", "--switch", "127.0.0.1:" + grpc, "--capacity", "4096");
            assertEquals(0, run.exitCode(), run.out() + run.err());
            assertTrue(run.out().contains("capacity             2048 -> 4096 states"), run.out());
            assertEquals(4096, network.nodes().get("s1").softSwitch().withPipeline(
                    p -> ((io.stare.p4.pipeline.RegisterPipeline) p).statePorts().capacity()).orElseThrow());
        } finally {
            network.stop().toCompletableFuture().get(15, TimeUnit.SECONDS);
            kit.shutdownTestKit();
        }
        assertOneLine(Cli.run("agent", "reconfigure", "--capacity", "3000"), "--capacity must be one of");
    }

    @Test
    void badInputGivesOneClearLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("line.txt");
        Files.writeString(file, LINE);
        assertOneLine(Cli.run("agent", "--mode", "bogus"), "--mode must be register or embedded");
        assertOneLine(Cli.run("agent", "--name", "s1"), "--name needs --topology");
        assertOneLine(Cli.run("agent", "--topology", file.toString(), "--name", "s9"), "switch 's9' is not in");
        assertOneLine(Cli.run("agent", "--switch", "localhost"), "is not HOST:PORT");
        assertOneLine(Cli.run("agent", "--election-id", "-1"), "--election-id must be 0..2^128-1");
        assertOneLine(Cli.run("agent", "--tls-dir", dir.resolve("none").toString()), "none/tls.crt");
    }

    /** GETs /metrics until both agents report ready (bounded: 10 s). */
    private static String fetchMetricsWhenReady(int port) throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpRequest get = java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + port + "/metrics")).timeout(java.time.Duration.ofSeconds(2)).build();
        return TestTime.eventually(java.time.Duration.ofSeconds(10), () -> {
            try {
                return http.send(get, java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            } catch (java.io.IOException notYet) {
                return ""; // the endpoint is not bound yet
            }
        }, body -> body.contains("stare_agent_ready{switch=\"s1\"} 1.0\n") && body.contains("stare_agent_ready{switch=\"s2\"} 1.0\n"));
    }

    private static void assertOneLine(Cli run, String mention) {
        assertEquals(1, run.exitCode(), run.out() + run.err());
        String err = run.err().strip();
        assertFalse(err.contains("\n"), err);
        assertTrue(err.contains(mention), err);
    }
}
