package io.stare.p4.pipeline;

import io.stare.protocol.DecodeResult;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.packet.StareFrameFlyweight;
import io.stare.protocol.packet.StarePacket;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * The embedded-controller pipeline ({@code stare_embedded.p4}): the switch keeps no subscription
 * state of its own. A local controller ({@link EmbeddedController}) receives every SUB message,
 * keeps the per-state port masks, and programs {@code state_forwarding} and the multicast groups.
 *
 * <table>
 *   <caption>What a STARE packet from port p does</caption>
 *   <tr><th>M_K</th><th>action</th></tr>
 *   <tr><td>Publish</td><td>{@code state_forwarding} (STATE_ID to group); miss: drop NO_SUBSCRIBER;
 *       egress drops the copy for p</td></tr>
 *   <tr><td>SUB-register, SUB-remove</td><td>packet-in SUB_PUNT with the ingress port</td></tr>
 *   <tr><td>SUB-ack</td><td>packet-in SUB_ACK</td></tr>
 * </table>
 *
 * Other IPv4 goes through {@code ipv4_lpm}. Packet-outs may only FORWARD: this program has no
 * {@code state_ports} register to READ or WRITE and no {@code clone_flag}.
 */
public final class EmbeddedPipeline implements Pipeline {

    private final int portCount;
    private final StateGroupTable stateForwarding;
    private final ReplicationEngine replication;
    private final Ipv4Lpm ipv4Lpm;
    private final DropCounters drops = new DropCounters();
    // The fast path's one flyweight, re-pointed at each frame (the pipeline has one caller at a time).
    private final StareFrameFlyweight fastFrame = new StareFrameFlyweight();

    /**
     * A pipeline with empty tables and no groups.
     *
     * @param portCount P, 1..{@link Pipeline#MAX_PORTS}
     * @param tableCapacity entries of {@code state_forwarding}
     */
    public EmbeddedPipeline(int portCount, int tableCapacity) {
        PortMask.checkPortCount(portCount, MAX_PORTS);
        this.portCount = portCount;
        this.stateForwarding = new StateGroupTable(tableCapacity);
        this.replication = new ReplicationEngine(portCount);
        this.ipv4Lpm = new Ipv4Lpm(portCount, Ipv4Lpm.DEFAULT_CAPACITY);
    }

    /** The compiled defaults: 8 ports, 65536 table entries. */
    public EmbeddedPipeline() {
        this(DEFAULT_PORTS, StateGroupTable.DEFAULT_CAPACITY);
    }

    @Override
    public int portCount() {
        return portCount;
    }

    /** The {@code state_forwarding} table. */
    public StateGroupTable stateForwarding() {
        return stateForwarding;
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
        MessageKind kind = packet.header().kind();
        return switch (kind) {
            case PUBLISH -> publish(ingressPort, frame, packet.header().stateId());
            case SUB_REGISTER, SUB_REMOVE -> Stages.ttlExpires(frame)
                    // Dropped here, as the register pipeline drops it before acting, so that the
                    // controller only ever sees SUB messages it may act on and answer.
                    ? Stages.drop(drops, DropReason.TTL_EXPIRED)
                    : toCpu(ingressPort, CpuHeaders.Reason.SUB_PUNT, frame);
            case SUB_ACK -> toCpu(ingressPort, CpuHeaders.Reason.SUB_ACK, frame);
        };
    }

    private PipelineResult publish(int ingressPort, byte[] frame, int state) {
        OptionalInt group = stateForwarding.lookup(state);
        if (group.isEmpty()) {
            return Stages.drop(drops, DropReason.NO_SUBSCRIBER);
        }
        if (Stages.ttlExpires(frame)) {
            return Stages.drop(drops, DropReason.TTL_EXPIRED);
        }
        byte[] copy = FrameRewrite.decrementTtl(frame);
        List<PipelineResult.Emission> emissions = new ArrayList<>();
        for (ReplicationEngine.Replica replica : replication.replicate(group.getAsInt())) {
            if (replica.port() != ingressPort) { // egress prunes the copy back to the publisher's port
                emissions.add(new PipelineResult.Emission(replica.port(), copy));
            }
        }
        return PipelineResult.of(emissions, List.of());
    }

    /**
     * {@inheritDoc}
     *
     * <p>Here: {@code state_forwarding} names the group, and egress prunes the copies for the
     * ingress port, as in {@code process}; the fast path takes it when the copies left go one per
     * port in ascending port order (every group {@link EmbeddedController} makes does).
     */
    @Override
    public long forwardInPlace(int ingressPort, ByteBuffer buffer, int offset, int length) {
        StareFrameFlyweight frame = Stages.wrap(fastFrame, ingressPort, portCount, buffer, offset, length);
        if (!Stages.isFastPublish(frame)) {
            return SLOW;
        }
        // The same checks, in the same order, as publish makes them.
        int group = stateForwarding.groupOf(frame.stateId());
        if (group == 0) {
            return Stages.dropInPlace(drops, DropReason.NO_SUBSCRIBER);
        }
        if (frame.ttl() <= 1) {
            return Stages.dropInPlace(drops, DropReason.TTL_EXPIRED);
        }
        ReplicationEngine.Fanout fanout = replication.fanout(group);
        if (!fanout.isAscendingWithout(ingressPort)) {
            return SLOW;
        }
        return Stages.forwardInPlace(frame, fanout.ports() & ~PortMask.bit(ingressPort));
    }

    private static PipelineResult toCpu(int ingressPort, CpuHeaders.Reason reason, byte[] frame) {
        CpuHeaders.PacketIn header = new CpuHeaders.PacketIn(ingressPort, reason, 0, 0, 0);
        return PipelineResult.of(List.of(), List.of(new PipelineResult.PacketInMessage(header, frame)));
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
        if (header.op() != CpuHeaders.Op.FORWARD) {
            return Stages.drop(drops, DropReason.BAD_PACKET_OUT);
        }
        return Stages.forward(portCount, drops, header, payload);
    }
}
