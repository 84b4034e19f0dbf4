package io.stare.actors.middleware.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.client.GatewayTls;
import io.stare.client.StareClient;
import io.stare.client.StareException;
import io.stare.testing.Commands;
import io.stare.testing.TestCertificates;
import io.stare.testing.TestTime;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, item 8: the VNF gateway over TLS 1.3 with mutual authentication
 * ({@code stare.middleware.gateway.tls-directory}). A VNF with a certificate from the gateway's CA
 * gets in, from Java and from Python; one with another CA's certificate, and one that speaks plain
 * TCP, are refused at the handshake and counted.
 */
@Timeout(90)
class VnfGatewayTlsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Test
    void onlyVnfsWithACertificateFromTheGatewaysCaGetIn(@TempDir Path certificates) throws Exception {
        Assumptions.assumeTrue(TestCertificates.opensslAvailable(), "openssl is not available");
        TestCertificates ca = TestCertificates.authority(certificates.resolve("gateway-ca"), "stare-gateway-ca");
        GatewayTls gatewaySide = GatewayTls.fromDirectory(ca.node("gateway")); // names 127.0.0.1
        Path vnfDirectory = ca.node("vnf");
        Path strangerDirectory = TestCertificates.authority(certificates.resolve("other-ca"), "another-ca").node("vnf");
        try (GatewayFabric fabric = new GatewayFabric(1024, settings -> settings.withTls(gatewaySide))) {
            var gateway = fabric.gateway.localAddress();

            StareClient firewall = StareClient.connect(gateway, "firewall", TIMEOUT, "",
                    GatewayTls.fromDirectory(vnfDirectory));
            try {
                assertTrue(GatewayFabric.await(firewall.declare("blocked-flows")) >= 0);
            } finally {
                firewall.close();
            }

            assertThrows(StareException.class, () -> StareClient.connect(gateway, "stranger", TIMEOUT, "",
                    GatewayTls.fromDirectory(strangerDirectory)), "another CA's certificate");
            assertThrows(StareException.class, () -> StareClient.connect(gateway, "plain", TIMEOUT, "", null),
                    "plain TCP");
            TestTime.eventually(TIMEOUT, () -> assertEquals(2, fabric.gateway.counters().tlsRefused()));

            if (Commands.runs("python3", "--version")) {
                assertEquals("registered", python(gateway.getPort(), vnfDirectory));
                assertTrue(python(gateway.getPort(), strangerDirectory).startsWith("refused"),
                        "Python with another CA's certificate");
            }
        }
    }

    /** What a Python VNF says when it registers over TLS with the certificates in {@code directory}. */
    private static String python(int port, Path directory) throws Exception {
        return PythonVnfScript.run(
                "import stare_client",
                "try:",
                "    c = stare_client.connect('127.0.0.1', " + port + ", name='py', reconnect=False, tls_dir='"
                        + directory + "')",
                "    c.register_vnf('py-tls')",
                "    c.close()",
                "    print('registered')",
                "except Exception as e:",
                "    print('refused', type(e).__name__)");
    }
}
