package io.stare.actors.agent;

import io.stare.p4.entity.CloneSessionCodec;
import io.stare.p4.entity.Decoded;
import io.stare.p4.entity.MulticastGroupCodec;
import io.stare.p4.entity.PacketInCodec;
import io.stare.p4.entity.StareEntities;
import io.stare.p4.entity.StateForwardingCodec;
import io.stare.p4.entity.StatePortsCodec;
import io.stare.p4.pipeline.CpuHeaders;
import io.stare.p4.pipeline.PortMask;
import io.stare.p4.program.StareProgram;
import io.stare.p4.program.StarePrograms;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.zip.CRC32;
import p4.v1.Entity;
import p4.v1.ForwardingPipelineConfig;
import p4.v1.MulticastGroupEntry;
import p4.v1.PacketIn;
import p4.v1.PacketOut;

/**
 * The P4Runtime entities and CPU-port messages the switch agent writes and reads, for one STARE
 * program: the pipeline config it pushes (with its cookie) and the agent's vocabulary over the shared
 * codecs of {@link StareEntities}, which the software switch decodes with too. Immutable and pure:
 * no gRPC calls.
 */
public final class P4Entities {

    /** The clone session the register program clones SUB_PROPAGATED / STATE_CHANGED packets to. */
    public static final int CPU_CLONE_SESSION = 100;

    private final StareEntities codecs;
    private final ForwardingPipelineConfig config;

    private P4Entities(StareProgram program, ForwardingPipelineConfig config) {
        this.codecs = StareEntities.of(program);
        this.config = config;
    }

    /** The entities of the program shipped for {@code mode}. */
    public static P4Entities of(StareProgram.Mode mode) {
        return of(StarePrograms.config(mode));
    }

    /** The entities of the program shipped for {@code mode} compiled for {@code capacity} states. */
    public static P4Entities of(StareProgram.Mode mode, int capacity) {
        return of(StarePrograms.config(mode, capacity));
    }

    private static P4Entities of(ForwardingPipelineConfig plain) {
        try {
            StareProgram program = StareProgram.recognise(plain.getP4Info());
            return new P4Entities(program, plain.toBuilder()
                    .setCookie(ForwardingPipelineConfig.Cookie.newBuilder().setCookie(cookieOf(plain))).build());
        } catch (StareProgram.UnsupportedProgramException e) {
            throw new IllegalStateException("a shipped program is not recognised: " + e.getMessage(), e);
        }
    }

    /**
     * The cookie of a config: a checksum of its P4Info and device config, so an agent recognises
     * a switch that already runs exactly this program (and adopts its state instead of wiping it).
     */
    static long cookieOf(ForwardingPipelineConfig config) {
        CRC32 crc = new CRC32();
        crc.update(config.getP4Info().toByteArray());
        long high = crc.getValue();
        crc.reset();
        crc.update(config.getP4DeviceConfig().toByteArray());
        return high << 32 | crc.getValue();
    }

    public StareProgram program() {
        return codecs.program();
    }

    /** The pipeline config to push, with its cookie. */
    public ForwardingPipelineConfig pipelineConfig() {
        return config;
    }

    /** The cookie of {@link #pipelineConfig()}. */
    public long cookie() {
        return config.getCookie().getCookie();
    }

    /** Register mode: P, the width of {@code state_ports}. */
    public int statePortsWidth() {
        return codecs.statePorts().width();
    }

    /** Register mode: the number of {@code state_ports} cells (the compile-time STATE_CAPACITY). */
    public int stateCapacity() {
        return codecs.statePorts().cells();
    }

    /** Embedded mode: the size of {@code state_forwarding}. */
    public int stateTableSize() {
        int table = codecs.stateForwarding().tableId();
        return (int) program().p4Info().getTablesList().stream().filter(t -> t.getPreamble().getId() == table)
                .findFirst().orElseThrow().getSize();
    }

    // ---- entities -----------------------------------------------------------------------------

    /** The keyless {@code tree_ports} table's default action {@code set_tree_ports(mask)} (MODIFY it). */
    public Entity treePorts(long mask) {
        return codecs.treePorts().encode(mask);
    }

    /** A filter reading {@code tree_ports}. */
    public Entity treePortsFilter() {
        return codecs.treePorts().filter();
    }

    /** Multicast group {@code groupId} replicating to the ports of {@code mask}, ascending, instance 0. */
    public static Entity multicastGroup(int groupId, long mask) {
        List<MulticastGroupCodec.Copy> copies = new java.util.ArrayList<>();
        for (int port : PortMask.ports(mask)) {
            copies.add(new MulticastGroupCodec.Copy(port, 0));
        }
        return StareEntities.multicastGroups().encode(new MulticastGroupCodec.Group(groupId, copies));
    }

    /** A filter reading every multicast group. */
    public static Entity multicastGroupsFilter() {
        return StareEntities.multicastGroups().filter();
    }

