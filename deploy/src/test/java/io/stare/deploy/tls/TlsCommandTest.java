package io.stare.deploy.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.deploy.Cli;
import io.stare.protocol.tls.CertificateAuthority;
import io.stare.protocol.tls.TlsDirectory;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code stare tls} makes what every --tls-dir reads. */
class TlsCommandTest {

    @Test
    void makesACaAndANodeDirectoryThatLoads(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(CertificateAuthority.opensslAvailable(), "openssl is not available");
        Path ca = dir.resolve("pki");
        Cli made = Cli.run("tls", "ca", "--dir", ca.toString(), "--days", "2");
        assertEquals(0, made.exitCode(), made.err());
        assertTrue(Files.isRegularFile(ca.resolve("ca.crt")), made.out());

        Cli node = Cli.run("tls", "node", "--dir", ca.toString(), "--name", "switch-1", "--san",
                "IP:10.0.0.5,DNS:switch-1.example", "--days", "2");
        assertEquals(0, node.exitCode(), node.err());
        Path issued = ca.resolve("switch-1");
        SSLContext context = TlsDirectory.load(issued, "test");
        assertEquals("TLSv1.3", context.getProtocol());
        String certificate = new String(new ProcessBuilder("openssl", "x509", "-noout", "-text", "-in",
                issued.resolve("tls.crt").toString()).start().getInputStream().readAllBytes());
        assertTrue(certificate.contains("IP Address:10.0.0.5") && certificate.contains("DNS:switch-1.example")
                && certificate.contains("DNS:stare-cluster") && certificate.contains("IP Address:127.0.0.1"),
                certificate);

        assertOneLine(Cli.run("tls", "ca", "--dir", ca.toString()), "exists already");
        assertOneLine(Cli.run("tls", "node", "--dir", dir.resolve("none").toString(), "--name", "h1"), "is missing");
        assertOneLine(Cli.run("tls", "node", "--dir", ca.toString(), "--name", "h1", "--san", "10.0.0.5"),
                "must be DNS:... or IP:...");
        assertOneLine(Cli.run("tls", "node", "--dir", ca.toString(), "--name", "../h1"), "plain file name");
    }

    private static void assertOneLine(Cli run, String mention) {
        assertEquals(1, run.exitCode(), run.out() + run.err());
        String err = run.err().strip();
        assertFalse(err.contains("\n"), err);
        assertTrue(err.contains(mention), err);
    }
}
