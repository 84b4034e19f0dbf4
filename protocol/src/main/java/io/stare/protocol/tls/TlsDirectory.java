package io.stare.protocol.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A TLS 1.3 context for mutual authentication, read from a directory laid out as a Kubernetes TLS
 * Secret: what the VNF gateway, P4Runtime (software switch and switch agent) and cluster TLS share.
 *
 * <ul>
 *   <li>{@code tls.key}: this side's private key, PEM, unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY},
 *       RSA or EC; what {@code openssl req -newkey ... -nodes} writes);</li>
 *   <li>{@code tls.crt}: its certificate (then any intermediates), PEM;</li>
 *   <li>{@code ca.crt}: the CA the other side's certificate must chain to, PEM.</li>
 * </ul>
 */
public final class TlsDirectory {

    /** The files' names. */
    public static final String KEY = "tls.key";
    /** This side's certificate chain. */
    public static final String CERTIFICATE = "tls.crt";
    /** The CA both sides' certificates chain to. */
    public static final String AUTHORITY = "ca.crt";

    private TlsDirectory() {
    }

    /**
     * An {@link SSLContext} ({@code TLSv1.3}) that presents {@code tls.key}/{@code tls.crt} and
     * trusts only {@code ca.crt}.
     *
     * @param what the channel, for the message of a failure ("gateway TLS", "P4Runtime TLS")
     * @throws IllegalArgumentException naming the directory and the file that is missing or
     *     unreadable, and why
     */
    public static SSLContext load(Path directory, String what) {
        try {
            List<Certificate> chain = certificates(directory.resolve(CERTIFICATE));
            List<Certificate> authorities = certificates(directory.resolve(AUTHORITY));
            PrivateKey key = privateKey(directory.resolve(KEY));
            char[] none = new char[0];
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("stare", key, none, chain.toArray(Certificate[]::new));
            KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keyManagers.init(keys, none);
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            for (int i = 0; i < authorities.size(); i++) {
                trusted.setCertificateEntry("ca-" + i, authorities.get(i));
            }
            TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(
                    TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trusted);
            SSLContext context = SSLContext.getInstance("TLSv1.3");
            context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(what + " directory " + directory + ": " + e.getMessage(), e);
        }
    }

    private static List<Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(file)) {
            List<Certificate> certificates = new ArrayList<>(CertificateFactory.getInstance("X.509")
                    .generateCertificates(in));
            if (certificates.isEmpty()) {
                throw new GeneralSecurityException(file.getFileName() + " holds no certificate");
            }
            return certificates;
        }
    }

    private static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
        String pem = Files.readString(file, StandardCharsets.US_ASCII);
        if (pem.contains("BEGIN RSA PRIVATE KEY") || pem.contains("BEGIN EC PRIVATE KEY")) {
            throw new GeneralSecurityException(file.getFileName() + " is not PKCS#8; convert it with "
                    + "openssl pkcs8 -topk8 -nocrypt -in " + file.getFileName());
        }
        int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
        int end = pem.indexOf("-----END PRIVATE KEY-----");
        if (begin < 0 || end < begin) {
            throw new GeneralSecurityException(file.getFileName() + " holds no unencrypted PKCS#8 key "
                    + "(-----BEGIN PRIVATE KEY-----)");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + "-----BEGIN PRIVATE KEY-----".length(), end));
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        GeneralSecurityException last = null;
        for (String algorithm : List.of("RSA", "EC")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException e) {
                last = e;
            }
        }
        throw new GeneralSecurityException(file.getFileName() + " is neither an RSA nor an EC key", last);
    }
}
