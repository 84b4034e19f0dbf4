package io.stare.p4.pipeline;

import io.stare.p4.topology.SpanningTree;
import io.stare.p4.topology.Topology;
import io.stare.protocol.DecodeError;
import io.stare.protocol.DecodeResult;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.header.StareHeader;
import io.stare.protocol.packet.Ethernet;
import io.stare.protocol.packet.PacketCodec;
import io.stare.protocol.packet.StarePacket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;

/**
 * A simulated network of STARE switches: one real {@link Pipeline} per switch of a
 * {@link Topology}, wired port to port, with hosts that send frames and record what reaches them.
 * Used by the pipeline tests and by the evaluation (Table IV), which counts the frames on every
 * link.
 *
 * <p>Every port has a FIFO ingress queue (a link direction keeps its order); {@link #run()} delivers
 * until all queues are empty, taking queues in turn, or in a random order when the network has a
 * {@link Random}, and throws {@link ForwardingLoopException} past a step bound (a forwarding loop).
 *
 * <p>In embedded mode each switch has an {@link EmbeddedController}: SUB_PUNT packet-ins go to it
 * and its decisions are applied to the switch at once (table and group writes must succeed, else
 * {@link IllegalStateException}; packet-outs are processed by the pipeline and their emissions
 * delivered).
 *
 * <p>Counters: frames and bytes that crossed each switch-to-switch link (both directions together),
 * and frames and bytes that switches delivered to hosts. Host-to-switch frames are not counted
 * (the caller knows what it sent). Not thread-safe.
 */
public final class PipelineNetwork {

    /** How the switches keep their subscriptions. */
    public enum Mode { REGISTER, EMBEDDED }

    /** The default bound on deliveries per {@link #run()}. */
    public static final long DEFAULT_MAX_STEPS = 2_000_000;

