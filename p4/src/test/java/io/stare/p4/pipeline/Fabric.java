package io.stare.p4.pipeline;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.p4.topology.SpanningTree;
import io.stare.p4.topology.Topology;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.packet.StarePacket;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * A test network: one pipeline per switch of a {@link Topology}, wired port to port, with hosts
 * that send frames and record what reaches them. Every port has a FIFO ingress queue (a link
 * direction keeps its order); {@link #run()} delivers until all queues are empty, taking queues in
 * turn, or in a random order when the fabric has a {@link Random}, and fails past a step bound (a
 * forwarding loop).
 *
 * <p>In embedded mode each switch has an {@link EmbeddedController}: SUB_PUNT packet-ins go to it
 * and its decisions are applied to the switch at once (table and group writes must succeed,
 * packet-outs are processed by the pipeline and their emissions delivered).
 */
final class Fabric {

    enum Mode { REGISTER, EMBEDDED }

    private static final int MAX_STEPS = 2_000_000;

    private final Topology topology;
    private final Mode mode;
    private final Random random;
    private final Map<String, Pipeline> pipelines = new LinkedHashMap<>();
    private final Map<String, EmbeddedController> controllers = new HashMap<>();
    private final Map<String, Integer> hostIds = new HashMap<>();
    private final Map<String, Integer> sequences = new HashMap<>();
    private final Map<String, List<StarePacket>> received = new HashMap<>();
    private final Map<String, List<PipelineResult.PacketInMessage>> packetIns = new HashMap<>();
    private final Map<Topology.Link, Integer> framesPerLink = new HashMap<>();
    private final Map<Topology.Endpoint, Deque<byte[]>> queues = new HashMap<>();
    private final List<Topology.Endpoint> ready = new ArrayList<>();
    private long steps;
    private int unattached;

    Fabric(Topology topology, Mode mode) {
        this(topology, SpanningTree.of(topology), mode, null);
    }

    Fabric(Topology topology, SpanningTree tree, Mode mode, Random random) {
        this.topology = topology;
        this.mode = mode;
        this.random = random;
        for (Topology.Switch sw : topology.switches()) {
            long treePorts = tree.treePorts(sw.name());
            if (mode == Mode.REGISTER) {
                RegisterPipeline pipeline = new RegisterPipeline(sw.ports(), StateForwardingTable.DEFAULT_CAPACITY);
                assertTrue(pipeline.replication().installPortMaskGroups(sw.ports()).isDone());
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

    Pipeline pipeline(String switchName) {
        return pipelines.get(switchName);
    }

    int hostId(String host) {
        return hostIds.get(host);
    }

    /** The switch's port mask for a state: the register, or the embedded controller's view. */
    long mask(String switchName, int state) {
        if (mode == Mode.REGISTER) {
            return ((RegisterPipeline) pipelines.get(switchName)).statePorts().read(state);
        }
        return controllers.get(switchName).mask(state);
    }

    /** Queues a frame from a host to the switch port it is attached to. */
    void send(String host, byte[] frame) {
        enqueue(topology.hostNamed(host).attachment(), frame);
    }

    /** Queues a SUB message with the host's next sequence number and returns it (for retransmission). */
    byte[] subscribe(String host, MessageKind kind, int state) {
        int sequence = sequences.merge(host, 1, Integer::sum);
        byte[] frame = StareFrames.sub(kind, state, sequence, hostId(host));
        send(host, frame);
        return frame;
    }

    void publish(String host, int state, int update) {
        send(host, StareFrames.publish(state, update, hostId(host), ("u" + update).getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    }

    /** Delivers queued frames until every queue is empty. */
    void run() {
        while (!ready.isEmpty()) {
            if (++steps > MAX_STEPS) {
                throw new AssertionError("more than " + MAX_STEPS + " deliveries: a forwarding loop?");
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
    List<StarePacket> received(String host) {
        return received.get(host);
    }

    /** The Publish packets that reached a host. */
    List<StarePacket> publishesReceived(String host) {
        return received.get(host).stream().filter(p -> p.header().kind() == MessageKind.PUBLISH).toList();
    }

    void clearReceived() {
        received.values().forEach(List::clear);
        packetIns.values().forEach(List::clear);
    }

    /** Packet-ins the fabric did not consume (SUB_ACK, SUB_PROPAGATED, ...), per switch. */
    List<PipelineResult.PacketInMessage> packetIns(String switchName) {
        return packetIns.get(switchName);
    }

    int framesOn(Topology.Link link) {
        return framesPerLink.getOrDefault(link, 0);
    }

    int unattachedEmissions() {
        return unattached;
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
            throw new AssertionError("controller of " + switchName + " ignored a SUB_PUNT: " + reaction);
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
                throw new AssertionError(switchName + " refused " + decision + ": " + written);
            }
        }
    }

    private void emit(String switchName, int port, byte[] frame) {
        Optional<Topology.Attachment> attachment = topology.attachment(new Topology.Endpoint(switchName, port));
        if (attachment.isEmpty()) {
            unattached++;
        } else if (attachment.get() instanceof Topology.ToSwitch link) {
            framesPerLink.merge(link.link(), 1, Integer::sum);
            enqueue(link.peer(), frame);
        } else if (attachment.get() instanceof Topology.ToHost host) {
            // Every frame a switch sends must be a valid STARE packet with valid checksums.
            received.get(host.host().name()).add(StareFrames.decode(frame));
        }
    }
}
