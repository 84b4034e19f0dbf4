package io.stare.actors.middleware;

import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Sink;

/** Starts the {@link Transport} that a middleware's settings choose ({@code stare.middleware.transport}). */
public final class Transports {

    private Transports() {
    }

    /**
     * Starts the transport of {@code settings}: {@link TunnelTransport} towards
     * {@link MiddlewareSettings#switchPort()}, or {@link MulticastTransport} on
     * {@link MiddlewareSettings.MulticastSettings#networkInterface()}.
     *
     * @param receive MAIN RECEIVE's downstream: every received frame, in order; materialized once
     * @throws IllegalArgumentException if the multicast interface or bind address does not exist
     */
    public static Transport start(ActorSystem<?> system, MiddlewareSettings settings, Sink<byte[], NotUsed> receive) {
        MiddlewareSettings.TransportSettings transport = settings.transport();
        if (transport.kind() == MiddlewareSettings.TransportSettings.Kind.MULTICAST) {
            return MulticastTransport.start(system, transport.multicast(), settings.sendQueue(), settings.serverId(),
                    receive);
        }
        return TunnelTransport.start(system, settings.switchPort(), settings.sendQueue(), settings.serverId(), receive);
    }
}
