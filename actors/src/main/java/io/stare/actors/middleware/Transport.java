package io.stare.actors.middleware;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/**
 * How a middleware's frames reach the network: MAIN SEND (whole Ethernet frames out) and MAIN
 * RECEIVE (whole frames in, handed to the receive path's stream). Both directions are Pekko Streams
 * stages; no packet goes through an actor mailbox.
 *
 * <p>Implementations ({@code stare.middleware.transport}, started by {@link Transports#start}):
 * <ul>
 *   <li>{@link TunnelTransport} ({@code tunnel}): one UDP socket on loopback exchanging whole
 *       Ethernet frames with one software-switch port, as the switch's ports expect.</li>
 *   <li>{@link MulticastTransport} ({@code multicast}): real IP multicast on a host interface. MAIN
 *       SEND sends each frame's UDP payload to the frame's 239.0.0.0/8 group, port 65432; MAIN
 *       RECEIVE joins each subscribed state's Publish and SUB-ack groups ({@link #join} and
 *       {@link #leave}, spread over sockets by the {@link MembershipMaker}) and rebuilds a whole
 *       frame from every datagram it accepts.</li>
 * </ul>
 */
public interface Transport {

    /**
     * Offers one frame to MAIN SEND. Never blocks: when the send queue is full or the transport is
     * closed the frame is dropped, counted, and false is returned (STARE's ARQ and RECOVER repair
     * that, as they repair losses on a link).
     */
    boolean send(byte[] frame);

    /**
     * MEMBERSHIP-MAKER: the server is about to SUB-register for {@code stateId}, so from now on it
     * must receive the state's publishes and SUB-acks. A transport on a real network joins the
     * state's multicast groups here; a tunnel receives whatever its switch port sends and does
     * nothing. Called from the middleware's actor: it must be thread-safe and must not block long.
     */
    default void join(int stateId) {
    }

    /**
     * MEMBERSHIP-MAKER: the server left {@code stateId}'s tree (its SUB-remove was acknowledged or
     * abandoned, or its SUB-register was abandoned): the state's groups may be left.
     */
    default void leave(int stateId) {
    }

    /** The local address of the transport's (sending) socket, once bound. */
    CompletionStage<InetSocketAddress> localAddress();

    /** A snapshot of the counters. */
    Counters counters();

    /** Stops sending and receiving and releases every socket (and, with it, every membership). */
    CompletionStage<Done> close();

    /**
     * The transport's counters.
     *
     * @param sent frames handed to the socket
     * @param received frames read from the socket and handed to the receive path
     * @param dropped frames refused by {@link #send} (queue full, oversize, not STARE, or closed)
     * @param foreign datagrams ignored because they were not for this server: with {@code tunnel}
     *     not from the switch port; with {@code multicast} of a state not joined, of a SUB-register
     *     or SUB-remove, or a copy that arrived on a socket not owning the state
     * @param malformed datagrams ignored because they were not STARE at all (too short, bad header);
     *     always 0 with {@code tunnel}, whose receive path decodes and counts them instead
     */
    record Counters(long sent, long received, long dropped, long foreign, long malformed) {

        /** Counters of a transport that never finds a datagram malformed. */
        public Counters(long sent, long received, long dropped, long foreign) {
            this(sent, received, dropped, foreign, 0);
        }
    }
}
