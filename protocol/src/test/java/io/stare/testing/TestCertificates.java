package io.stare.testing;

import io.stare.protocol.tls.CertificateAuthority;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Certificates for tests of STARE's TLS channels: a {@link CertificateAuthority} whose certificates
 * are valid two days (every node certificate names {@value #CLUSTER_NAME}, its node and 127.0.0.1).
 */
public final class TestCertificates {

    /** The subject name every node certificate carries. */
    public static final String CLUSTER_NAME = CertificateAuthority.CLUSTER_NAME;

    private final CertificateAuthority authority;

    private TestCertificates(CertificateAuthority authority) {
        this.authority = authority;
    }

    /** Whether {@code openssl} runs here. */
    public static boolean opensslAvailable() {
        return CertificateAuthority.opensslAvailable();
    }

    /** A new CA in {@code directory} ({@code ca.key}, {@code ca.crt}). */
    public static TestCertificates authority(Path directory, String name) throws IOException, InterruptedException {
        return new TestCertificates(CertificateAuthority.create(directory, name, 2));
    }

    /** A node certificate signed by this CA, in {@code directory/node}: tls.key, tls.crt, ca.crt. */
    public Path node(String node) throws IOException, InterruptedException {
        return authority.issue(node, List.of(), 2);
    }
}
