package io.stare.actors.middleware;

import com.typesafe.config.Config;
import io.stare.protocol.control.ControlChecks;
import io.stare.protocol.header.StareHeader;
import io.stare.protocol.segment.ReassemblyConfig;
import io.stare.protocol.segment.Segmenter;
import io.stare.protocol.address.StareAddress;
import io.stare.protocol.auth.PublishKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * How one server's middleware runs. Read from {@code stare.middleware} ({@link #fromConfig}); every
 * key is documented in {@code reference.conf}.
 *
 * @param serverId the middleware's name towards the replica controller (RegisterVnf's middlewareId,
 *     the subscriberId of RECOVER and truncation), unique per server
 * @param senderId the VNF_ID field of this server's SUB-register / SUB-remove frames, 0..1023
 * @param switchPort the UDP address of the software-switch port this server is attached to
 * @param mtu the largest packet (IPv4 total length) a publish segment may take
 * @param arqTimeout wait for the first switch's SUB-ack before the first retransmission
 * @param arqMaxTimeout the longest wait (it doubles per retransmission)
 * @param arqLimit retransmissions of one SUB message before the subscription is reported failed
 * @param controlTimeout bound on every request to the replica controller
 * @param sendQueue frames one duty cycle of MAIN SEND writes at most before it lets the main path
 *     receive again (the rest goes next cycle)
 * @param controlQueue inputs from the EXT module waiting for the main path (activations, recovered
 *     segments, confirmations, SUB frames to send); beyond, the EXT module keeps them and offers them again
 * @param inboundQueue per VNF: updates the INT module buffers towards a slow VNF before it drops
 *     them (and tells the VNF of the loss)
 * @param outboundQueue per VNF: updates published and not yet sent by the main path; beyond, a
 *     publish is refused as back-pressured
 * @param unconfirmedAppends updates the EXT module keeps while the backlog has not confirmed them;
 *     at the bound new publishes are refused as back-pressured
 * @param tick how often the main path runs the reassembler's timers, flushes Append batches and resends
 *     unconfirmed appends
 * @param latestPoll how often each subscribed state's newest update is asked of the controller, so
 *     that a lost last update is noticed (zero disables it)
 * @param reassembly the reassembler's limits and timers
 * @param transport how frames reach the network ({@code tunnel} or {@code multicast})
 * @param eagerAppends whether every published update is sent to its backlog at once (the
 *     controller gets publishes only this way), or only if unconfirmed after control-timeout
 *     (the controller nodes subscribe through the data plane and confirm what they got)
 * @param publishLog bytes of the publish log, which holds what the server's VNFs published from
 *     the publish call until the backlog confirms it (rounded up to a power of two, and at least two
 *     of the largest updates)
 * @param subRefresh how often the SUB-register of every state the server receives is sent again
 *     (no ARQ, the switch acks it as usual), so that a switch that restarted empty learns its
 *     subscribers again; zero disables it
 */
