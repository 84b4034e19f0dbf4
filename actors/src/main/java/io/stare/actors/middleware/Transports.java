package io.stare.actors.middleware;

import io.stare.protocol.DecodeErrorCounters;

/** Makes the {@link Transport} that a middleware's settings choose ({@code stare.middleware.transport}). */
public final class Transports {

    private Transports() {
    }

    /**
     * The transport of {@code settings}: {@link TunnelTransport} towards
     * {@link MiddlewareSettings#switchPort()}, or {@link MulticastTransport} on
     * {@link MiddlewareSettings.MulticastSettings#networkInterface()}. Its sockets open when the
     * main path's data path starts.
     *
     * @param decodeErrors where the tunnel counts frames that do not decode
     * @throws IllegalArgumentException if the multicast interface or bind address does not exist
     */
    static Transport of(MiddlewareSettings settings, DecodeErrorCounters decodeErrors) {
        MiddlewareSettings.TransportSettings transport = settings.transport();
        if (transport.kind() == MiddlewareSettings.TransportSettings.Kind.MULTICAST) {
            return new MulticastTransport(transport.multicast(), settings.serverId());
        }
        return new TunnelTransport(settings.switchPort(), settings.transport().tunnelPort(), settings.senderId(),
                decodeErrors);
    }
}