    /** Clone session {@value #CPU_CLONE_SESSION} to the CPU port. */
    public static Entity cpuCloneSession() {
        return StareEntities.cloneSessions().encode(new CloneSessionCodec.Session(CPU_CLONE_SESSION,
                CpuHeaders.CPU_PORT, 0));
    }

    /** A filter reading every clone session. */
    public static Entity cloneSessionsFilter() {
        return StareEntities.cloneSessions().filter();
    }

    /** Register mode: the cell {@code state_ports[stateId] = mask} (MODIFY it). */
    public Entity statePortsCell(int stateId, long mask) {
        return codecs.statePorts().encode(new StatePortsCodec.Cell(stateId, mask));
    }

    /** Register mode: a filter reading the one cell {@code state_ports[stateId]}. */
    public Entity statePortsCellFilter(int stateId) {
        return codecs.statePorts().filter(stateId);
    }

    /** Register mode: the cell {@code clone_flag[0]} (MODIFY it). */
    public Entity cloneFlag(boolean set) {
        return codecs.cloneFlag().encode(set);
    }

    /** Register mode: a filter reading {@code clone_flag}. */
    public Entity cloneFlagFilter() {
        return codecs.cloneFlag().filter();
    }

    /** Register mode: whether read entities hold {@code clone_flag = 1}. */
    public boolean cloneFlagSet(List<Entity> entities) {
        return entities.stream().map(e -> codecs.cloneFlag().decode(e))
                .anyMatch(flag -> flag.isOk() && flag.orElseThrow());
    }

    /** Register mode: a filter reading every cell of {@code state_ports}. */
    public Entity statePortsFilter() {
        return codecs.statePorts().filter();
    }

    /** Embedded mode: the entry {@code state_forwarding[stateId] -> set_group(groupId)}. */
    public Entity stateForwarding(int stateId, int groupId) {
        return codecs.stateForwarding().encode(StateForwardingCodec.Entry.toGroup(stateId, groupId));
    }

    /** Embedded mode: the key of a {@code state_forwarding} entry, for DELETE. */
    public Entity stateForwardingDelete(int stateId) {
        return codecs.stateForwarding().keyOf(stateId);
    }

    /** Embedded mode: a filter reading every {@code state_forwarding} entry. */
    public Entity stateForwardingFilter() {
        return codecs.stateForwarding().filter();
    }

    // ---- reading entities back ----------------------------------------------------------------

    /** Register mode: the non-zero {@code state_ports} cells among read entities, by state. */
    public SortedMap<Integer, Long> statePortsCells(List<Entity> entities) {
        SortedMap<Integer, Long> cells = new TreeMap<>();
        for (Entity entity : entities) {
            Decoded<StatePortsCodec.Cell> cell = codecs.statePorts().decode(entity);
            if (cell.isOk() && cell.orElseThrow().mask() != 0) {
                cells.put(cell.orElseThrow().stateId(), cell.orElseThrow().mask());
            }
        }
        return cells;
    }

    /** Embedded mode: the {@code state_forwarding} entries that forward, among read entities, state to group. */
    public SortedMap<Integer, Integer> stateForwardingEntries(List<Entity> entities) {
        SortedMap<Integer, Integer> entries = new TreeMap<>();
        for (Entity entity : entities) {
            Decoded<StateForwardingCodec.Entry> entry = codecs.stateForwarding().decode(entity);
            if (entry.isOk() && entry.orElseThrow().group().isPresent()) {
                entries.put(entry.orElseThrow().stateId(), entry.orElseThrow().group().getAsInt());
            }
        }
        return entries;
    }

    /** The ids of the multicast groups among read entities, with their number of copies. */
    public static SortedMap<Integer, Integer> multicastGroupSizes(List<Entity> entities) {
        SortedMap<Integer, Integer> groups = new TreeMap<>();
        for (Entity entity : entities) {
            if (entity.hasPacketReplicationEngineEntry()
                    && entity.getPacketReplicationEngineEntry().hasMulticastGroupEntry()) {
                MulticastGroupEntry group = entity.getPacketReplicationEngineEntry().getMulticastGroupEntry();
                groups.put(group.getMulticastGroupId(), group.getReplicasCount());
            }
        }
        return groups;
    }

    // ---- CPU port -----------------------------------------------------------------------------

    /** A packet-out sending {@code frame} out of front port {@code port} (op FORWARD). */
    public static PacketOut forward(int port, byte[] frame) {
        return packetOut(CpuHeaders.PacketOut.forward(port), frame);
    }

    /** A packet-out with the given controller header and payload. */
    public static PacketOut packetOut(CpuHeaders.PacketOut header, byte[] payload) {
        return StareEntities.packetOuts().encode(header, payload);
    }

    /** Decodes a packet-in's metadata; empty if a field is missing, too wide or the reason unknown. */
    public static Optional<PacketInCodec.Received> packetIn(PacketIn packet) {
        Decoded<PacketInCodec.Received> decoded = StareEntities.packetIns().decode(packet);
        return decoded.isOk() ? Optional.of(decoded.orElseThrow()) : Optional.empty();
    }
}
