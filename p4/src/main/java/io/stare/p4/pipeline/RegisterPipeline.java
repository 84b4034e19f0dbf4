package io.stare.p4.pipeline;

import io.stare.protocol.DecodeResult;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.packet.StareFrameFlyweight;
import io.stare.protocol.packet.StarePacket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The register-based pipeline ({@code stare_register.p4}): the switch itself keeps, per state, the
 * mask of ports behind which subscribers live ({@code state_ports}), answers SUB messages and
 * propagates them by the {@link Propagation} rule.
 *
 * <table>
 *   <caption>What a STARE packet from port p does (old = state_ports[s])</caption>
 *   <tr><th>M_K</th><th>action</th></tr>
 *   <tr><td>Publish</td><td>multicast to group {@code old & ~bit(p)}; empty: drop NO_SUBSCRIBER</td></tr>
 *   <tr><td>SUB-register / SUB-remove</td><td>set / clear bit p; multicast to group
 *       {@code bit(p) | propagate(old, p)}: the copy for p is the SUB-ack, the others stay SUB
 *       messages; a SUB_PROPAGATED packet-in when the propagation mask is not empty</td></tr>
 *   <tr><td>SUB-ack</td><td>packet-in SUB_ACK</td></tr>
 * </table>
 *
 * Other IPv4 goes through {@code ipv4_lpm}. Every copy that leaves has its TTL decremented and its
 * IPv4 checksum recomputed. Groups come from the {@link ReplicationEngine}, where the agent installs
 * {@link ReplicationEngine#installPortMaskGroups(int) one group per port mask}; a group that is not
 * installed sends nothing, as on BMv2.
 *
 * <p>While {@code clone_flag} is set, every packet that changes a {@code state_ports} entry also
 * produces a STATE_CHANGED packet-in (State4). The register is also read and written in-band by
 * packet-outs READ and WRITE, because BMv2's P4Runtime server does not implement register access.
 */
public final class RegisterPipeline implements Pipeline {

    /** The most values one READ or WRITE packet-out may carry. */
    public static final int MAX_REGISTER_VALUES = 8;

    private final int portCount;
    private final long allPorts;
    private final StateForwardingTable statePorts;
    private final ReplicationEngine replication;
    private final Ipv4Lpm ipv4Lpm;
    private final DropCounters drops = new DropCounters();
    // The fast path's one flyweight, re-pointed at each frame (the pipeline has one caller at a time).
    private final StareFrameFlyweight fastFrame = new StareFrameFlyweight();
    private long treePorts;
    private boolean cloneFlag;

    /**
     * A pipeline with empty tables, no groups, no tree ports and {@code clone_flag} clear.
     *
     * @param portCount P, 1..{@link Pipeline#MAX_PORTS}
     * @param stateCapacity entries of {@code state_ports} ({@code STATE_CAPACITY})
     */
    public RegisterPipeline(int portCount, int stateCapacity) {
        PortMask.checkPortCount(portCount, MAX_PORTS);
        this.portCount = portCount;
        this.allPorts = PortMask.all(portCount);
        this.statePorts = new StateForwardingTable(stateCapacity, portCount);
        this.replication = new ReplicationEngine(portCount);
        this.ipv4Lpm = new Ipv4Lpm(portCount, Ipv4Lpm.DEFAULT_CAPACITY);
    }

    /** The compiled defaults: 8 ports, 2048 states. */
    public RegisterPipeline() {
        this(DEFAULT_PORTS, StateForwardingTable.DEFAULT_CAPACITY);
    }

    @Override
    public int portCount() {
        return portCount;
    }

    /** The {@code state_ports} register. */
    public StateForwardingTable statePorts() {
        return statePorts;
    }

    @Override
    public ReplicationEngine replication() {
        return replication;
    }

    @Override
    public Ipv4Lpm ipv4Lpm() {
        return ipv4Lpm;
    }

    @Override
    public DropCounters drops() {
        return drops;
    }

    /** The tree-port mask ({@code tree_ports} table's {@code set_tree_ports} action). */
    public long treePorts() {
        return treePorts;
    }

    /** Sets the {@code tree_ports} default action's mask. */
    public void setTreePorts(long mask) {
        PortMask.checkMask(mask, portCount, "tree-port mask");
        this.treePorts = mask;
    }

    /** The {@code clone_flag} register. */
    public boolean cloneFlag() {
        return cloneFlag;
    }

    /** Writes {@code clone_flag} (the P4Runtime register write; packet-out SET_CLONE_FLAG does the same). */
    public void setCloneFlag(boolean set) {
        this.cloneFlag = set;
    }

    @Override
    public PipelineResult process(int ingressPort, byte[] frame) {
        Stages.checkIngressPort(ingressPort, portCount);
        Objects.requireNonNull(frame, "frame");
        Ingress.Parsed parsed = Ingress.parse(frame);
        if (parsed instanceof Ingress.Bad bad) {
            return Stages.drop(drops, bad.reason());
        }
        if (parsed instanceof Ingress.OtherIpv4 other) {
            return Stages.route(ipv4Lpm, drops, frame, other.header());
        }
        StarePacket packet = ((Ingress.Stare) parsed).packet();
        int state = packet.header().stateId();
        if (!statePorts.inRange(state)) {
            return Stages.drop(drops, DropReason.STATE_OUT_OF_RANGE);
        }
        MessageKind kind = packet.header().kind();
        return switch (kind) {
            case PUBLISH -> publish(ingressPort, frame, state);
            case SUB_REGISTER, SUB_REMOVE -> subscription(ingressPort, frame, kind, state);
            case SUB_ACK -> PipelineResult.of(List.of(), List.of(packetIn(ingressPort,
                    CpuHeaders.Reason.SUB_ACK, 0, 0, frame)));
        };
    }

    private PipelineResult publish(int ingressPort, byte[] frame, int state) {
        long out = statePorts.read(state) & ~PortMask.bit(ingressPort);
        if (out == 0) {
            return Stages.drop(drops, DropReason.NO_SUBSCRIBER);
        }
        if (Stages.ttlExpires(frame)) {
            return Stages.drop(drops, DropReason.TTL_EXPIRED);
        }
        byte[] copy = FrameRewrite.decrementTtl(frame);
        List<PipelineResult.Emission> emissions = new ArrayList<>();
        for (ReplicationEngine.Replica replica : replication.replicate((int) out)) {
            emissions.add(new PipelineResult.Emission(replica.port(), copy));
        }
        return PipelineResult.of(emissions, List.of());
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here: {@code state_ports[s]} without the ingress port names the group, as in
     * {@code process}; the fast path takes it when the group's replicas go one per port in ascending
     * port order (every group {@link ReplicationEngine#installPortMaskGroups} makes does).
     */
    @Override
    public long forwardInPlace(int ingressPort, ByteBuffer buffer, int offset, int length) {
        StareFrameFlyweight frame = Stages.wrap(fastFrame, ingressPort, portCount, buffer, offset, length);
        if (!Stages.isFastPublish(frame)) {
            return SLOW;
        }
        // The same checks, in the same order, as process and publish make them.
        int state = frame.stateId();
        if (!statePorts.inRange(state)) {
            return Stages.dropInPlace(drops, DropReason.STATE_OUT_OF_RANGE);
        }
        long out = statePorts.read(state) & ~PortMask.bit(ingressPort);
        if (out == 0) {
            return Stages.dropInPlace(drops, DropReason.NO_SUBSCRIBER);
        }
        if (frame.ttl() <= 1) {
            return Stages.dropInPlace(drops, DropReason.TTL_EXPIRED);
        }
        ReplicationEngine.Fanout fanout = replication.fanout((int) out);
        if (!fanout.ascending()) {
            return SLOW;
        }
        return Stages.forwardInPlace(frame, fanout.ports());
    }

    private PipelineResult subscription(int ingressPort, byte[] frame, MessageKind kind, int state) {
        if (Stages.ttlExpires(frame)) {
            return Stages.drop(drops, DropReason.TTL_EXPIRED);
        }
        long old = statePorts.read(state);
        long updated = Propagation.apply(kind, old, ingressPort);
        statePorts.write(state, updated);
        long propagation = Propagation.propagate(kind, old, ingressPort, treePorts, allPorts);

        byte[] forwarded = FrameRewrite.decrementTtl(frame);
        byte[] ack = FrameRewrite.toSubAck(forwarded);
        List<PipelineResult.Emission> emissions = new ArrayList<>();
        for (ReplicationEngine.Replica replica : replication.replicate((int) (PortMask.bit(ingressPort) | propagation))) {
            // Egress turns the copy back to the sender into the SUB-ack; the others stay SUB messages.
            emissions.add(new PipelineResult.Emission(replica.port(), replica.port() == ingressPort ? ack : forwarded));
        }
        // One packet-in at most, as v1model clones a packet once: SUB_PROPAGATED lets the agent
        // repeat the propagated message until the neighbour's SUB-ack arrives, and carries the new
        // mask so it also serves State4; STATE_CHANGED reports every other applied SUB while cloning.
        List<PipelineResult.PacketInMessage> packetIns = List.of();
        if (propagation != 0) {
            packetIns = List.of(packetIn(ingressPort, CpuHeaders.Reason.SUB_PROPAGATED, state, updated, frame));
        } else if (cloneFlag) {
            // While cloning, every applied SUB is reported, changed cell or not: a cell copied into
            // a new pipeline may briefly hold an older value, on which the same SUB is a change.
            packetIns = List.of(packetIn(ingressPort, CpuHeaders.Reason.STATE_CHANGED, state, updated, frame));
        }
        return PipelineResult.of(emissions, packetIns);
    }

    @Override
    public PipelineResult processPacketOut(byte[] message) {
        DecodeResult<CpuHeaders.PacketOut> header = CpuHeaders.PacketOut.decode(message);
        if (!header.isOk()) {
            return Stages.drop(drops, DropReason.BAD_PACKET_OUT);
        }
        return processPacketOut(header.orElseThrow(), CpuHeaders.payloadAfter(message, CpuHeaders.PacketOut.LENGTH));
    }

    @Override
    public PipelineResult processPacketOut(CpuHeaders.PacketOut header, byte[] payload) {
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(payload, "payload");
        return switch (header.op()) {
            case FORWARD -> Stages.forward(portCount, drops, header, payload);
            case READ -> read(header);
            case WRITE -> write(header, payload);
            case SET_CLONE_FLAG -> setCloneFlag(header);
        };
    }

    private boolean validRange(CpuHeaders.PacketOut header) {
        return header.count() >= 1 && header.count() <= MAX_REGISTER_VALUES
                && header.index() + header.count() <= statePorts.capacity();
    }

    private PipelineResult read(CpuHeaders.PacketOut header) {
        if (!validRange(header)) {
            return Stages.drop(drops, DropReason.BAD_PACKET_OUT);
        }
        int first = (int) header.index();
        ByteBuffer values = ByteBuffer.allocate(4 * header.count());
        for (int i = 0; i < header.count(); i++) {
            values.putInt((int) statePorts.read(first + i));
        }
        return registerValues(header, values.array());
    }

    /** All or nothing: a value with bits beyond the P ports refuses the whole WRITE. */
    private PipelineResult write(CpuHeaders.PacketOut header, byte[] payload) {
        if (!validRange(header) || payload.length != 4 * header.count()) {
            return Stages.drop(drops, DropReason.BAD_PACKET_OUT);
        }
        ByteBuffer values = ByteBuffer.wrap(payload);
        for (int i = 0; i < header.count(); i++) {
            if ((Integer.toUnsignedLong(values.getInt(4 * i)) & ~allPorts) != 0) {
                return Stages.drop(drops, DropReason.BAD_PACKET_OUT);
            }
        }
        int first = (int) header.index();
        for (int i = 0; i < header.count(); i++) {
            statePorts.write(first + i, Integer.toUnsignedLong(values.getInt(4 * i)));
        }
        return registerValues(header, payload);
    }

    private PipelineResult setCloneFlag(CpuHeaders.PacketOut header) {
        if (header.index() > 1) {
            return Stages.drop(drops, DropReason.BAD_PACKET_OUT);
        }
        cloneFlag = header.index() == 1;
        return PipelineResult.of(List.of(), List.of());
    }

    /** The answer to READ and WRITE; it "came in" by the CPU port, as the packet-out did. */
    private static PipelineResult registerValues(CpuHeaders.PacketOut header, byte[] values) {
        CpuHeaders.PacketIn packetIn = new CpuHeaders.PacketIn(CpuHeaders.CPU_PORT,
                CpuHeaders.Reason.REGISTER_VALUES, header.count(), header.index(), 0);
        return PipelineResult.of(List.of(), List.of(new PipelineResult.PacketInMessage(packetIn, values)));
    }

    private static PipelineResult.PacketInMessage packetIn(int ingressPort, CpuHeaders.Reason reason, long index,
                                                           long value, byte[] frame) {
        return new PipelineResult.PacketInMessage(new CpuHeaders.PacketIn(ingressPort, reason, 0, index, value), frame);
    }
}
