package io.stare.p4.pipeline;

import io.stare.protocol.DecodeResult;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.packet.StarePacket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The local controller of the embedded mode, as pure logic: it takes the SUB_PUNT packet-ins of an
 * {@link EmbeddedPipeline}, keeps its own per-state port masks, and returns what the switch must be
 * told, as values. The switch agent applies the {@link Decision}s in order over P4Runtime.
 *
 * <p>The mask update and the propagation are those of the register pipeline ({@link Propagation}),
 * and the SUB-ack and propagated messages are byte for byte the frames the register pipeline would
 * send, so both modes build the same distribution trees.
 *
 * <h2>Multicast group ids</h2>
 *
 * A state's group id <em>is</em> its subscriber port mask: group {@code g} replicates to the ports
 * of mask {@code g} (instance 0, ports ascending), and states with the same mask share a group. The
 * scheme is deterministic (the id follows from the mask alone, so it can be recomputed from the
 * table after a restart) and bounded: at most 2^P - 1 groups (255 for 8 ports) whatever the number
 * of states, within v1model's 16-bit group ids for P up to 16. A per-state id could not be: a full
 * 65536-entry table would need more than the 65535 usable ids. The controller counts the states
 * using each group, inserts a group when its first state arrives and deletes it after its last one
 * left; a state's mask change is a table MODIFY to another group, made before the old group goes
 * (make before break). The groups are this controller's: the agent must not also
 * {@link ReplicationEngine#installPortMaskGroups(int) install the mask groups} in embedded mode.
 *
 * <p>Not thread-safe: the switch agent drives it.
 */
public final class EmbeddedController {

    /** One change to make on the switch, in the order returned. */
    public sealed interface Decision
            permits InsertGroup, DeleteGroup, InsertEntry, ModifyEntry, DeleteEntry, Transmit {
    }

    /** Insert multicast group {@code groupId} replicating to {@code replicas}. */
    public record InsertGroup(int groupId, List<ReplicationEngine.Replica> replicas) implements Decision {
        public InsertGroup {
            replicas = List.copyOf(replicas);
        }
    }

    /** Delete multicast group {@code groupId}. */
    public record DeleteGroup(int groupId) implements Decision {
    }

    /** Insert {@code state_forwarding} entry {@code stateId -> set_group(groupId)}. */
    public record InsertEntry(int stateId, int groupId) implements Decision {
    }

    /** Modify the {@code state_forwarding} entry of {@code stateId} to {@code set_group(groupId)}. */
    public record ModifyEntry(int stateId, int groupId) implements Decision {
    }

    /** Delete the {@code state_forwarding} entry of {@code stateId}. */
    public record DeleteEntry(int stateId) implements Decision {
    }

    /**
     * Send {@code frame} out of front port {@code port} with a packet-out FORWARD.
     *
     * @param port the egress port
     * @param frame the whole Ethernet frame (copied in and out)
     */
    public record Transmit(int port, byte[] frame) implements Decision {
        public Transmit {
            frame = frame.clone();
        }

        @Override
        public byte[] frame() {
            return frame.clone();
        }

        /** The packet-out header that sends the frame. */
        public CpuHeaders.PacketOut packetOut() {
            return CpuHeaders.PacketOut.forward(port);
        }

        /** The whole packet-out message: header then frame. */
        public byte[] toPacketOutBytes() {
            return packetOut().encode(frame);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Transmit t && port == t.port && Arrays.equals(frame, t.frame);
        }

        @Override
        public int hashCode() {
            return 31 * port + Arrays.hashCode(frame);
        }

        @Override
        public String toString() {
            return "Transmit[port=" + port + ", " + frame.length + " bytes]";
        }
    }

    /** What the controller made of a packet-in. */
    public sealed interface Reaction permits Act, Ignore {
    }

    /**
     * A SUB message handled: the mask change and the decisions that carry it out (possibly only
     * the SUB-ack, for a duplicate).
     *
     * @param kind SUB-register or SUB-remove
     * @param stateId the state
     * @param ingressPort the port the message came in by
     * @param oldMask the state's mask before
     * @param newMask the state's mask after
     * @param propagation the tree ports the message was propagated to
     * @param decisions what to apply, in order
     */
    public record Act(MessageKind kind, int stateId, int ingressPort, long oldMask, long newMask, long propagation,
                      List<Decision> decisions) implements Reaction {
        public Act {
            decisions = List.copyOf(decisions);
        }
    }

    /** Nothing to do, and why: not a SUB_PUNT, an undecodable frame, or no room for the state. */
    public record Ignore(String reason) implements Reaction {
    }

    private final int portCount;
    private final long allPorts;
    private final int tableCapacity;
    private long treePorts;
    private final Map<Integer, Long> masks = new HashMap<>();
    private final Map<Integer, Integer> statesPerGroup = new HashMap<>();

    /**
     * @param portCount P, the switch's front ports, 1..{@link Pipeline#MAX_PORTS}
     * @param treePorts the switch's tree-port mask
     * @param tableCapacity entries of the switch's {@code state_forwarding} table: a new state
     *     beyond it is not joined (and not acked, so the subscriber retries)
     */
    public EmbeddedController(int portCount, long treePorts, int tableCapacity) {
        PortMask.checkPortCount(portCount, Pipeline.MAX_PORTS);
        if (tableCapacity < 1) {
            throw new IllegalArgumentException("table capacity " + tableCapacity + " is not positive");
        }
        this.portCount = portCount;
        this.allPorts = PortMask.all(portCount);
        this.tableCapacity = tableCapacity;
        setTreePorts(treePorts);
    }

    /** The multicast group id of a non-empty subscriber mask: the mask itself. */
    public static int groupOf(long mask) {
        if (mask <= 0 || mask > ReplicationEngine.MAX_GROUP_ID) {
            throw new IllegalArgumentException("mask 0x" + Long.toHexString(mask) + " has no group id");
        }
        return (int) mask;
    }

    /** The tree-port mask. */
    public long treePorts() {
        return treePorts;
    }

    /** Changes the tree-port mask (a new spanning tree). */
    public void setTreePorts(long mask) {
        PortMask.checkMask(mask, portCount, "tree-port mask");
        this.treePorts = mask;
    }

    /** The subscriber mask of a state (0 if none). */
    public long mask(int stateId) {
        return masks.getOrDefault(stateId, 0L);
    }

    /** Every state with subscribers, and its mask. */
    public SortedMap<Integer, Long> masks() {
        return Collections.unmodifiableSortedMap(new TreeMap<>(masks));
    }

    /** Handles a whole packet-in message (header then payload), as read from the CPU port. */
    public Reaction onPacketIn(byte[] message) {
        DecodeResult<CpuHeaders.PacketIn> header = CpuHeaders.PacketIn.decode(message);
        if (!header.isOk()) {
            return new Ignore("undecodable packet-in: " + header.errorOrNull());
        }
        return onPacketIn(header.orElseThrow(), CpuHeaders.payloadAfter(message, CpuHeaders.PacketIn.LENGTH));
    }

    /** Handles a packet-in from the pipeline. */
    public Reaction onPacketIn(PipelineResult.PacketInMessage message) {
        return onPacketIn(message.header(), message.payload());
    }

    /** Handles a packet-in; only SUB_PUNT is for this controller. */
    public Reaction onPacketIn(CpuHeaders.PacketIn header, byte[] frame) {
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(frame, "frame");
        if (header.reason() != CpuHeaders.Reason.SUB_PUNT) {
            return new Ignore("packet-in " + header.reason() + " is not for the local controller");
        }
        int port = header.ingressPort();
        if (port >= portCount) {
            return new Ignore("ingress port " + port + " is not a front port");
        }
        Ingress.Parsed parsed = Ingress.parse(frame);
        if (!(parsed instanceof Ingress.Stare stare)) {
            return new Ignore("punted frame is not a valid STARE packet");
        }
        StarePacket packet = stare.packet();
        MessageKind kind = packet.header().kind();
        if (kind != MessageKind.SUB_REGISTER && kind != MessageKind.SUB_REMOVE) {
            return new Ignore("punted " + kind + " is not a SUB-register or SUB-remove");
        }
        if (Stages.ttlExpires(frame)) {
            return new Ignore("TTL " + packet.ttl() + " expires");
        }
        int state = packet.header().stateId();
        long old = mask(state);
        long updated = Propagation.apply(kind, old, port);
        if (old == 0 && updated != 0 && masks.size() >= tableCapacity) {
            return new Ignore("state_forwarding is full (" + tableCapacity + " entries); state " + state + " not joined");
        }
        long propagation = Propagation.propagate(kind, old, port, treePorts, allPorts);

        List<Decision> decisions = new ArrayList<>();
        if (updated != old) {
            changeMask(state, old, updated, decisions);
        }
        byte[] forwarded = FrameRewrite.decrementTtl(frame);
        byte[] ack = FrameRewrite.toSubAck(forwarded);
        // Ports ascending, as the register pipeline's group bit(p) | propagation replicates.
        for (int out : PortMask.ports(PortMask.bit(port) | propagation)) {
            decisions.add(new Transmit(out, out == port ? ack : forwarded));
        }
        return new Act(kind, state, port, old, updated, propagation, decisions);
    }

    private void changeMask(int state, long old, long updated, List<Decision> decisions) {
        if (updated != 0 && statesPerGroup.merge(groupOf(updated), 1, Integer::sum) == 1) {
            decisions.add(new InsertGroup(groupOf(updated), ReplicationEngine.replicasOf(updated)));
        }
        if (old == 0) {
            decisions.add(new InsertEntry(state, groupOf(updated)));
            masks.put(state, updated);
        } else if (updated == 0) {
            decisions.add(new DeleteEntry(state));
            masks.remove(state);
        } else {
            decisions.add(new ModifyEntry(state, groupOf(updated)));
            masks.put(state, updated);
        }
        if (old != 0 && statesPerGroup.merge(groupOf(old), -1, Integer::sum) == 0) {
            statesPerGroup.remove(groupOf(old));
            decisions.add(new DeleteGroup(groupOf(old)));
        }
    }
}
