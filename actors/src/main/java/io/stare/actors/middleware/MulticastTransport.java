package io.stare.actors.middleware;

import io.stare.datapath.DataPath;
import io.stare.datapath.DataPathSettings;
import io.stare.datapath.Egress;
import io.stare.datapath.Ingress;
import io.stare.datapath.PortCounters;
import io.stare.datapath.PortSpec;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.address.StareAddress;
import io.stare.protocol.auth.PublishKey;
import io.stare.protocol.header.StareHeader;
import io.stare.protocol.header.UpdateNumbers;
import io.stare.protocol.packet.Ethernet;
import io.stare.protocol.packet.PacketCodec;
import io.stare.protocol.packet.StarePacket;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.MembershipKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Why above 400 lines: it is one hot-path stage, the sockets of one
 * data-path thread with their buffers allocated once and the per-datagram acceptance check,
 * and its membership decisions already live in {@link MembershipMaker}.
 *
 * <p>The {@code multicast} transport: real IP multicast on one host interface, for a BMv2 or Tofino
 * switch in front of real NICs (the paper's MAIN SEND, MAIN RECEIVE and MEMBERSHIP-MAKER). Every
 * STARE message is a datagram of its own, as on the paper's wire; the OS builds IPv4 and UDP.
 *
 * <pre>
 *   port 0 (send socket): a Publish or SUB message ─ STARE header + segment ─▶ its group 239.M_K|STATE:65432
 *   ports 1.. (one per receiving slot, bound to 0.0.0.0:65432 with SO_REUSEADDR, opened and closed as the
 *              MembershipMaker says): datagram ─ accepted? ─ message, read in place ─▶ main path
 * </pre>
 *
 * <p>The sending socket has IP_MULTICAST_IF = the configured interface and IP_MULTICAST_TTL = the
 * configured TTL, with loopback on, so other middlewares on the host hear it. The receiving
 * sockets join groups as the {@link MembershipMaker} says ({@link #join} / {@link #leave}): each
 * joined state's Publish and SUB-ack groups, at most {@code max-memberships-per-socket} groups per
 * socket. The kernel's joins and leaves run on the data path's thread, queued in order before the
 * SUB message that needs them.
 *
 * <p><b>De-duplication.</b> Linux's {@code IP_MULTICAST_ALL} (1 by default) makes a socket bound
 * to 0.0.0.0:65432 receive the datagrams of every group joined by any socket of the host: with
 * several sockets, or several middlewares on one host, one datagram would arrive on several
 * sockets. OpenJDK clears that flag on the datagram sockets it opens on Linux, but neither Java nor
 * this transport can set it, so the transport does not rely on it: each datagram's STARE header is
 * read and the datagram is accepted only if it is a Publish or SUB-ack of a state this transport
 * joined, and only on the socket slot that owns the state ({@link MembershipMaker#ownerOf});
 * anything else is dropped and counted as {@code foreign}. A datagram that is no STARE message
 * (shorter than the header, a SEGM_NO not below TOT_SEG, a SUB-ack with a payload) is dropped and
 * counted as {@code malformed}. Per state, datagrams thus come through one socket, in the order the
 * kernel queued them.
 */
public final class MulticastTransport implements Transport {

    /** The largest UDP payload over IPv4. */
    public static final int MAX_DATAGRAM = TunnelTransport.MAX_DATAGRAM;

    private static final Logger LOG = LoggerFactory.getLogger(MulticastTransport.class);
    private static final long SOURCE_MAC_BASE = 0x02_00_00_00_00_00L;
    private static final int IPV4_OFFSET = Ethernet.HEADER_LENGTH;
    private static final int MIN_FRAME = Ethernet.HEADER_LENGTH + StarePacket.OVERHEAD;
    private static final int SEND_PORT = 0;

    /** One STARE message as MAIN SEND puts it on the wire: the UDP payload and its group. */
    public record Outgoing(InetSocketAddress destination, byte[] payload) {
    }

    private final MiddlewareSettings.MulticastSettings settings;
    private final NetworkInterface networkInterface;
    private final InetAddress bindAddress;
    private final String name;

    private final Object lock = new Object();
    private final MembershipMaker maker; // guarded by lock
    /** The owning slot of each joined state, as the data path filters by it (copy-on-write). */
    private volatile StateMap<Integer> owners = new StateMap<>();
    private volatile boolean closed;

    // Touched on the data path's thread only.
    private final Map<Integer, Integer> portOfSlot = new HashMap<>();
    private int[] slotOfPort = new int[8];
    private final Map<Integer, Map<StareAddress, MembershipKey>> keys = new HashMap<>();
    private final StateMap<InetSocketAddress> groupOfState = new StateMap<>();

    private volatile DataPath<?> path;
    private DataPathSettings dataPathSettings;
    private final LongAdder received = new LongAdder();
    private final LongAdder foreign = new LongAdder();
    private final LongAdder malformed = new LongAdder();
    private final LongAdder refused = new LongAdder();
    private final LongAdder joinFailures = new LongAdder();
    /** Kernel memberships per slot, for tests and diagnostics (copy-on-write). */
    private volatile Map<Integer, Set<StareAddress>> memberships = Map.of();

    /**
     * @param settings interface, port, TTL and membership limit
     * @param name for logs
     * @throws IllegalArgumentException if the interface or bind address does not exist, or the OS
     *     allows fewer memberships per socket than one state needs
     */
    public MulticastTransport(MiddlewareSettings.MulticastSettings settings, String name) {
        this.settings = settings;
        this.networkInterface = settings.resolveInterface();
        this.bindAddress = settings.resolveBindAddress();
        this.name = name;
        int max = settings.effectiveMaxMemberships();
        if (max < MembershipMaker.GROUPS_PER_STATE) {
            throw new IllegalArgumentException("the OS allows " + max + " multicast memberships per socket; "
                    + "a subscribed state needs " + MembershipMaker.GROUPS_PER_STATE);
        }
        this.maker = new MembershipMaker(max);
        Arrays.fill(slotOfPort, -1);
    }

    @Override
    public List<PortSpec> ports(DataPathSettings dataPath) {
        this.dataPathSettings = dataPath;
        PortSpec send = new PortSpec("multicast-send", () -> {
            DatagramChannel channel = open(dataPath);
            try {
                channel.setOption(StandardSocketOptions.IP_MULTICAST_TTL, settings.ttl());
                channel.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, true);
                channel.bind(new InetSocketAddress(bindAddress, settings.sendPort()));
                return channel;
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        }, new PortSpec.PerFrame(), PortSpec.Framing.RAW, PortSpec.Overflow.HOLD);
        List<PortSpec> ports = new ArrayList<>();
        ports.add(send);
        synchronized (lock) {
            for (MembershipMaker.Op op : maker.start()) {
                if (op instanceof MembershipMaker.OpenSocket open) {
                    slotOfPort(ports.size(), open.slot());
                    portOfSlot.put(open.slot(), ports.size());
                    ports.add(slotSpec(open.slot(), dataPath));
                }
            }
        }
        return ports;
    }

    @Override
    public void started(DataPath<?> path) {
        this.path = path;
    }

    private PortSpec slotSpec(int slot, DataPathSettings dataPath) {
        return new PortSpec("multicast-slot-" + slot, () -> {
            DatagramChannel channel = open(dataPath);
            try {
                channel.bind(new InetSocketAddress(bindAddress, settings.port()));
                return channel;
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        }, new PortSpec.PerFrame(), PortSpec.Framing.RAW, PortSpec.Overflow.DROP);
    }

    private DatagramChannel open(DataPathSettings dataPath) throws IOException {
        DatagramChannel channel = DatagramChannel.open(StandardProtocolFamily.INET);
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            channel.setOption(StandardSocketOptions.IP_MULTICAST_IF, networkInterface);
            channel.setOption(StandardSocketOptions.SO_RCVBUF, dataPath.socketReceiveBuffer());
            channel.setOption(StandardSocketOptions.SO_SNDBUF, dataPath.socketSendBuffer());
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    // ------------------------------------------------------------------------------------------ MAIN SEND

    @Override
    public boolean publish(Egress egress, int stateId, int vnfId, long update, int totalSegments, int segmentNo,
                           ByteBuffer payload, int offset, int length, PublishKey key) {
        InetSocketAddress group = groupOfState.get(stateId);
        if (group == null) {
            group = new InetSocketAddress(inetAddress(new StareAddress(MessageKind.PUBLISH, stateId)), settings.port());
            groupOfState.put(stateId, group);
        }
        int at = egress.claimTo(SEND_PORT, StareHeader.LENGTH + length + (key == null ? 0 : PublishKey.TAG_LENGTH),
                group);
        if (at < 0) {
            return false;
        }
        ByteBuffer out = egress.buffer(SEND_PORT);
        new StareHeader(MessageKind.PUBLISH, stateId, UpdateNumbers.wire(update), vnfId, totalSegments, segmentNo)
                .writeTo(out, at);
        out.put(at + StareHeader.LENGTH, payload, offset, length);
        if (key != null) {
            long tag = key.tag(update, stateId, vnfId, totalSegments, segmentNo, payload, offset, length);
            int end = at + StareHeader.LENGTH + length;
            for (int i = 0; i < PublishKey.TAG_LENGTH; i++) { // network order, whatever the buffer's order
                out.put(end + i, (byte) (tag >>> (56 - 8 * i)));
            }
        }
        return true;
    }

    @Override
    public boolean send(Egress egress, byte[] frame) {
        Outgoing outgoing = toDatagram(frame, settings.port());
        if (outgoing == null) {
            refused.increment();
            return false;
        }
        int at = egress.claimTo(SEND_PORT, outgoing.payload().length, outgoing.destination());
        if (at < 0) {
            refused.increment();
            return false;
        }
        egress.buffer(SEND_PORT).put(at, outgoing.payload());
        return true;
    }

    /**
     * The datagram MAIN SEND makes of a frame: its UDP payload, to its IPv4 destination at
     * {@code port}; null when the frame is not an Ethernet/IPv4/UDP packet to 239.0.0.0/8 with at
     * least a STARE header.
     */
    static Outgoing toDatagram(byte[] frame, int port) {
        if (frame.length < MIN_FRAME || (frame[12] & 0xff) != 0x08 || frame[13] != 0x00) {
            return null;
        }
        int versionIhl = frame[IPV4_OFFSET] & 0xff;
        int ihl = (versionIhl & 0x0f) * 4;
        int totalLength = u16(frame, IPV4_OFFSET + 2);
        if (versionIhl >>> 4 != 4 || ihl < 20 || totalLength < ihl + 8 || IPV4_OFFSET + totalLength > frame.length
                || (frame[IPV4_OFFSET + 9] & 0xff) != 17 || (frame[IPV4_OFFSET + 16] & 0xff) != StareAddress.PROTO_ID) {
            return null;
        }
        int udp = IPV4_OFFSET + ihl;
        int udpLength = u16(frame, udp + 4);
        int payload = udpLength - 8;
        if (payload < StareHeader.LENGTH || payload > MAX_DATAGRAM || udp + udpLength > IPV4_OFFSET + totalLength) {
            return null;
        }
        InetAddress group;
        try {
            group = InetAddress.getByAddress(Arrays.copyOfRange(frame, IPV4_OFFSET + 16, IPV4_OFFSET + 20));
        } catch (UnknownHostException e) {
            return null; // four bytes are always an address
        }
        return new Outgoing(new InetSocketAddress(group, port), Arrays.copyOfRange(frame, udp + 8, udp + 8 + payload));
    }

    // ---------------------------------------------------------------------------- MEMBERSHIP-MAKER

    @Override
    public void join(int stateId) {
        change(() -> maker.join(stateId));
    }

    @Override
    public void leave(int stateId) {
        change(() -> maker.leave(stateId));
    }

    /** Computes the maker's operations now, and carries them out on the data path's thread, in order. */
    private void change(java.util.function.Supplier<List<MembershipMaker.Op>> step) {
        List<MembershipMaker.Op> ops;
        synchronized (lock) {
            if (closed) {
                return;
            }
            ops = step.get();
            StateMap<Integer> next = new StateMap<>();
            for (int state : maker.states()) {
                next.put(state, maker.ownerOf(state).orElseThrow());
            }
            owners = next;
        }
        DataPath<?> p = path;
        if (p == null) {
            return;
        }
        p.call(ports -> {
            apply(ports, ops);
            return null;
        }).whenComplete((done, error) -> {
            if (error != null) {
                joinFailures.add(ops.stream().filter(op -> op instanceof MembershipMaker.JoinGroup).count());
                LOG.warn("{}: multicast membership changes could not reach the data path: {}", name, error.toString());
            }
        });
    }

    /** The maker's operations, on the data path's thread: sockets opened and closed, groups joined and left. */
    private void apply(DataPath.Ports ports, List<MembershipMaker.Op> ops) {
        for (MembershipMaker.Op op : ops) {
            try {
                if (op instanceof MembershipMaker.OpenSocket open) {
                    int port = ports.open(slotSpec(open.slot(), dataPathSettings));
                    slotOfPort(port, open.slot());
                    portOfSlot.put(open.slot(), port);
                } else if (op instanceof MembershipMaker.JoinGroup joinGroup) {
                    DatagramChannel channel = ports.channel(portOf(joinGroup.slot()));
                    keys.computeIfAbsent(joinGroup.slot(), k -> new HashMap<>())
                            .put(joinGroup.group(), channel.join(inetAddress(joinGroup.group()), networkInterface));
                } else if (op instanceof MembershipMaker.LeaveGroup leaveGroup) {
                    MembershipKey key = keys.getOrDefault(leaveGroup.slot(), Map.of()).remove(leaveGroup.group());
                    if (key != null) {
                        key.drop();
                    }
                } else if (op instanceof MembershipMaker.CloseSocket close) {
                    keys.remove(close.slot());
                    Integer port = portOfSlot.remove(close.slot());
                    if (port != null) {
                        slotOfPort(port, -1);
                        ports.close(port);
                    }
                }
            } catch (IOException | RuntimeException e) {
                if (op instanceof MembershipMaker.JoinGroup) {
                    joinFailures.increment();
                }
                LOG.warn("{}: multicast {} failed on {}: {}", name, op, networkInterface.getName(), e.toString());
            }
        }
        publishMemberships();
    }

    private int portOf(int slot) {
        Integer port = portOfSlot.get(slot);
        if (port == null) {
            throw new IllegalStateException("slot " + slot + " has no socket");
        }
        return port;
    }

    private void slotOfPort(int port, int slot) {
        if (port >= slotOfPort.length) {
            int old = slotOfPort.length;
            slotOfPort = Arrays.copyOf(slotOfPort, Math.max(port + 1, old * 2));
            Arrays.fill(slotOfPort, old, slotOfPort.length, -1);
        }
        slotOfPort[port] = slot;
    }

    private void publishMemberships() {
        Map<Integer, Set<StareAddress>> view = new TreeMap<>();
        for (Map.Entry<Integer, Integer> slot : portOfSlot.entrySet()) {
            Set<StareAddress> groups = new TreeSet<>((a, b) -> Integer.compareUnsigned(a.toInt(), b.toInt()));
            groups.addAll(keys.getOrDefault(slot.getKey(), Map.of()).keySet());
            view.put(slot.getKey(), groups);
        }
        memberships = view;
    }

    /** The slot whose socket receives {@code stateId}'s datagrams, if the state is joined. */
    public OptionalInt ownerOf(int stateId) {
        synchronized (lock) {
            return maker.ownerOf(stateId);
        }
    }

    /** The open receiving slots. */
    public Set<Integer> openSlots() {
        synchronized (lock) {
            return maker.openSlots();
        }
    }

    /** The groups each receiving socket has joined in the kernel (as of the last change applied). */
    public Map<Integer, Set<StareAddress>> memberships() {
        return memberships;
    }

    /** Completes when every membership change asked for so far has been carried out in the kernel. */
    public CompletionStage<Void> socketsBound() {
        DataPath<?> p = path;
        return p == null ? CompletableFuture.completedFuture(null) : p.call(ports -> (Void) null);
    }

    /** Group joins the kernel refused (logged; the state then hears nothing). */
    public long joinFailures() {
        return joinFailures.sum();
    }

    // ------------------------------------------------------------------------------------- MAIN RECEIVE

    @Override
    public boolean read(Ingress<?> in, int frame, StareMessage message) {
        int port = in.port(frame);
        int slot = port < slotOfPort.length ? slotOfPort[port] : -1;
        if (port == SEND_PORT || slot < 0) {
            return false; // the send socket hears its groups too (send-port = 65432): the slots handle them
        }
        return accept(slot, in.buffer(), in.offset(frame), in.length(frame), message);
    }

    /**
     * Whether a datagram of {@code length} bytes at {@code offset}, received on {@code slot}'s
     * socket, is for this server; fills {@code message} if so, counts it as foreign or malformed if
     * not.
     */
    boolean accept(int slot, ByteBuffer buffer, int offset, int length, StareMessage message) {
        if (length < StareHeader.LENGTH || !message.readHeader(buffer, offset)) {
            malformed.increment();
            return false;
        }
        message.payloadLength = length - StareHeader.LENGTH;
        if (message.kind == MessageKind.SUB_ACK.code() && (message.payloadLength != 0 || message.totalSegments != 1)) {
            malformed.increment(); // a SUB-ack is a bare header
            return false;
        }
        if (message.kind != MessageKind.PUBLISH.code() && message.kind != MessageKind.SUB_ACK.code()) {
            foreign.increment(); // SUB-register / SUB-remove are for switches
            return false;
        }
        Integer owner = owners.get(message.stateId);
        if (closed || owner == null || owner != slot) {
            foreign.increment();
            return false;
        }
        received.increment();
        return true;
    }

    /**
     * The whole frame a received datagram stands for: Ethernet to the group's multicast MAC from
     * 02:00:&lt;sender's IPv4&gt;, IPv4 from {@code sender} to the group of {@code header} (TTL 64: a
     * socket does not report the TTL), UDP from {@code senderPort} to 65432, checksums computed. For
     * tools and tests that play a switch on this wire.
     *
     * @param datagram the UDP payload: {@code header}'s 8 bytes, then the segment
     */
    static byte[] toFrame(byte[] datagram, StareHeader header, Inet4Address sender, int senderPort) {
        byte[] address = sender.getAddress();
        int source = (address[0] & 0xff) << 24 | (address[1] & 0xff) << 16 | (address[2] & 0xff) << 8 | (address[3] & 0xff);
        StarePacket packet = new StarePacket(source, senderPort, StarePacket.DEFAULT_TTL, header,
                Arrays.copyOfRange(datagram, StareHeader.LENGTH, datagram.length));
        return Ethernet.wrapIpv4Multicast(SOURCE_MAC_BASE | Integer.toUnsignedLong(source), PacketCodec.encode(packet));
    }

    // ------------------------------------------------------------------------------------------- the rest

    @Override
    public InetSocketAddress localAddress() {
        DataPath<?> p = path;
        return p == null ? null : p.localAddress(SEND_PORT);
    }

    @Override
    public Counters counters() {
        DataPath<?> p = path;
        PortCounters send = p == null ? null : p.counters(SEND_PORT);
        return new Counters(send == null ? 0 : send.framesOut(), received.sum(),
                refused.sum() + (send == null ? 0 : send.droppedOut()), foreign.sum(), malformed.sum());
    }

    /** Stops joining and leaving; the data path's close releases the sockets and with them every membership. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
        }
    }

    private static int u16(byte[] bytes, int offset) {
        return (bytes[offset] & 0xff) << 8 | (bytes[offset + 1] & 0xff);
    }

    private static InetAddress inetAddress(StareAddress group) {
        try {
            return InetAddress.getByAddress(group.toBytes());
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // four bytes are always an address
        }
    }
}
