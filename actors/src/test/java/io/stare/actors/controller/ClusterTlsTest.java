package io.stare.actors.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import com.typesafe.config.ConfigFactory;
import io.stare.testing.ArteryJunk;
import io.stare.testing.TestCertificates;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Issue 17, items 8 and 9: with {@code stare.cluster.tls.directory} set, only nodes with a
 * certificate from the cluster's CA join; a node with another CA's certificate, a node without
 * TLS, and one 25-byte frame with length -1 (the frame that made a plain-TCP node log
 * "Dropping message" at 8 MB/s) are turned away at the handshake, and the cluster goes on.
 * Certificates come from {@code openssl}; without it the test is skipped.
 */
@Timeout(120)
class ClusterTlsTest {

    @TempDir
    static Path certificates;
    private static Path a;
    private static Path b;
    private static Path d;
    private static Path stranger;

    @BeforeAll
    static void makeCertificates() throws Exception {
        Assumptions.assumeTrue(TestCertificates.opensslAvailable(), "openssl is not available");
        TestCertificates cluster = TestCertificates.authority(certificates.resolve("cluster-ca"), "stare-test-ca");
        a = cluster.node("a");
        b = cluster.node("b");
        d = cluster.node("d");
        stranger = TestCertificates.authority(certificates.resolve("other-ca"), "another-ca").node("c");
    }

    private static String tls(Path directory) {
        return "stare.cluster.tls.directory = \"" + directory + "\"";
    }

    @Test
    void onlyNodesWithTheClustersCertificatesJoinAndJunkIsTurnedAwayAtTheHandshake() throws Exception {
        AtomicLong dropping = countLogLines("Dropping message");
        try (ClusterNodes nodes = new ClusterNodes("")) {
            ActorSystem<Void> first = nodes.start(List.of("replica-controller"), false, tls(a));
            nodes.join(first);
            nodes.awaitUp(first, 1);
            ActorSystem<Void> second = nodes.start(List.of("replica-controller"), false, tls(b));
            nodes.join(second);
            nodes.awaitUp(first, 2);

            ActorSystem<Void> otherCa = nodes.start(List.of("middleware"), false, tls(stranger));
            nodes.join(otherCa);
            ActorSystem<Void> plain = nodes.start(List.of("middleware"), false, "");
            nodes.join(plain);
            int port = (Integer) Cluster.get(first).selfMember().address().port().get();
            ArteryJunk.sendNegativeLengthFrame(port);

            // The marker: a node with the cluster's certificate, asked to join after the strangers and
            // the junk, is let in; had the strangers been admitted, they would be members by then too.
            ActorSystem<Void> late = nodes.start(List.of("middleware"), false, tls(d));
            nodes.join(late);
            nodes.awaitUp(first, 3);

            List<Address> members = addresses(first);
            assertFalse(members.contains(Cluster.get(otherCa).selfMember().address()), members.toString());
            assertFalse(members.contains(Cluster.get(plain).selfMember().address()), members.toString());
            assertTrue(members.contains(Cluster.get(late).selfMember().address()), members.toString());
            assertTrue(dropping.get() < 10, dropping.get() + " 'Dropping message' lines");
        }
    }

    @Test
    void aDirectoryWithoutItsFilesIsAClearError(@TempDir Path empty) {
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> ClusterTls.apply(ConfigFactory.parseString(tls(empty))));
        assertTrue(missing.getMessage().contains("has no readable tls.key"), missing.getMessage());
        assertEquals("tcp", ControllerCluster.nodeConfig("127.0.0.1", 0, List.of(), List.of(),
                ConfigFactory.empty()).getString("pekko.remote.artery.transport"));
        assertEquals("tls-tcp", ClusterTls.apply(ConfigFactory.parseString(tls(a)))
                .getString("pekko.remote.artery.transport"));
    }


    private static List<Address> addresses(ActorSystem<?> observer) {
        List<Address> addresses = new java.util.ArrayList<>();
        for (Member member : Cluster.get(observer).state().getMembers()) {
            addresses.add(member.address());
        }
        return addresses;
    }

    /** Counts log lines containing {@code text} from now on (the counter stays for the JVM: cheap). */
    private static AtomicLong countLogLines(String text) {
        AtomicLong count = new AtomicLong();
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        AppenderBase<ILoggingEvent> counter = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                if (event.getFormattedMessage().contains(text)) {
                    count.incrementAndGet();
                }
            }
        };
        counter.setContext(root.getLoggerContext());
        counter.start();
        root.addAppender(counter);
        return count;
    }
}
