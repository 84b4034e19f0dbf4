package io.stare.p4.softswitch;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * How one front port of a software switch meets the network: the UDP socket it is bound to and,
 * for a link to a neighbour switch, the fixed address of the neighbour's port.
 *
 * <p>A port without a fixed peer is a host port: it sends to whoever sent it the last datagram
 * (the middleware's tunnel socket), and drops what it emits before anyone has.
 *
 * @param port the front port number, 0..P-1
 * @param localAddress where the port's socket binds; port 0 picks an ephemeral port
 * @param fixedPeer the neighbour's socket for a switch-to-switch link, or empty to learn the peer
 */
public record PortBinding(int port, InetSocketAddress localAddress, Optional<InetSocketAddress> fixedPeer) {

    /** 127.0.0.1, where every port binds unless its binding says otherwise. */
    public static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    public PortBinding {
        if (port < 0) {
            throw new IllegalArgumentException("port " + port + " is negative");
        }
        Objects.requireNonNull(localAddress, "localAddress");
        Objects.requireNonNull(fixedPeer, "fixedPeer");
        if (localAddress.isUnresolved()) {
            throw new IllegalArgumentException("local address " + localAddress + " is unresolved");
        }
        fixedPeer.ifPresent(peer -> {
            if (peer.isUnresolved() || peer.getPort() == 0) {
                throw new IllegalArgumentException("peer " + peer + " must be a resolved address with a port");
            }
        });
    }

    /** A host port on loopback, ephemeral UDP port, peer learned from what it receives. */
    public static PortBinding loopback(int port) {
        return new PortBinding(port, new InetSocketAddress(LOOPBACK, 0), Optional.empty());
    }

    /** A link port on loopback, ephemeral UDP port, always sending to {@code peer}. */
    public static PortBinding linked(int port, InetSocketAddress peer) {
        return new PortBinding(port, new InetSocketAddress(LOOPBACK, 0), Optional.of(peer));
    }

    /** The same binding on another local address (a fixed UDP port, or another interface). */
    public PortBinding withLocalAddress(InetSocketAddress address) {
        return new PortBinding(port, address, fixedPeer);
    }

    /** The same binding with a fixed peer. */
    public PortBinding withPeer(InetSocketAddress peer) {
        return new PortBinding(port, localAddress, Optional.of(peer));
    }

    /** Whether the port learns its peer from the datagrams it receives. */
    public boolean learnsPeer() {
        return fixedPeer.isEmpty();
    }
}
