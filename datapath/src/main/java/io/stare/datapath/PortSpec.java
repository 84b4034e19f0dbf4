package io.stare.datapath;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.util.Objects;

/**
 * How a {@link DataPath} opens one of its ports (one UDP socket) and whom the port talks to.
 *
 * @param name for logs and thread names (a switch port number, "tunnel", a multicast slot)
 * @param opener opens and binds the socket; the data path makes it non-blocking and owns it from then on
 * @param peer where datagrams go and from whom they are accepted
 * @param framing how frames are put into datagrams on the way out
 * @param overflow what a full socket send buffer does to frames waiting to go out
 */
public record PortSpec(String name, Opener opener, Peer peer, Framing framing, Overflow overflow) {

    /** Opens a bound datagram channel. */
    @FunctionalInterface
    public interface Opener {
        DatagramChannel open() throws IOException;
    }

    /** Where a port sends, and whom it listens to. */
    public sealed interface Peer {
    }

    /**
     * The port sends to whoever sent to it last, and accepts every datagram (a software-switch port
     * facing a host, which learns its peer as a learning switch would).
     */
    public record Learn() implements Peer {
    }

    /**
     * The port sends to {@code address}; with {@code only}, datagrams from anyone else are dropped
     * and counted as foreign (a middleware's tunnel, which listens only to its switch port).
     */
    public record Fixed(InetSocketAddress address, boolean only) implements Peer {
        public Fixed {
            Objects.requireNonNull(address, "address");
            if (address.isUnresolved() || address.getPort() == 0) {
                throw new IllegalArgumentException("peer " + address + " must be a resolved address with a port");
            }
        }
    }

    /** The port has no peer: every frame names its destination (IP multicast), or the port only listens. */
    public record PerFrame() implements Peer {
    }

    /** How outgoing frames become datagrams. */
    public enum Framing {
        /** One frame per datagram (the paper's wire). */
        RAW,
        /** Several frames per datagram ({@link TunnelFraming}). */
        BATCH,
        /** One frame per datagram until the peer is heard sending batches, then batches. */
        MIRROR
    }

    /** What happens to outgoing frames when the socket's send buffer is full. */
    public enum Overflow {
        /** They are dropped and counted, as a switch drops under overload. */
        DROP,
        /**
         * They wait in the port's buffer until the socket can take them, and the port reports no
         * room meanwhile ({@link Egress#claim} answers -1), so the producer holds back: a
         * middleware never loses its own publishes to its own socket.
         */
        HOLD
    }

    public PortSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(opener, "opener");
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(framing, "framing");
        Objects.requireNonNull(overflow, "overflow");
    }

    /**
     * An IPv4 UDP socket bound to {@code local}, with the socket buffers of {@code settings}; it
     * learns its peer, mirrors the peer's framing and drops on overflow (a software-switch port).
     */
    public static PortSpec udp(String name, InetSocketAddress local, DataPathSettings settings) {
        return new PortSpec(name, () -> bound(local, settings), new Learn(), Framing.MIRROR, Overflow.DROP);
    }

    /** The same port with another peer. */
    public PortSpec withPeer(Peer peer) {
        return new PortSpec(name, opener, peer, framing, overflow);
    }

    /** The same port with another framing. */
    public PortSpec withFraming(Framing framing) {
        return new PortSpec(name, opener, peer, framing, overflow);
    }

    /** The same port with another overflow policy. */
    public PortSpec withOverflow(Overflow overflow) {
        return new PortSpec(name, opener, peer, framing, overflow);
    }

    /** An IPv4 datagram channel bound to {@code local}, with the socket buffers of {@code settings}. */
    public static DatagramChannel bound(InetSocketAddress local, DataPathSettings settings) throws IOException {
        DatagramChannel channel = DatagramChannel.open(StandardProtocolFamily.INET);
        try {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, settings.socketReceiveBuffer());
            channel.setOption(StandardSocketOptions.SO_SNDBUF, settings.socketSendBuffer());
            channel.bind(local);
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }
}
