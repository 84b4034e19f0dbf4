package io.stare.actors.middleware;

import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Sink;

/** Starts the {@link Transport} that a middleware's settings choose. */
public final class Transports {

    private Transports() {
    }

    /**
     * Starts the transport of {@code settings} (today always {@code tunnel}).
     *
     * @param receive MAIN RECEIVE's downstream: every received frame, in order
     */
    public static Transport start(ActorSystem<?> system, MiddlewareSettings settings, Sink<byte[], NotUsed> receive) {
        return TunnelTransport.start(system, settings.switchPort(), settings.sendQueue(), settings.serverId(), receive);
    }
}
