package io.stare.actors.middleware;

import io.stare.protocol.DecodeResult;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.address.StareAddress;
import io.stare.protocol.header.StareHeader;
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
import java.nio.channels.DatagramChannel;
import java.nio.channels.MembershipKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.io.Inet;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.connectors.udp.Datagram;
import org.apache.pekko.stream.connectors.udp.javadsl.Udp;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code multicast} transport: real IP multicast on one host interface, for a BMv2 or Tofino
 * switch in front of real NICs (the paper's MAIN SEND, MAIN RECEIVE and MEMBERSHIP-MAKER).
 *
 * <pre>
 *   MAIN SEND:    send(frame) ─ strip Ethernet+IPv4+UDP ─ Source.queue(bounded) ─ Udp.bindFlow(send socket)
 *                 → the frame's group 239.M_K|STATE, port 65432; the OS builds IPv4/UDP
 *   MAIN RECEIVE: per socket slot: Udp.bindFlow(0.0.0.0:65432, SO_REUSEADDR) ─ accept? ─ rebuild frame ─┐
 *                 ...                                                                                   ├─ Source.queue ─ receive sink
 *                 per socket slot: ...                                                                ─┘
 * </pre>
 *
 * <p>The sending socket has IP_MULTICAST_IF = the configured interface and IP_MULTICAST_TTL = the
 * configured TTL. The receiving sockets are all bound to the STARE port with SO_REUSEADDR and join
 * groups as the {@link MembershipMaker} says ({@link #join} / {@link #leave}): each joined state's
 * Publish and SUB-ack groups, at most {@code max-memberships-per-socket} groups per socket.
 *
 * <p><b>De-duplication.</b> Linux's {@code IP_MULTICAST_ALL} (1 by default) makes a socket bound
 * to 0.0.0.0:65432 receive the datagrams of every group joined by any socket of the host: with
 * several sockets, or several middlewares on one host, one datagram would arrive on several
 * sockets. OpenJDK clears that flag on the datagram sockets it opens on Linux (observed in this
 * transport's tests: no copy arrives on a socket that did not join the group), but neither Java nor
 * this transport can set it, so the transport does not rely on it: each datagram's STARE header is
 * read and the datagram is accepted only if it is a Publish or SUB-ack of a state this transport
 * joined, and only on the socket slot that owns the state ({@link MembershipMaker#ownerOf});
 * anything else is dropped and counted as {@code foreign}. A datagram that is no STARE message
 * (shorter than the header, a header that does not decode, a SUB-ack with a payload) is dropped and
 * counted as {@code malformed}. Per state, datagrams thus come through one socket, in the order the
 * kernel queued them.
 *
 * <p>An accepted datagram becomes a whole frame again, as the tunnel delivers them: Ethernet (to
 * the group's multicast MAC, from 02:00:&lt;sender's IPv4&gt;), IPv4 from the sender's address to
 * the group named by the header's M_K and STATE_ID (TTL 64, which a socket does not report), UDP
 * from the sender's port to 65432, checksums computed ({@link PacketCodec#encode}).
 *
 * <p>{@link #join} and {@link #leave} may be called from any thread (the middleware's actor): they
 * update the membership book under a lock and issue the kernel's join/leave right away when the
 * socket is bound; a socket opened by a join is bound asynchronously and joins its groups as soon
 * as it is bound. Like the tunnel's, the receive side must not hold the thread: a bind stage drops
 * a datagram that arrives while its downstream has not pulled.
 */
public final class MulticastTransport implements Transport {

    /** The largest UDP payload over IPv4. */
    public static final int MAX_DATAGRAM = TunnelTransport.MAX_DATAGRAM;

    private static final Logger LOG = LoggerFactory.getLogger(MulticastTransport.class);
    private static final long SOURCE_MAC_BASE = 0x02_00_00_00_00_00L;
    private static final int IPV4_OFFSET = Ethernet.HEADER_LENGTH;
    private static final int MIN_FRAME = Ethernet.HEADER_LENGTH + StarePacket.OVERHEAD;

    private final ActorSystem<?> system;
    private final Materializer materializer;
    private final NetworkInterface networkInterface;
    private final InetAddress bindAddress;
    private final int port;
    private final String name;

    private final Object lock = new Object();
    private final MembershipMaker maker; // guarded by lock
    private final Map<Integer, Socket> sockets = new HashMap<>(); // guarded by lock
    private final Set<CompletableFuture<Done>> stopping = ConcurrentHashMap.newKeySet();
    private boolean closed; // guarded by lock

    private final BoundedSourceQueue<Datagram> sendQueue;
    private final BoundedSourceQueue<byte[]> receiveQueue;
    private final CompletableFuture<InetSocketAddress> bound = new CompletableFuture<>();
    private final CompletableFuture<Done> sendDone = new CompletableFuture<>();
    private final CompletableFuture<Done> done = new CompletableFuture<>();
    private final LongAdder sent = new LongAdder();
    private final LongAdder received = new LongAdder();
    private final LongAdder dropped = new LongAdder();
    private final LongAdder foreign = new LongAdder();
    private final LongAdder malformed = new LongAdder();
    private final LongAdder receiveOverflow = new LongAdder();
    private final LongAdder joinFailures = new LongAdder();

    private MulticastTransport(ActorSystem<?> system, MiddlewareSettings.MulticastSettings settings, int queueSize,
                               String name, Sink<byte[], NotUsed> receive) {
        this.system = system;
        this.materializer = Materializer.matFromSystem(system);
        this.networkInterface = settings.resolveInterface();
        this.bindAddress = settings.resolveBindAddress();
        this.port = settings.port();
        this.name = name;
        int max = settings.effectiveMaxMemberships();
        if (max < MembershipMaker.GROUPS_PER_STATE) {
            throw new IllegalArgumentException("the OS allows " + max + " multicast memberships per socket; "
                    + "a subscribed state needs " + MembershipMaker.GROUPS_PER_STATE);
        }
        this.maker = new MembershipMaker(max);

        this.receiveQueue = Source.<byte[]>queue(queueSize)
                .to(receive)
                .withAttributes(Attributes.name("middleware-" + name + "-multicast-receive"))
                .run(materializer);

        ChannelCreator sendSocket = new ChannelCreator(channel -> {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            channel.setOption(StandardSocketOptions.IP_MULTICAST_IF, networkInterface);
            channel.setOption(StandardSocketOptions.IP_MULTICAST_TTL, settings.ttl());
            channel.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, true);
        });
        Pair<Pair<BoundedSourceQueue<Datagram>, CompletionStage<InetSocketAddress>>, CompletionStage<Done>> running =
                Source.<Datagram>queue(queueSize)
                        .map(datagram -> {
                            sent.increment();
                            return datagram;
                        })
                        .viaMat(Udp.bindFlow(new InetSocketAddress(bindAddress, settings.sendPort()),
                                List.<Inet.SocketOption>of(sendSocket), system), Keep.both())
                        // With send-port = the STARE port this socket hears the groups too; the slots handle them.
                        .toMat(Sink.ignore(), Keep.both())
                        .withAttributes(Attributes.name("middleware-" + name + "-multicast-send"))
                        .run(materializer);
        this.sendQueue = running.first().first();
        running.first().second().whenComplete((address, error) -> {
            if (error != null) {
                bound.completeExceptionally(error);
            } else {
                bound.complete(address);
            }
        });
        running.second().whenComplete((d, error) -> sendDone.complete(Done.getInstance()));

        List<Socket> start = new ArrayList<>();
        synchronized (lock) {
            apply(maker.start(), start, new ArrayList<>());
        }
        start.forEach(this::startSocket);
    }

    /**
     * Binds the sending socket and receiving slot 0, and starts both directions.
     *
     * @param settings interface, port, TTL and membership limit
     * @param queueSize frames buffered by MAIN SEND before {@link #send} drops, and by MAIN RECEIVE
     *     before a received datagram is dropped
     * @param name for the streams' names in logs
     * @param receive MAIN RECEIVE's downstream: every accepted frame, in order per state; materialized once
     * @throws IllegalArgumentException if the interface or bind address does not exist
     */
    public static MulticastTransport start(ActorSystem<?> system, MiddlewareSettings.MulticastSettings settings,
                                           int queueSize, String name, Sink<byte[], NotUsed> receive) {
        return new MulticastTransport(system, settings, queueSize, name, receive);
    }

    // ------------------------------------------------------------------------------------------ MAIN SEND

    @Override
    public boolean send(byte[] frame) {
        Datagram datagram = toDatagram(frame, port);
        if (datagram == null) {
            dropped.increment();
            return false;
        }
        if (sendQueue.offer(datagram) == QueueOfferResult.enqueued()) {
            return true;
        }
        dropped.increment();
        return false;
    }

    /**
     * The datagram MAIN SEND makes of a frame: its UDP payload, to its IPv4 destination at
     * {@code port}; null when the frame is not an Ethernet/IPv4/UDP packet to 239.0.0.0/8 with at
     * least a STARE header. The frame's array is shared, not copied.
     */
    static Datagram toDatagram(byte[] frame, int port) {
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
        return Datagram.create(ByteString.fromArrayUnsafe(frame, udp + 8, payload), new InetSocketAddress(group, port));
    }

    // ---------------------------------------------------------------------------- MEMBERSHIP-MAKER

    @Override
    public void join(int stateId) {
        List<Socket> start = new ArrayList<>();
        List<Socket> stop = new ArrayList<>();
        synchronized (lock) {
            if (closed) {
                return;
            }
            apply(maker.join(stateId), start, stop);
        }
        start.forEach(this::startSocket);
        stop.forEach(this::stopSocket);
    }

    @Override
    public void leave(int stateId) {
        List<Socket> start = new ArrayList<>();
        List<Socket> stop = new ArrayList<>();
        synchronized (lock) {
            if (closed) {
                return;
            }
            apply(maker.leave(stateId), start, stop);
        }
        start.forEach(this::startSocket);
        stop.forEach(this::stopSocket);
    }

    /** Carries out the maker's operations; sockets are started and stopped by the caller, outside the lock. */
    private void apply(List<MembershipMaker.Op> ops, List<Socket> start, List<Socket> stop) {
        for (MembershipMaker.Op op : ops) {
            if (op instanceof MembershipMaker.OpenSocket open) {
                Socket socket = new Socket(open.slot());
                sockets.put(open.slot(), socket);
                start.add(socket);
            } else if (op instanceof MembershipMaker.JoinGroup joinGroup) {
                sockets.get(joinGroup.slot()).join(joinGroup.group());
            } else if (op instanceof MembershipMaker.LeaveGroup leaveGroup) {
                sockets.get(leaveGroup.slot()).leave(leaveGroup.group());
            } else if (op instanceof MembershipMaker.CloseSocket close) {
                Socket socket = sockets.remove(close.slot());
                socket.closed = true;
                stop.add(socket);
            }
        }
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

    /** The groups each receiving socket has joined in the kernel (so far: a new socket joins once bound). */
    public Map<Integer, Set<StareAddress>> memberships() {
        synchronized (lock) {
            Map<Integer, Set<StareAddress>> result = new TreeMap<>();
            for (Socket socket : sockets.values()) {
                Set<StareAddress> groups = new TreeSet<>((a, b) -> Integer.compareUnsigned(a.toInt(), b.toInt()));
                groups.addAll(socket.keys.keySet());
                result.put(socket.slot, groups);
            }
            return result;
        }
    }

    /** Completes when every receiving socket open now is bound (and has joined its groups). */
    public CompletionStage<Void> socketsBound() {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        synchronized (lock) {
            for (Socket socket : sockets.values()) {
                all.add(socket.ready);
            }
        }
        return CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0]));
    }

    /** Received datagrams dropped because the receive path's queue was full. */
    public long receiveOverflow() {
        return receiveOverflow.sum();
    }

    /** Group joins the kernel refused (logged; the state then hears nothing). */
    public long joinFailures() {
        return joinFailures.sum();
    }

    // ------------------------------------------------------------------------------------- MAIN RECEIVE

    private void startSocket(Socket socket) {
        AtomicReference<DatagramChannel> channel = new AtomicReference<>();
        ChannelCreator creator = new ChannelCreator(c -> {
            c.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            c.setOption(StandardSocketOptions.IP_MULTICAST_IF, networkInterface);
            channel.set(c);
        });
        Pair<Pair<UniqueKillSwitch, CompletionStage<InetSocketAddress>>, CompletionStage<Done>> running =
                Source.<Datagram>never()
                        .viaMat(KillSwitches.single(), Keep.right())
                        .viaMat(Udp.bindFlow(new InetSocketAddress(bindAddress, port), List.<Inet.SocketOption>of(creator),
                                system), Keep.both())
                        .toMat(Sink.foreach(datagram -> onDatagram(socket, datagram)), Keep.both())
                        .withAttributes(Attributes.name("middleware-" + name + "-multicast-slot-" + socket.slot))
                        .run(materializer);
        boolean stopNow;
        synchronized (lock) {
            socket.killSwitch = running.first().first();
            socket.bound = running.first().second();
            socket.done = running.second();
            stopNow = socket.closed;
        }
        running.first().second().whenComplete((address, error) -> onBound(socket, channel.get(), error));
        if (stopNow) {
            stopSocket(socket);
        }
    }

    private void onBound(Socket socket, DatagramChannel channel, Throwable error) {
        synchronized (lock) {
            if (error != null || channel == null) {
                LOG.warn("{}: multicast socket slot {} could not bind {}:{}: {}", name, socket.slot, bindAddress, port,
                        error == null ? "no channel" : error.getMessage());
                joinFailures.add(socket.pending.size());
                socket.pending.clear();
            } else if (!socket.closed) {
                socket.channel = channel;
                for (StareAddress group : socket.pending) {
                    socket.joinNow(group);
                }
                socket.pending.clear();
            }
        }
        socket.ready.complete(null);
    }

    /** Closes a socket (its groups are already left) once its bind has settled. */
    private void stopSocket(Socket socket) {
        UniqueKillSwitch killSwitch;
        CompletionStage<InetSocketAddress> socketBound;
        CompletionStage<Done> socketDone;
        synchronized (lock) {
            killSwitch = socket.killSwitch;
            socketBound = socket.bound;
            socketDone = socket.done;
            if (killSwitch == null) {
                return; // not materialized yet: startSocket sees closed and comes back here
            }
        }
        CompletableFuture<Done> finished = socketDone.handle((d, e) -> Done.getInstance()).toCompletableFuture();
        stopping.add(finished);
        finished.thenRun(() -> stopping.remove(finished));
        socketBound.handle((a, e) -> null).thenRun(killSwitch::shutdown);
    }

    /**
     * Handles {@code datagram} as if the socket of {@code slot} had received it: for tests of the
     * de-duplication, since the JDK's own sockets never see a group they did not join (below).
     *
     * @return false if no socket of that slot is open
     */
    boolean receivedOn(int slot, Datagram datagram) {
        Socket socket;
        synchronized (lock) {
            socket = sockets.get(slot);
        }
        if (socket == null) {
            return false;
        }
        onDatagram(socket, datagram);
        return true;
    }

    /** One datagram on one slot's socket: accepted and rebuilt into a frame, or counted and dropped. */
    private void onDatagram(Socket socket, Datagram datagram) {
        ByteString data = datagram.getData();
        if (data.length() < StareHeader.LENGTH) {
            malformed.increment();
            return;
        }
        byte[] bytes = data.toArray();
        DecodeResult<StareHeader> decoded = StareHeader.read(bytes);
        if (!decoded.isOk()) {
            malformed.increment();
            return;
        }
        StareHeader header = decoded.orElseThrow();
        if (header.kind() == MessageKind.SUB_ACK && (bytes.length != StareHeader.LENGTH || header.totalSegments() != 1)) {
            malformed.increment(); // a SUB-ack is a bare header
            return;
        }
        if (header.kind() != MessageKind.PUBLISH && header.kind() != MessageKind.SUB_ACK) {
            foreign.increment(); // SUB-register / SUB-remove are for switches
            return;
        }
        boolean mine;
        synchronized (lock) {
            OptionalInt owner = maker.ownerOf(header.stateId());
            mine = !closed && !socket.closed && sockets.get(socket.slot) == socket && owner.isPresent()
                    && owner.getAsInt() == socket.slot;
        }
        InetSocketAddress remote = datagram.getRemote();
        if (!mine || !(remote.getAddress() instanceof Inet4Address sender)) {
            foreign.increment();
            return;
        }
        byte[] frame = toFrame(bytes, header, sender, remote.getPort());
        if (receiveQueue.offer(frame) == QueueOfferResult.enqueued()) {
            received.increment();
        } else {
            receiveOverflow.increment();
        }
    }

    /**
     * The whole frame a received datagram stands for: Ethernet to the group's multicast MAC from
     * 02:00:&lt;sender's IPv4&gt;, IPv4 from {@code sender} to the group of {@code header} (TTL 64: a
     * socket does not report the TTL), UDP from {@code senderPort} to 65432, checksums computed.
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
    public CompletionStage<InetSocketAddress> localAddress() {
        return bound.minimalCompletionStage();
    }

    @Override
    public Counters counters() {
        return new Counters(sent.sum(), received.sum(), dropped.sum(), foreign.sum(), malformed.sum());
    }

    @Override
    public CompletionStage<Done> close() {
        List<Socket> stop = new ArrayList<>();
        synchronized (lock) {
            if (closed) {
                return done;
            }
            closed = true;
            apply(maker.closeAll(), new ArrayList<>(), stop);
        }
        stop.forEach(this::stopSocket);
        // Completing before the bind settles would leak the socket: wait for it first.
        bound.handle((a, e) -> null).thenCompose(ignored -> {
            sendQueue.complete();
            return sendDone;
        }).thenCompose(ignored -> {
            return CompletableFuture.allOf(stopping.toArray(new CompletableFuture<?>[0]));
        }).whenComplete((ignored, error) -> {
            receiveQueue.complete();
            done.complete(Done.getInstance());
        });
        return done;
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

    /** One receiving socket (one slot, one opening); guarded by the transport's lock. */
    private final class Socket {
        final int slot;
        final Map<StareAddress, MembershipKey> keys = new HashMap<>();
        final Set<StareAddress> pending = new LinkedHashSet<>();
        final CompletableFuture<Void> ready = new CompletableFuture<>();
        DatagramChannel channel;
        boolean closed;
        UniqueKillSwitch killSwitch;
        CompletionStage<InetSocketAddress> bound;
        CompletionStage<Done> done;

        Socket(int slot) {
            this.slot = slot;
        }

        void join(StareAddress group) {
            if (channel == null) {
                pending.add(group);
            } else {
                joinNow(group);
            }
        }

        void joinNow(StareAddress group) {
            try {
                keys.put(group, channel.join(inetAddress(group), networkInterface));
            } catch (IOException | RuntimeException e) {
                joinFailures.increment();
                LOG.warn("{}: multicast socket slot {} could not join {} on {}: {}", name, slot, group.toDottedQuad(),
                        networkInterface.getName(), e.toString());
            }
        }

        void leave(StareAddress group) {
            pending.remove(group);
            MembershipKey key = keys.remove(group);
            if (key != null) {
                key.drop();
            }
        }
    }

    /** Opens an IPv4 datagram channel for the UDP manager and sets it up before the bind. */
    private static final class ChannelCreator extends Inet.DatagramChannelCreator {

        interface Setup {
            void apply(DatagramChannel channel) throws IOException;
        }

        private final Setup setup;

        ChannelCreator(Setup setup) {
            this.setup = setup;
        }

        @Override
        public DatagramChannel create() throws Exception {
            DatagramChannel channel = DatagramChannel.open(StandardProtocolFamily.INET);
            try {
                setup.apply(channel);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
            return channel;
        }
    }
}
