package io.stare.actors.middleware;

import io.stare.datapath.DataPath;
import io.stare.datapath.DataPathSettings;
import io.stare.datapath.Egress;
import io.stare.datapath.Ingress;
import io.stare.datapath.PortSpec;
import io.stare.protocol.auth.PublishKey;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * How a middleware's messages meet the network (the paper's MAIN SEND and MAIN RECEIVE): which
 * sockets its data path opens, how a Publish or SUB message is written into them, and how a
 * received datagram is read. The {@link MainPath} runs every method on the data path's thread,
 * except {@link #join}, {@link #leave} and the read-outs, which the EXT module calls.
 *
 * <p>Implementations ({@code stare.middleware.transport}, chosen by {@link Transports#of}):
 * <ul>
 *   <li>{@link TunnelTransport} ({@code tunnel}): one UDP socket on loopback exchanging whole
 *       Ethernet frames with one software-switch port, several per datagram.</li>
 *   <li>{@link MulticastTransport} ({@code multicast}): real IP multicast on a host interface, one
 *       STARE message per datagram to its 239.0.0.0/8 group, port 65432; MAIN RECEIVE joins each
 *       subscribed state's Publish and SUB-ack groups ({@link #join} and {@link #leave}, spread over
 *       sockets by the {@link MembershipMaker}).</li>
 * </ul>
 */
public interface Transport {

    /** The sockets the data path opens when it starts, in port-id order. */
    List<PortSpec> ports(DataPathSettings settings);

    /** The data path runs, with {@link #ports} as ports 0..n-1. */
    void started(DataPath<?> path);

    /**
     * MAIN SEND of one Publish segment ({@code update} extended; its low 16 bits go on the wire)
     * whose payload lies in {@code payload[offset, offset + length)}, followed by its tag under
     * {@code key} unless {@code key} is null. False when the socket cannot take it now (the data
     * path offers it again next cycle).
     */
    boolean publish(Egress egress, int stateId, int vnfId, long update, int totalSegments, int segmentNo,
                    ByteBuffer payload, int offset, int length, PublishKey key);

    /**
     * MAIN SEND of a whole Ethernet frame the EXT module built (a SUB-register or SUB-remove). A
     * frame this transport cannot carry is dropped and counted; false when it was not sent.
     */
    boolean send(Egress egress, byte[] frame);

    /**
     * MAIN RECEIVE: reads frame {@code frame} of this cycle into {@code message}; false when it is
     * not a STARE message for this server (counted here).
     */
    boolean read(Ingress<?> in, int frame, StareMessage message);

    /**
     * MEMBERSHIP-MAKER: the server is about to SUB-register for {@code stateId}, so from now on it
     * must receive the state's publishes and SUB-acks. A transport on a real network joins the
     * state's multicast groups here; a tunnel receives whatever its switch port sends and does
     * nothing. Called from the middleware's actor: it must not block long.
     */
    default void join(int stateId) {
    }

    /**
     * MEMBERSHIP-MAKER: the server left {@code stateId}'s tree (its SUB-remove was acknowledged or
     * abandoned, or its SUB-register was abandoned): the state's groups may be left.
     */
    default void leave(int stateId) {
    }

    /** The data path is stopping: no more joins or leaves (its sockets, and their memberships, go with it). */
    default void close() {
    }

    /** The local address of the transport's (sending) socket; null before the data path started. */
    InetSocketAddress localAddress();

    /** A snapshot of the counters. */
    Counters counters();

    /**
     * The transport's counters (frames, not datagrams: a tunnel datagram may carry several).
     *
     * @param sent frames handed to the socket
     * @param received frames read from the socket and handed to the middleware
     * @param dropped frames refused on the way out (not STARE, too large, no room, or closed)
     * @param foreign datagrams ignored because they were not for this server: with {@code tunnel}
     *     not from the switch port; with {@code multicast} of a state not joined, of a SUB-register
     *     or SUB-remove, or a copy that arrived on a socket not owning the state
     * @param malformed datagrams ignored because they were not STARE at all: a multi-frame datagram
     *     whose lengths do not add up, or with {@code multicast} a bad STARE header (the tunnel's
     *     main path counts frames that do not decode as {@code decodeErrors} instead)
     */
    record Counters(long sent, long received, long dropped, long foreign, long malformed) {

        /** Counters of a transport that never finds a datagram malformed. */
        public Counters(long sent, long received, long dropped, long foreign) {
            this(sent, received, dropped, foreign, 0);
        }
    }
}
