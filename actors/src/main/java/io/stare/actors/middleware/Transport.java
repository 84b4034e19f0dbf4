package io.stare.actors.middleware;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/**
 * How a middleware's frames reach the network: MAIN SEND (whole Ethernet frames out) and MAIN
 * RECEIVE (whole frames in, handed to the receive path's stream). Both directions are Pekko Streams
 * stages; no packet goes through an actor mailbox.
 *
 * <p>Implementations:
 * <ul>
 *   <li>{@link TunnelTransport} ({@code tunnel}): one UDP socket on loopback exchanging whole
 *       Ethernet frames with one software-switch port, as the switch's ports expect.</li>
 * </ul>
 * TODO(issue 5, next step): a {@code multicast} transport for real networks, sending IPv4/UDP to
 * 239.0.0.0/8 port 65432 through a raw or multicast socket and recording the OS multicast
 * memberships on SUB-register / SUB-remove (the paper's MAIN SEND and MEMBERSHIP-MAKER).
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
     * nothing.
     */
    default void join(int stateId) {
    }

    /**
     * MEMBERSHIP-MAKER: the server left {@code stateId}'s tree (its SUB-remove was acknowledged or
     * abandoned, or its SUB-register was abandoned): the state's groups may be left.
     */
    default void leave(int stateId) {
    }

    /** The local address of the transport's socket, once bound. */
    CompletionStage<InetSocketAddress> localAddress();

    /** A snapshot of the counters. */
    Counters counters();

    /** Stops sending and receiving and releases the socket. */
    CompletionStage<Done> close();

    /**
     * The transport's counters.
     *
     * @param sent frames handed to the socket
     * @param received frames read from the socket
     * @param dropped frames refused by {@link #send} (queue full, oversize or closed)
     * @param foreign datagrams ignored because they did not come from the switch port
     */
    record Counters(long sent, long received, long dropped, long foreign) {
    }
}