public record MiddlewareSettings(String serverId, int senderId, InetSocketAddress switchPort, int mtu,
                                 Duration arqTimeout, Duration arqMaxTimeout, int arqLimit,
                                 Duration controlTimeout, int sendQueue, int controlQueue,
                                 int inboundQueue, int outboundQueue, int unconfirmedAppends,
                                 Duration tick, Duration latestPoll, ReassemblyConfig reassembly,
                                 TransportSettings transport, boolean eagerAppends, int publishLog,
                                 Duration subRefresh) {

    public MiddlewareSettings {
        ControlChecks.name("serverId", serverId);
        ControlChecks.vnfId("senderId", senderId);
        Objects.requireNonNull(switchPort, "switchPort");
        if (mtu < MIN_MTU || mtu > Segmenter.MAX_MTU) {
            throw new IllegalArgumentException("mtu " + mtu + " is out of range " + MIN_MTU + ".." + Segmenter.MAX_MTU);
        }
        if (transport.kind() == TransportSettings.Kind.TUNNEL && mtu > TunnelTransport.MAX_MTU) {
            throw new IllegalArgumentException("mtu " + mtu + " is too large for the tunnel transport: a frame must fit "
                    + "one UDP datagram, so at most " + TunnelTransport.MAX_MTU);
        }
        if (arqTimeout.isZero() || arqTimeout.isNegative() || arqMaxTimeout.compareTo(arqTimeout) < 0 || arqLimit < 0) {
            throw new IllegalArgumentException("arq needs 0 < timeout <= max-timeout and limit >= 0");
        }
        positive("control-timeout", controlTimeout);
        positive("tick", tick);
        if (latestPoll.isNegative()) {
            throw new IllegalArgumentException("latest-poll must not be negative");
        }
        if (subRefresh.isNegative()) {
            throw new IllegalArgumentException("sub-refresh must not be negative");
        }
        if (sendQueue < 1 || controlQueue < 1 || inboundQueue < 1 || outboundQueue < 1 || unconfirmedAppends < 1) {
            throw new IllegalArgumentException("queue sizes must be positive");
        }
        if (publishLog < 1 || publishLog > MAX_PUBLISH_LOG) {
            throw new IllegalArgumentException("publish-log " + publishLog + " is out of range 1.." + MAX_PUBLISH_LOG);
        }
        Objects.requireNonNull(reassembly, "reassembly").requireCapacityFor(
                StareHeader.MAX_SEGMENTS * (mtu - io.stare.protocol.packet.StarePacket.OVERHEAD
                        - PublishKey.TAG_LENGTH));
        Objects.requireNonNull(transport, "transport");
    }

    /** The smallest MTU: a segment's headers, its tag and one payload byte. */
    public static final int MIN_MTU = Segmenter.MIN_MTU + PublishKey.TAG_LENGTH;

    /** How this server splits updates: room for a Publish tag, keys or not, so every server splits alike. */
    public Segmenter segmenter() {
        return new Segmenter(mtu, PublishKey.TAG_LENGTH);
    }

    /** The largest publish log: 1 GiB. */
    public static final int MAX_PUBLISH_LOG = 1 << 30;
    /** The default bound on the publish log: 256 MiB (taken in chunks as publishes need it). */
    public static final int DEFAULT_PUBLISH_LOG = 256 << 20;

    /** The default period of SUB refreshes. */
    public static final Duration DEFAULT_SUB_REFRESH = Duration.ofSeconds(5);

    /** The same without the publish log's bound: the default 256 MiB. */
    public MiddlewareSettings(String serverId, int senderId, InetSocketAddress switchPort, int mtu,
                              Duration arqTimeout, Duration arqMaxTimeout, int arqLimit,
                              Duration controlTimeout, int sendQueue, int controlQueue,
                              int inboundQueue, int outboundQueue, int unconfirmedAppends,
                              Duration tick, Duration latestPoll, ReassemblyConfig reassembly,
                              TransportSettings transport, boolean eagerAppends) {
        this(serverId, senderId, switchPort, mtu, arqTimeout, arqMaxTimeout, arqLimit, controlTimeout, sendQueue,
                controlQueue, inboundQueue, outboundQueue, unconfirmedAppends, tick, latestPoll, reassembly, transport,
                eagerAppends, DEFAULT_PUBLISH_LOG, DEFAULT_SUB_REFRESH);
    }

    /** The settings as they were before the transport was chosen: the {@code tunnel} transport. */
    public MiddlewareSettings(String serverId, int senderId, InetSocketAddress switchPort, int mtu,
                              Duration arqTimeout, Duration arqMaxTimeout, int arqLimit,
                              Duration controlTimeout, int sendQueue, int controlQueue,
                              int inboundQueue, int outboundQueue, int unconfirmedAppends,
                              Duration tick, Duration latestPoll, ReassemblyConfig reassembly) {
        this(serverId, senderId, switchPort, mtu, arqTimeout, arqMaxTimeout, arqLimit, controlTimeout, sendQueue,
                controlQueue, inboundQueue, outboundQueue, unconfirmedAppends, tick, latestPoll, reassembly,
                TransportSettings.TUNNEL, true, DEFAULT_PUBLISH_LOG, DEFAULT_SUB_REFRESH);
    }

    /** Reads {@code stare.middleware} (give it the whole configuration, e.g. {@code system.settings().config()}). */
    public static MiddlewareSettings fromConfig(Config config) {
        Config c = config.getConfig("stare.middleware");
        Config r = c.getConfig("reassembly");
        ReassemblyConfig reassembly = new ReassemblyConfig(r.getBytes("max-bytes-per-stream").intValue(),
                r.getBytes("max-bytes-per-peer"), r.getInt("max-pending-updates"),
                r.getDuration("reorder-grace").toMillis(), r.getDuration("retry").toMillis(),
                r.getInt("max-attempts"), r.getInt("max-request-entries"));
        String switchPort = c.getString("switch-port");
        int colon = switchPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("stare.middleware.switch-port must be host:port, got '" + switchPort + "'");
        }
        return new MiddlewareSettings(c.getString("server-id"), c.getInt("sender-id"),
                new InetSocketAddress(switchPort.substring(0, colon), Integer.parseInt(switchPort.substring(colon + 1))),
                c.getInt("mtu"), c.getDuration("arq.timeout"), c.getDuration("arq.max-timeout"), c.getInt("arq.limit"),
                c.getDuration("control-timeout"), c.getInt("send-queue"), c.getInt("control-queue"),
                c.getInt("inbound-queue"), c.getInt("outbound-queue"), c.getInt("unconfirmed-appends"),
                c.getDuration("tick"), c.getDuration("latest-poll"), reassembly, TransportSettings.fromConfig(c),
                appendsFromConfig(c.getString("appends")), bytes(c, "publish-log"), c.getDuration("sub-refresh"));
    }

    /** The same settings for another server on another switch port (tests start several). */
    public MiddlewareSettings forServer(String newServerId, int newSenderId, InetSocketAddress newSwitchPort) {
        return new MiddlewareSettings(newServerId, newSenderId, newSwitchPort, mtu, arqTimeout, arqMaxTimeout, arqLimit,
                controlTimeout, sendQueue, controlQueue, inboundQueue, outboundQueue, unconfirmedAppends, tick,
                latestPoll, reassembly, transport, eagerAppends, publishLog, subRefresh);
    }

    /** The same settings with another SUB-* ARQ. */
    public MiddlewareSettings withArq(Duration timeout, Duration maxTimeout, int limit) {
        return new MiddlewareSettings(serverId, senderId, switchPort, mtu, timeout, maxTimeout, limit, controlTimeout,
                sendQueue, controlQueue, inboundQueue, outboundQueue, unconfirmedAppends, tick, latestPoll, reassembly,
                transport, eagerAppends, publishLog, subRefresh);
    }

    /** The same settings with other INT queue sizes. */
    public MiddlewareSettings withIntQueues(int inbound, int outbound) {
        return new MiddlewareSettings(serverId, senderId, switchPort, mtu, arqTimeout, arqMaxTimeout, arqLimit,
                controlTimeout, sendQueue, controlQueue, inbound, outbound, unconfirmedAppends, tick, latestPoll,
                reassembly, transport, eagerAppends, publishLog, subRefresh);
    }

    /** The same settings with another period of latest-update queries (zero disables them). */
    public MiddlewareSettings withLatestPoll(Duration period) {
        return new MiddlewareSettings(serverId, senderId, switchPort, mtu, arqTimeout, arqMaxTimeout, arqLimit,
                controlTimeout, sendQueue, controlQueue, inboundQueue, outboundQueue, unconfirmedAppends, tick, period,
                reassembly, transport, eagerAppends, publishLog, subRefresh);
    }

    /** The same settings with another transport. */
    public MiddlewareSettings withTransport(TransportSettings newTransport) {
        return new MiddlewareSettings(serverId, senderId, switchPort, mtu, arqTimeout, arqMaxTimeout, arqLimit,
                controlTimeout, sendQueue, controlQueue, inboundQueue, outboundQueue, unconfirmedAppends, tick,
                latestPoll, reassembly, newTransport, eagerAppends, publishLog, subRefresh);
    }

    /** The same settings with another period of SUB refreshes (zero disables them). */
    public MiddlewareSettings withSubRefresh(Duration period) {
        return new MiddlewareSettings(serverId, senderId, switchPort, mtu, arqTimeout, arqMaxTimeout, arqLimit,
                controlTimeout, sendQueue, controlQueue, inboundQueue, outboundQueue, unconfirmedAppends, tick,
                latestPoll, reassembly, transport, eagerAppends, publishLog, period);
    }

    /** The same settings with Appends sent at once ({@code true}) or only as repairs. */
    public MiddlewareSettings withEagerAppends(boolean eager) {
        return new MiddlewareSettings(serverId, senderId, switchPort, mtu, arqTimeout, arqMaxTimeout, arqLimit,
                controlTimeout, sendQueue, controlQueue, inboundQueue, outboundQueue, unconfirmedAppends, tick,
                latestPoll, reassembly, transport, eager, publishLog, subRefresh);
    }

    /** The same settings with another bound on updates the backlog has not confirmed yet. */
    public MiddlewareSettings withUnconfirmedAppends(int bound) {
        return new MiddlewareSettings(serverId, senderId, switchPort, mtu, arqTimeout, arqMaxTimeout, arqLimit,
                controlTimeout, sendQueue, controlQueue, inboundQueue, outboundQueue, bound, tick, latestPoll,
                reassembly, transport, eagerAppends, publishLog, subRefresh);
    }

    private static int bytes(Config c, String key) {
        long value = c.getBytes(key);
        if (value > MAX_PUBLISH_LOG) {
            throw new IllegalArgumentException("stare.middleware." + key + " = " + value + " exceeds " + MAX_PUBLISH_LOG);
        }
        return (int) value;
    }

    private static boolean appendsFromConfig(String mode) {
        return switch (mode.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "eager" -> true;
            case "repair" -> false;
            default -> throw new IllegalArgumentException("stare.middleware.appends must be eager or repair, got '"
                    + mode + "'");
        };
    }

    private static void positive(String name, Duration d) {
        if (d.isZero() || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
    }

    /**
     * The transport a middleware uses ({@code stare.middleware.transport} and
     * {@code stare.middleware.multicast}).
     *
     * @param kind which transport
     * @param multicast the {@code multicast} transport's settings (kept, unused, with {@code tunnel})
     */
    public record TransportSettings(Kind kind, MulticastSettings multicast, int tunnelPort) {

        /** The {@code tunnel} transport with the default multicast settings. */
        public static final TransportSettings TUNNEL = new TransportSettings(Kind.TUNNEL, MulticastSettings.DEFAULT);

        /** Settings whose tunnel socket binds an ephemeral port. */
        public TransportSettings(Kind kind, MulticastSettings multicast) {
            this(kind, multicast, 0);
        }

        /** The transports there are. */
        public enum Kind {
            /** {@link TunnelTransport}: whole frames over UDP to one software-switch port. */
            TUNNEL,
            /** {@link MulticastTransport}: IP multicast on a host interface. */
            MULTICAST;

            /** The kind for a configuration name ({@code tunnel}, {@code multicast}), case-insensitively. */
            public static Kind parse(String name) {
                for (Kind kind : values()) {
                    if (kind.name().equalsIgnoreCase(name.trim())) {
                        return kind;
                    }
                }
                throw new IllegalArgumentException("stare.middleware.transport must be tunnel or multicast, got '"
                        + name + "'");
            }
        }

        public TransportSettings {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(multicast, "multicast");
            if (tunnelPort < 0 || tunnelPort > 65535) {
                throw new IllegalArgumentException("tunnel-port " + tunnelPort + " is out of range 0..65535");
            }
        }

        /** The {@code multicast} transport with these settings. */
        public static TransportSettings multicast(MulticastSettings multicast) {
            return new TransportSettings(Kind.MULTICAST, multicast);
        }

        /** Reads {@code transport} and {@code multicast} of a {@code stare.middleware} section. */
        static TransportSettings fromConfig(Config middleware) {
            Kind kind = Kind.parse(middleware.getString("transport"));
            Config m = middleware.getConfig("multicast");
            return new TransportSettings(kind, new MulticastSettings(m.getString("interface"),
                    m.getString("bind-address"), m.getInt("port"), m.getInt("send-port"), m.getInt("ttl"),
                    m.getInt("max-memberships-per-socket")), middleware.getInt("tunnel-port"));
        }
    }

    /**
     * The {@code multicast} transport's settings ({@code stare.middleware.multicast}).
     *
     * @param networkInterface the interface multicast is sent on and groups are joined on: a name
     *     ({@code lo}, {@code eth0}) or one of its addresses
     * @param bindAddress the address the receiving sockets (port {@code port}) and the sending socket bind
     * @param port the UDP port of STARE traffic: where datagrams are sent and received (65432)
     * @param sendPort the sending socket's local port, 0 for an ephemeral one
     * @param ttl the IPv4 TTL of sent datagrams (IP_MULTICAST_TTL), 0..255
     * @param maxMembershipsPerSocket groups one socket may join; 0 reads the OS limit
     *     ({@link MembershipMaker#osLimit()}); otherwise at least 2
     */
    public record MulticastSettings(String networkInterface, String bindAddress, int port, int sendPort, int ttl,
                                    int maxMembershipsPerSocket) {

        /** Loopback, port 65432, TTL 64, the OS limit. */
        public static final MulticastSettings DEFAULT =
                new MulticastSettings("lo", "0.0.0.0", StareAddress.UDP_PORT, 0, 64, 0);

        public MulticastSettings {
            if (networkInterface == null || networkInterface.isBlank()) {
                throw new IllegalArgumentException("stare.middleware.multicast.interface must name an interface");
            }
            Objects.requireNonNull(bindAddress, "bindAddress");
            if (port < 1 || port > 0xffff || sendPort < 0 || sendPort > 0xffff) {
                throw new IllegalArgumentException("stare.middleware.multicast: port must be 1..65535 and send-port "
                        + "0..65535, got " + port + " and " + sendPort);
            }
            if (ttl < 0 || ttl > 255) {
                throw new IllegalArgumentException("stare.middleware.multicast.ttl must be 0..255, got " + ttl);
            }
            if (maxMembershipsPerSocket != 0 && maxMembershipsPerSocket < MembershipMaker.GROUPS_PER_STATE) {
                throw new IllegalArgumentException("stare.middleware.multicast.max-memberships-per-socket must be 0 "
                        + "(the OS limit) or at least " + MembershipMaker.GROUPS_PER_STATE + ", got "
                        + maxMembershipsPerSocket);
            }
        }

        /** The same settings on another interface. */
        public MulticastSettings withInterface(String name) {
            return new MulticastSettings(name, bindAddress, port, sendPort, ttl, maxMembershipsPerSocket);
        }

        /** The same settings with another STARE port (tests keep off 65432). */
        public MulticastSettings withPort(int newPort) {
            return new MulticastSettings(networkInterface, bindAddress, newPort, sendPort, ttl, maxMembershipsPerSocket);
        }

        /** The same settings with another per-socket membership limit (0: the OS limit). */
        public MulticastSettings withMaxMembershipsPerSocket(int max) {
            return new MulticastSettings(networkInterface, bindAddress, port, sendPort, ttl, max);
        }

        /** The per-socket limit in force: the configured one, or the OS's when 0. */
        public int effectiveMaxMemberships() {
            return maxMembershipsPerSocket != 0 ? maxMembershipsPerSocket : MembershipMaker.osLimit();
        }

        /**
         * The interface named by {@link #networkInterface}: by name first, else by address.
         *
         * @throws IllegalArgumentException if no interface of this host has that name or address, or
         *     it cannot do multicast
         */
        public NetworkInterface resolveInterface() {
            NetworkInterface found;
            try {
                found = NetworkInterface.getByName(networkInterface);
                if (found == null) {
                    found = NetworkInterface.getByInetAddress(InetAddress.getByName(networkInterface));
                }
            } catch (UnknownHostException | SocketException e) {
                found = null;
            }
            if (found == null) {
                throw new IllegalArgumentException("stare.middleware.multicast.interface '" + networkInterface
                        + "' is neither the name nor an address of a network interface of this host");
            }
            try {
                if (!found.isUp() || found.inetAddresses().noneMatch(a -> a instanceof java.net.Inet4Address)) {
                    throw new IllegalArgumentException(String.format(Locale.ROOT,
                            "stare.middleware.multicast.interface '%s' (%s) is down or has no IPv4 address",
                            networkInterface, found.getName()));
                }
            } catch (SocketException e) {
                throw new IllegalArgumentException("stare.middleware.multicast.interface '" + networkInterface
                        + "' cannot be inspected: " + e.getMessage(), e);
            }
            return found;
        }

        /** The address the sockets bind. */
        public InetAddress resolveBindAddress() {
            try {
                return InetAddress.getByName(bindAddress);
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("stare.middleware.multicast.bind-address '" + bindAddress
                        + "' is not an address", e);
            }
        }
    }
}
