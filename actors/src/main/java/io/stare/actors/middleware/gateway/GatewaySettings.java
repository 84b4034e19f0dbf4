package io.stare.actors.middleware.gateway;

import com.typesafe.config.Config;
import io.stare.client.GatewayTls;
import io.stare.protocol.vnf.VnfFrameCodec;
import java.time.Duration;
import java.util.Objects;

/**
 * How the {@link VnfGateway} listens. Read from {@code stare.middleware.gateway} ({@link #fromConfig});
 * every key is documented in {@code reference.conf}.
 *
 * @param host the address to bind, loopback by default (VNFs run on the middleware's server)
 * @param port the TCP port, {@link VnfFrameCodec#DEFAULT_PORT} by default; 0 picks an ephemeral one
 * @param serverName the name sent in HELLO_ACK
 * @param maxFrameBytes the largest frame length N accepted (advertised in HELLO_ACK)
 * @param outboundBuffer per connection: DELIVER frames buffered for a VNF that reads slowly; beyond,
 *     updates are dropped and reported with a LOSS_NOTICE
 * @param maxConnections sessions open at once; further connections get ERROR UNAVAILABLE and are closed
 * @param requestTimeout bound on each request a session makes of the middleware
 * @param handshakeTimeout how long a new connection may take to complete the handshake before it
 *     gets ERROR BAD_REQUEST and is closed (so silent connections cannot hold session slots)
 * @param tokens the VNF tokens a registration must carry, or null where the gateway asks for none
 * @param tls TLS with mutual authentication for every connection, or null for plain TCP
 * @param sourceLimits when a source address whose connections keep ending before a handshake is
 *     refused for a while ({@link SourceLimits})
 */
public record GatewaySettings(String host, int port, String serverName, int maxFrameBytes, int outboundBuffer,
                              int maxConnections, Duration requestTimeout, Duration handshakeTimeout,
                              VnfTokens tokens, GatewayTls tls, SourceLimits.Settings sourceLimits) {

    /** Settings of a gateway that asks for no token. */
    public GatewaySettings(String host, int port, String serverName, int maxFrameBytes, int outboundBuffer,
                           int maxConnections, Duration requestTimeout, Duration handshakeTimeout) {
        this(host, port, serverName, maxFrameBytes, outboundBuffer, maxConnections, requestTimeout, handshakeTimeout,
                null, null, SourceLimits.Settings.OFF);
    }

    public GatewaySettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(serverName, "serverName");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range 0..65535");
        }
        if (maxFrameBytes < VnfFrameCodec.MIN_MAX_FRAME_BYTES || maxFrameBytes > VnfFrameCodec.MAX_MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("max-frame-bytes " + maxFrameBytes + " is out of range "
                    + VnfFrameCodec.MIN_MAX_FRAME_BYTES + ".." + VnfFrameCodec.MAX_MAX_FRAME_BYTES);
        }
        if (outboundBuffer < 1 || maxConnections < 1) {
            throw new IllegalArgumentException("outbound-buffer and max-connections must be positive");
        }
        if (requestTimeout.isZero() || requestTimeout.isNegative()) {
            throw new IllegalArgumentException("request-timeout must be positive: " + requestTimeout);
        }
        if (handshakeTimeout.isZero() || handshakeTimeout.isNegative()) {
            throw new IllegalArgumentException("handshake-timeout must be positive: " + handshakeTimeout);
        }
        Objects.requireNonNull(sourceLimits, "sourceLimits");
    }

    /** Reads {@code stare.middleware.gateway}; the server name is {@code stare.middleware.server-id}. */
    public static GatewaySettings fromConfig(Config config) {
        Config c = config.getConfig("stare.middleware.gateway");
        return new GatewaySettings(c.getString("host"), c.getInt("port"),
                config.getString("stare.middleware.server-id"), c.getBytes("max-frame-bytes").intValue(),
                c.getInt("outbound-buffer"), c.getInt("max-connections"), c.getDuration("request-timeout"),
                c.getDuration("handshake-timeout"), tokens(c.getString("token-key-file")),
                tls(c.getString("tls-directory")), new SourceLimits.Settings(c.getInt("source-limit.strikes"),
                        c.getDuration("source-limit.window"), c.getDuration("source-limit.ban"),
                        c.getDuration("source-limit.max-ban"), c.getInt("source-limit.accepts-while-banned")));
    }

    private static GatewayTls tls(String directory) {
        return directory.isBlank() ? null : GatewayTls.fromDirectory(java.nio.file.Path.of(directory.trim()));
    }

    /** The same settings with TLS from {@code newTls} (null: plain TCP). */
    public GatewaySettings withTls(GatewayTls newTls) {
        return new GatewaySettings(host, port, serverName, maxFrameBytes, outboundBuffer, maxConnections, requestTimeout,
                handshakeTimeout, tokens, newTls, sourceLimits);
    }

    private static VnfTokens tokens(String keyFile) {
        return keyFile.isBlank() ? null : VnfTokens.fromFile(java.nio.file.Path.of(keyFile.trim()));
    }

    /** The same settings asking every VNF for its token under {@code newTokens} (null: none). */
    public GatewaySettings withTokens(VnfTokens newTokens) {
        return new GatewaySettings(host, port, serverName, maxFrameBytes, outboundBuffer, maxConnections, requestTimeout,
                handshakeTimeout, newTokens, tls, sourceLimits);
    }

    /** The same settings on another address (tests bind port 0). */
    public GatewaySettings withAddress(String newHost, int newPort) {
        return new GatewaySettings(newHost, newPort, serverName, maxFrameBytes, outboundBuffer, maxConnections,
                requestTimeout, handshakeTimeout, tokens, tls, sourceLimits);
    }

    /** The same settings with another per-connection delivery buffer. */
    public GatewaySettings withOutboundBuffer(int deliveries) {
        return new GatewaySettings(host, port, serverName, maxFrameBytes, deliveries, maxConnections, requestTimeout,
                handshakeTimeout, tokens, tls, sourceLimits);
    }

    /** The same settings with another handshake timeout. */
    public GatewaySettings withHandshakeTimeout(Duration timeout) {
        return new GatewaySettings(host, port, serverName, maxFrameBytes, outboundBuffer, maxConnections, requestTimeout,
                timeout, tokens, tls, sourceLimits);
    }

    /** The same settings with other per-source limits ({@link SourceLimits.Settings#OFF}: none). */
    public GatewaySettings withSourceLimits(SourceLimits.Settings limits) {
        return new GatewaySettings(host, port, serverName, maxFrameBytes, outboundBuffer, maxConnections, requestTimeout,
                handshakeTimeout, tokens, tls, limits);
    }
}