    /** Thrown when {@link #run()} exceeds its step bound. */
    public static final class ForwardingLoopException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ForwardingLoopException(long steps) {
            super("more than " + steps + " deliveries in one run: a forwarding loop?");
        }
    }

    private final Topology topology;
    private final Mode mode;
    private final Random random;
    private final long maxSteps;
    private final Map<String, Pipeline> pipelines = new LinkedHashMap<>();
    private final Map<String, EmbeddedController> controllers = new HashMap<>();
    private final Map<String, Integer> hostIds = new HashMap<>();
    private final Map<String, Integer> sequences = new HashMap<>();
    private final Map<String, List<StarePacket>> received = new HashMap<>();
    private final Map<String, List<PipelineResult.PacketInMessage>> packetIns = new HashMap<>();
    private final Map<Topology.Link, Integer> framesPerLink = new HashMap<>();
    private final Map<Topology.Endpoint, Deque<byte[]>> queues = new HashMap<>();
    private final List<Topology.Endpoint> ready = new ArrayList<>();
    private long linkFrames;
    private long linkBytes;
    private long hostFrames;
    private long hostBytes;
    private int unattached;

    /** A network over the topology's spanning tree, queues taken in turn. */
    public PipelineNetwork(Topology topology, Mode mode) {
        this(topology, SpanningTree.of(topology), mode, null, DEFAULT_MAX_STEPS);
    }

    /**
     * @param random the order in which ready queues are served, or null for round order
     * @param maxSteps the most deliveries one {@link #run()} may make
     */
    public PipelineNetwork(Topology topology, SpanningTree tree, Mode mode, Random random, long maxSteps) {
        this.topology = Objects.requireNonNull(topology, "topology");
        this.mode = Objects.requireNonNull(mode, "mode");
        this.random = random;
        if (maxSteps < 1) {
            throw new IllegalArgumentException("maxSteps must be positive, got " + maxSteps);
        }
        this.maxSteps = maxSteps;
        for (Topology.Switch sw : topology.switches()) {
            long treePorts = tree.treePorts(sw.name());
            if (mode == Mode.REGISTER) {
                RegisterPipeline pipeline = new RegisterPipeline(sw.ports(), StateForwardingTable.DEFAULT_CAPACITY);
                if (!pipeline.replication().installPortMaskGroups(sw.ports()).isDone()) {
                    throw new IllegalStateException("cannot install the port-mask groups of " + sw.name());
                }
                pipeline.setTreePorts(treePorts);
                pipelines.put(sw.name(), pipeline);
            } else {
                pipelines.put(sw.name(), new EmbeddedPipeline(sw.ports(), StateGroupTable.DEFAULT_CAPACITY));
                controllers.put(sw.name(),
                        new EmbeddedController(sw.ports(), treePorts, StateGroupTable.DEFAULT_CAPACITY));
            }
            packetIns.put(sw.name(), new ArrayList<>());
        }
        int id = 1;
        for (Topology.Host host : topology.hosts()) {
            hostIds.put(host.name(), id++);
            received.put(host.name(), new ArrayList<>());
        }
    }

    public Topology topology() {
        return topology;
    }

    public Mode mode() {
        return mode;
    }

    public Pipeline pipeline(String switchName) {
        return known(pipelines.get(switchName), "switch", switchName);
    }

    /** The host's VNF id (1, 2, ... in topology order), also used for its MAC and IP address. */
    public int hostId(String host) {
        return known(hostIds.get(host), "host", host);
    }

    /** The switch's port mask for a state: the register, or the embedded controller's view. */
    public long mask(String switchName, int state) {
        pipeline(switchName);
        if (mode == Mode.REGISTER) {
            return ((RegisterPipeline) pipelines.get(switchName)).statePorts().read(state);
        }
        return controllers.get(switchName).mask(state);
    }

    /** Queues a frame from a host to the switch port it is attached to. */
    public void send(String host, byte[] frame) {
        enqueue(topology.hostNamed(host).attachment(), frame);
    }

    /** Queues a SUB message with the host's next sequence number and returns it (for retransmission). */
    public byte[] subscribe(String host, MessageKind kind, int state) {
        int sequence = sequences.merge(host, 1, Integer::sum);
        byte[] frame = subFrame(kind, state, sequence, hostId(host));
        send(host, frame);
        return frame;
    }

    /** Queues a single-segment Publish of {@code payload} from the host and returns the frame. */
    public byte[] publish(String host, int state, int update, byte[] payload) {
        byte[] frame = publishFrame(state, update, hostId(host), payload);
        send(host, frame);
        return frame;
    }

    /** Queues a single-segment Publish with the payload "u" + update. */
    public byte[] publish(String host, int state, int update) {
        return publish(host, state, update, ("u" + update).getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Delivers queued frames until every queue is empty.
     *
     * @throws ForwardingLoopException past the step bound
     */
    public void run() {
        long steps = 0;
        while (!ready.isEmpty()) {
            if (++steps > maxSteps) {
                throw new ForwardingLoopException(maxSteps);
            }
            int pick = random == null ? 0 : random.nextInt(ready.size());
            Topology.Endpoint port = ready.remove(pick);
            Deque<byte[]> queue = queues.get(port);
            byte[] frame = queue.poll();
            if (!queue.isEmpty()) {
                ready.add(port);
            }
            handle(port.switchName(), pipelines.get(port.switchName()).process(port.port(), frame));
        }
    }

    /** The STARE packets that reached a host, in arrival order. */
    public List<StarePacket> received(String host) {
        return known(received.get(host), "host", host);
    }

    /** The Publish packets that reached a host. */
    public List<StarePacket> publishesReceived(String host) {
        return received(host).stream().filter(p -> p.header().kind() == MessageKind.PUBLISH).toList();
    }

    /** Forgets what hosts received and the unconsumed packet-ins (the traffic counters stay). */
    public void clearReceived() {
        received.values().forEach(List::clear);
        packetIns.values().forEach(List::clear);
    }

    /** Sets the traffic counters (per link, totals, unattached emissions) to zero. */
    public void resetCounters() {
        framesPerLink.clear();
        linkFrames = 0;
        linkBytes = 0;
        hostFrames = 0;
        hostBytes = 0;
        unattached = 0;
    }

    /** Packet-ins the network did not consume (SUB_ACK, SUB_PROPAGATED, ...), per switch. */
    public List<PipelineResult.PacketInMessage> packetIns(String switchName) {
        return known(packetIns.get(switchName), "switch", switchName);
    }

    /** Frames that crossed a switch-to-switch link, both directions. */
    public int framesOn(Topology.Link link) {
        return framesPerLink.getOrDefault(link, 0);
    }

    /** Frames that crossed any switch-to-switch link since the last reset. */
    public long linkFrames() {
        return linkFrames;
    }

    /** Ethernet bytes (headers included, no preamble or FCS) that crossed switch-to-switch links. */
    public long linkBytes() {
        return linkBytes;
    }

    /** Frames switches delivered to hosts since the last reset. */
    public long hostFrames() {
        return hostFrames;
    }

    /** Ethernet bytes switches delivered to hosts since the last reset. */
    public long hostBytes() {
        return hostBytes;
    }

    /** Frames sent on ports with nothing attached. */
    public int unattachedEmissions() {
        return unattached;
    }

    /** Host {@code id}'s MAC: locally administered 02:00:00:00:00:id. */
    public static long hostMac(int id) {
        return 0x020000000000L | id;
    }

    /** Host {@code id}'s IPv4 address, 10.0.x.y. */
    public static int hostIp(int id) {
        return 0x0a000000 | id;
    }

    /** A SUB message from a middleware, TTL 64, as it leaves the host. */
    public static byte[] subFrame(MessageKind kind, int state, int sequence, int hostId) {
        return frame(hostId, new StarePacket(hostIp(hostId), 65432, StarePacket.DEFAULT_TTL,
                StareHeader.subscription(kind, state, sequence, hostId), new byte[0]));
    }

    /** A single-segment Publish, TTL 64, as it leaves the host. */
    public static byte[] publishFrame(int state, int update, int hostId, byte[] payload) {
        return frame(hostId, new StarePacket(hostIp(hostId), 40000, StarePacket.DEFAULT_TTL,
                new StareHeader(MessageKind.PUBLISH, state, update, hostId, 1, 0), payload));
    }

    private static byte[] frame(int hostId, StarePacket packet) {
        return Ethernet.wrapIpv4Multicast(hostMac(hostId), PacketCodec.encode(packet));
    }

    /** Decodes a frame a switch sent, both checksums verified. */
    private static StarePacket decode(String switchName, byte[] frame) {
        DecodeResult<Ethernet.Frame> ethernet = Ethernet.unwrap(frame);
        DecodeResult<StarePacket> packet;
        if (!ethernet.isOk()) {
            packet = DecodeResult.fail(ethernet.errorOrNull());
        } else if (!ethernet.orElseThrow().isIpv4()) {
            packet = DecodeResult.fail(DecodeError.Kind.NOT_STARE, "not IPv4");
        } else {
            packet = PacketCodec.decode(ethernet.orElseThrow().payload());
        }
        if (!packet.isOk()) {
            throw new IllegalStateException(switchName + " sent a host a frame that is not a valid STARE packet: "
                    + packet.errorOrNull());
        }
        return packet.orElseThrow();
    }

    private static <T> T known(T value, String what, String name) {
        if (value == null) {
            throw new IllegalArgumentException("no " + what + " named " + name);
        }
        return value;
    }

    private void enqueue(Topology.Endpoint port, byte[] frame) {
        Deque<byte[]> queue = queues.computeIfAbsent(port, p -> new ArrayDeque<>());
        if (queue.isEmpty()) {
            ready.add(port);
        }
        queue.add(frame);
    }

    private void handle(String switchName, PipelineResult result) {
        for (PipelineResult.Emission emission : result.emissions()) {
            emit(switchName, emission.port(), emission.frame());
        }
        for (PipelineResult.PacketInMessage message : result.packetIns()) {
            if (mode == Mode.EMBEDDED && message.header().reason() == CpuHeaders.Reason.SUB_PUNT) {
                control(switchName, controllers.get(switchName).onPacketIn(message));
            } else {
                packetIns.get(switchName).add(message);
            }
        }
    }

    private void control(String switchName, EmbeddedController.Reaction reaction) {
        if (!(reaction instanceof EmbeddedController.Act act)) {
            throw new IllegalStateException("controller of " + switchName + " ignored a SUB_PUNT: " + reaction);
        }
        EmbeddedPipeline pipeline = (EmbeddedPipeline) pipelines.get(switchName);
        for (EmbeddedController.Decision decision : act.decisions()) {
            WriteResult written = WriteResult.DONE;
            if (decision instanceof EmbeddedController.InsertGroup g) {
                written = pipeline.replication().insertGroup(g.groupId(), g.replicas());
            } else if (decision instanceof EmbeddedController.DeleteGroup g) {
                written = pipeline.replication().deleteGroup(g.groupId());
            } else if (decision instanceof EmbeddedController.InsertEntry e) {
                written = pipeline.stateForwarding().insert(e.stateId(), e.groupId());
            } else if (decision instanceof EmbeddedController.ModifyEntry e) {
                written = pipeline.stateForwarding().modify(e.stateId(), e.groupId());
            } else if (decision instanceof EmbeddedController.DeleteEntry e) {
                written = pipeline.stateForwarding().delete(e.stateId());
            } else if (decision instanceof EmbeddedController.Transmit t) {
                handle(switchName, pipeline.processPacketOut(t.toPacketOutBytes()));
            }
            if (!written.isDone()) {
                throw new IllegalStateException(switchName + " refused " + decision + ": " + written);
            }
        }
    }

    private void emit(String switchName, int port, byte[] frame) {
        Optional<Topology.Attachment> attachment = topology.attachment(new Topology.Endpoint(switchName, port));
        if (attachment.isEmpty()) {
            unattached++;
        } else if (attachment.get() instanceof Topology.ToSwitch link) {
            framesPerLink.merge(link.link(), 1, Integer::sum);
            linkFrames++;
            linkBytes += frame.length;
            enqueue(link.peer(), frame);
        } else if (attachment.get() instanceof Topology.ToHost host) {
            // Every frame a switch sends must be a valid STARE packet with valid checksums.
            received.get(host.host().name()).add(decode(switchName, frame));
            hostFrames++;
            hostBytes += frame.length;
        }
    }
}
