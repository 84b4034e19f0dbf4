package io.stare.actors.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.p4.program.StareProgram;
import io.stare.p4.softswitch.PortBinding;
import io.stare.p4.softswitch.SoftSwitchNode;
import io.stare.protocol.tls.TlsDirectory;
import io.stare.testing.TestCertificates;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * P4Runtime over TLS 1.3 with mutual authentication between a switch agent and the software
 * switch: an agent with a certificate of the switch's CA sets the switch up; one with another CA's
 * certificate, and one speaking plain text, never get a StreamChannel, and each says why.
 */
@Timeout(120)
class P4RuntimeTlsTest {

    private static ActorTestKit kit;

    @BeforeAll
    static void start() {
        kit = ActorTestKit.create("p4runtime-tls");
    }

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    @Test
    void onlyAnAgentWithACertificateOfTheSwitchesCaControlsIt(@TempDir Path certificates) throws Exception {
        Assumptions.assumeTrue(TestCertificates.opensslAvailable(), "openssl is not available");
        TestCertificates ca = TestCertificates.authority(certificates.resolve("ca"), "stare-p4runtime-ca");
        Path switchDirectory = ca.node("switch");
        Path agentDirectory = ca.node("agent");
        Path strangerDirectory = TestCertificates.authority(certificates.resolve("other"), "another-ca").node("agent");

        SoftSwitchNode node = SoftSwitchNode.start(kit.system(), new SoftSwitchNode.Settings("s1", 1,
                List.of(PortBinding.loopback(0), PortBinding.loopback(1)), new InetSocketAddress("127.0.0.1", 0),
                Optional.empty(), 0).withTls(TlsDirectory.load(switchDirectory, "P4Runtime TLS")));
        try {
            AgentSettings base = AgentTestSupport.settings(node.grpcAddress(), 1, 10, StareProgram.Mode.REGISTER, 0);

            ActorRef<SwitchAgent.Command> stranger = kit.spawn(SwitchAgent.create(
                    base.withTlsDirectory(strangerDirectory.toString()).withElectionId(java.math.BigInteger.valueOf(30))));
            ActorRef<SwitchAgent.Command> plain = kit.spawn(SwitchAgent.create(
                    base.withElectionId(java.math.BigInteger.valueOf(20))));
            AgentView refused = AgentTestSupport.awaitView(kit, stranger, v -> v.errors() >= 2, Duration.ofSeconds(30));
            AgentView refusedPlain = AgentTestSupport.awaitView(kit, plain, v -> v.errors() >= 2, Duration.ofSeconds(30));
            assertFalse(refused.connected(), refused.toString());
            assertFalse(refusedPlain.connected(), refusedPlain.toString());

            ActorRef<SwitchAgent.Command> agent = kit.spawn(SwitchAgent.create(
                    base.withTlsDirectory(agentDirectory.toString())));
            AgentView ready = AgentTestSupport.awaitReady(kit, agent);
            assertTrue(ready.primary(), ready.toString());
            assertEquals(1, ready.pipelinePushes(), "the pipeline went over TLS");
            // The stranger, with the higher election ID, would be primary had it got in; it keeps failing.
            assertFalse(AgentTestSupport.awaitView(kit, stranger, v -> v.errors() > refused.errors(),
                    Duration.ofSeconds(30)).connected());
            kit.stop(stranger);
            kit.stop(plain);
            kit.stop(agent);
        } finally {
            node.stop().toCompletableFuture().get();
        }
    }

    @Test
    void anUnreadableDirectoryIsAClearErrorOnEveryAttempt(@TempDir Path empty) throws Exception {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> TlsDirectory.load(empty, "P4Runtime TLS"));
        assertTrue(error.getMessage().startsWith("P4Runtime TLS directory " + empty), error.getMessage());
        assertTrue(error.getMessage().contains("tls.crt"), error.getMessage());

        AgentSettings settings = AgentTestSupport.settings(new InetSocketAddress("127.0.0.1", 1), 1, 1,
                StareProgram.Mode.REGISTER, 0).withTlsDirectory(empty.toString());
        ActorRef<SwitchAgent.Command> agent = kit.spawn(SwitchAgent.create(settings));
        AgentView view = AgentTestSupport.awaitView(kit, agent, v -> v.errors() >= 2, Duration.ofSeconds(30));
        assertTrue(view.lastError().orElseThrow().contains("tls.crt"), view.toString());
        kit.stop(agent);
    }
}
