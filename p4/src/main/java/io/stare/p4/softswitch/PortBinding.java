package io.stare.p4.softswitch;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * How one front port of a software switch meets the network: the UDP socket it is bound to and,
 * for a link to a neighbour switch, the fixed address of the neighbour's port.
 *
 * <p>A host port either has its host configured ({@link #withHost}: it sends to the host's tunnel
 * socket and listens to nothing else, so no other socket on the machine can take the port over),
 * or learns it: it sends to whoever sent it the last datagram, and drops what it emits before
 * anyone has. Learning is for a quick start on one machine; a deployment configures its hosts.
 *
 * @param port the front port number, 0..P-1
 * @param localAddress where the port's socket binds; port 0 picks an ephemeral port
 * @param fixedPeer the neighbour's socket for a switch-to-switch link, or the host's, or empty to
 *     learn the peer
 * @param hostOnly whether the fixed peer is a host, the only socket the port listens to (datagrams
 *     from others are dropped and counted as foreign)
 */
public record PortBinding(int port, InetSocketAddress localAddress, Optional<InetSocketAddress> fixedPeer,
                          boolean hostOnly) {

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
        if (hostOnly && fixedPeer.isEmpty()) {
            throw new IllegalArgumentException("port " + port + ": a host-only port needs its host's address");
        }
    }

    /** A port that learns its peer, or a link port (the neighbour's port is its fixed peer). */
    public PortBinding(int port, InetSocketAddress localAddress, Optional<InetSocketAddress> fixedPeer) {
        this(port, localAddress, fixedPeer, false);
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
        return new PortBinding(port, address, fixedPeer, hostOnly);
    }

    /** The same binding with a fixed peer. */
    public PortBinding withPeer(InetSocketAddress peer) {
        return new PortBinding(port, localAddress, Optional.of(peer), false);
    }

    /**
     * The same binding facing a configured host: it sends to {@code host} (the middleware's tunnel
     * socket) and drops, and counts as foreign, whatever another socket sends it.
     */
    public PortBinding withHost(InetSocketAddress host) {
        return new PortBinding(port, localAddress, Optional.of(host), true);
    }

    /** Whether the port learns its peer from the datagrams it receives. */
    public boolean learnsPeer() {
        return fixedPeer.isEmpty();
    }
}
