package io.stare.client;

import io.stare.protocol.tls.TlsDirectory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * TLS 1.3 with mutual authentication for the VNF gateway's TCP connections, from a directory laid
 * out as a Kubernetes TLS Secret ({@link TlsDirectory}: {@code tls.key}, {@code tls.crt},
 * {@code ca.crt}, the same layout as cluster and P4Runtime TLS).
 *
 * <p>The gateway asks every VNF for its certificate ({@link #serverEngine}); a VNF checks the
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
        return new GatewayTls(TlsDirectory.load(directory, "gateway TLS"), directory);
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
}
