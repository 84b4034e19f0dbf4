package io.stare.client;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
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
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS 1.3 with mutual authentication for the VNF gateway's TCP connections, from a directory laid
 * out as a Kubernetes TLS Secret (the same layout as cluster TLS):
 *
 * <ul>
 *   <li>{@code tls.key}: this side's private key, PEM, unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY},
 *       RSA or EC; what {@code openssl req -newkey ... -nodes} writes);</li>
 *   <li>{@code tls.crt}: its certificate (then any intermediates), PEM;</li>
 *   <li>{@code ca.crt}: the CA the other side's certificate must chain to, PEM.</li>
 * </ul>
 *
 * The gateway asks every VNF for its certificate ({@link #serverEngine}); a VNF checks the
 * gateway's against the CA and the address it dialled, which the certificate must name (an
 * {@code IP:} or {@code DNS:} subject alternative name, see {@link #connect}).
 */
public final class GatewayTls {

    /** The environment variable both clients read the directory from when none is given. */
    public static final String DIRECTORY_ENV = "STARE_GATEWAY_TLS_DIR";

    private final SSLContext context;
    private final Path directory;

    private GatewayTls(SSLContext context, Path directory) {
        this.context = context;
        this.directory = directory;
    }

    /**
     * Reads {@code directory}'s {@code tls.key}, {@code tls.crt} and {@code ca.crt}.
     *
     * @throws IllegalArgumentException naming the file that is missing or unreadable, and why
     */
    public static GatewayTls fromDirectory(Path directory) {
        try {
            List<Certificate> chain = certificates(directory.resolve("tls.crt"));
            List<Certificate> authorities = certificates(directory.resolve("ca.crt"));
            PrivateKey key = privateKey(directory.resolve("tls.key"));
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
            return new GatewayTls(context, directory);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("gateway TLS directory " + directory + ": " + e.getMessage(), e);
        }
    }

    /** The directory in {@value #DIRECTORY_ENV}, or null when it is unset or blank. */
    public static GatewayTls fromEnvironment() {
        String directory = System.getenv(DIRECTORY_ENV);
        return directory == null || directory.isBlank() ? null : fromDirectory(Path.of(directory.trim()));
    }

    /** The directory the files came from. */
    public Path directory() {
        return directory;
    }

    /** An engine for one accepted connection: TLS 1.3, the VNF's certificate required. */
    public SSLEngine serverEngine() {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        engine.setNeedClientAuth(true);
        engine.setEnabledProtocols(new String[] {"TLSv1.3"});
        return engine;
    }

    /**
     * Layers TLS over {@code connected}, a socket connected to {@code gateway}, and completes the
     * handshake: the gateway's certificate must chain to the CA and name the host dialled.
     */
    public Socket connect(Socket connected, InetSocketAddress gateway) throws IOException {
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(connected, gateway.getHostString(),
                gateway.getPort(), true);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setProtocols(new String[] {"TLSv1.3"});
        parameters.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the address
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return socket;
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
