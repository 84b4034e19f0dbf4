package io.stare.actors.agent;

import com.google.protobuf.ByteString;
import io.stare.p4.pipeline.CpuHeaders;
import io.stare.p4.pipeline.PortMask;
import io.stare.p4.softswitch.P4Values;
import io.stare.p4.softswitch.StareProgram;
import io.stare.p4.softswitch.StarePrograms;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.zip.CRC32;
import p4.v1.Action;
import p4.v1.CloneSessionEntry;
import p4.v1.Entity;
import p4.v1.FieldMatch;
import p4.v1.ForwardingPipelineConfig;
import p4.v1.Index;
import p4.v1.MulticastGroupEntry;
import p4.v1.P4Data;
import p4.v1.PacketIn;
import p4.v1.PacketMetadata;
import p4.v1.PacketOut;
import p4.v1.PacketReplicationEngineEntry;
import p4.v1.RegisterEntry;
import p4.v1.Replica;
import p4.v1.TableAction;
import p4.v1.TableEntry;

/**
 * The P4Runtime entities and CPU-port messages the switch agent writes and reads, built with the
 * ids of one STARE program (looked up once through {@link StareProgram}, never hard-coded).
 * Immutable and pure: no gRPC calls.
 */
public final class P4Entities {

    /** The clone session the register program clones SUB_PROPAGATED / STATE_CHANGED packets to. */
    public static final int CPU_CLONE_SESSION = 100;

    /**
     * A packet-in as the agent sees it.
     *
     * @param header the {@code packet_in} controller header
     * @param payload the frame (or the register values), copied
     */
    public record ReceivedPacket(CpuHeaders.PacketIn header, byte[] payload) {
        public ReceivedPacket {
            payload = payload.clone();
        }

        @Override
        public byte[] payload() {
            return payload.clone();
        }
    }

    private final StareProgram program;
    private final ForwardingPipelineConfig config;

    private P4Entities(StareProgram program, ForwardingPipelineConfig config) {
        this.program = program;
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
        return program;
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
        return program.registerWidth(id(program.registerId("state_ports"), "register state_ports"));
    }

    /** Register mode: the number of {@code state_ports} cells (the compile-time STATE_CAPACITY). */
    public int stateCapacity() {
        return program.registerSize(statePortsId());
    }

    /** Embedded mode: the size of {@code state_forwarding}. */
    public int stateTableSize() {
        int table = id(program.tableId("state_forwarding"), "table state_forwarding");
        return (int) program.p4Info().getTablesList().stream().filter(t -> t.getPreamble().getId() == table)
                .findFirst().orElseThrow().getSize();
    }

    // ---- entities -----------------------------------------------------------------------------

    /** The keyless {@code tree_ports} table's default action {@code set_tree_ports(mask)} (MODIFY it). */
    public Entity treePorts(long mask) {
        return Entity.newBuilder().setTableEntry(TableEntry.newBuilder()
                .setTableId(id(program.tableId("tree_ports"), "table tree_ports")).setIsDefaultAction(true)
                .setAction(action("set_tree_ports", mask))).build();
    }

    /** A filter reading {@code tree_ports}. */
    public Entity treePortsFilter() {
        return Entity.newBuilder().setTableEntry(TableEntry.newBuilder()
                .setTableId(id(program.tableId("tree_ports"), "table tree_ports"))
                // A keyless table's only entry is its default one, read only when asked for.
                .setIsDefaultAction(true)).build();
    }

    /**
     * Multicast group {@code groupId} replicating to the ports of {@code mask}, ascending, instance 0.
     * Replicas name their port with {@code egress_port}: deprecated in favour of the {@code port}
     * bytes, but the field every P4Runtime server version reads (the software switch takes both).
     */
    @SuppressWarnings("deprecation")
    public static Entity multicastGroup(int groupId, long mask) {
        MulticastGroupEntry.Builder group = MulticastGroupEntry.newBuilder().setMulticastGroupId(groupId);
        for (int port : PortMask.ports(mask)) {
            group.addReplicas(Replica.newBuilder().setEgressPort(port).setInstance(0));
        }
        return Entity.newBuilder().setPacketReplicationEngineEntry(
                PacketReplicationEngineEntry.newBuilder().setMulticastGroupEntry(group)).build();
    }

    /** A filter reading every multicast group. */
    public static Entity multicastGroupsFilter() {
        return Entity.newBuilder().setPacketReplicationEngineEntry(PacketReplicationEngineEntry.newBuilder()
                .setMulticastGroupEntry(MulticastGroupEntry.getDefaultInstance())).build();
    }

    /** Clone session {@value #CPU_CLONE_SESSION} to the CPU port ({@code egress_port}, as above). */
    @SuppressWarnings("deprecation")
    public static Entity cpuCloneSession() {
        return Entity.newBuilder().setPacketReplicationEngineEntry(PacketReplicationEngineEntry.newBuilder()
                .setCloneSessionEntry(CloneSessionEntry.newBuilder().setSessionId(CPU_CLONE_SESSION)
                        .addReplicas(Replica.newBuilder().setEgressPort(CpuHeaders.CPU_PORT).setInstance(0)))).build();
    }

    /** A filter reading every clone session. */
    public static Entity cloneSessionsFilter() {
        return Entity.newBuilder().setPacketReplicationEngineEntry(PacketReplicationEngineEntry.newBuilder()
                .setCloneSessionEntry(CloneSessionEntry.getDefaultInstance())).build();
    }

    /** Register mode: the cell {@code state_ports[stateId] = mask} (MODIFY it). */
    public Entity statePortsCell(int stateId, long mask) {
        return Entity.newBuilder().setRegisterEntry(RegisterEntry.newBuilder().setRegisterId(statePortsId())
                .setIndex(Index.newBuilder().setIndex(stateId))
                .setData(P4Data.newBuilder().setBitstring(P4Values.canonical(mask)))).build();
    }

    /** Register mode: a filter reading the one cell {@code state_ports[stateId]}. */
    public Entity statePortsCellFilter(int stateId) {
        return Entity.newBuilder().setRegisterEntry(RegisterEntry.newBuilder().setRegisterId(statePortsId())
                .setIndex(Index.newBuilder().setIndex(stateId))).build();
    }

    /** Register mode: the cell {@code clone_flag[0]} (MODIFY it). */
    public Entity cloneFlag(boolean set) {
        return Entity.newBuilder().setRegisterEntry(RegisterEntry.newBuilder().setRegisterId(cloneFlagId())
                .setIndex(Index.newBuilder().setIndex(0))
                .setData(P4Data.newBuilder().setBitstring(P4Values.canonical(set ? 1 : 0)))).build();
    }

    /** Register mode: a filter reading {@code clone_flag}. */
    public Entity cloneFlagFilter() {
        return Entity.newBuilder().setRegisterEntry(RegisterEntry.newBuilder().setRegisterId(cloneFlagId())).build();
    }

    /** Register mode: whether read entities hold {@code clone_flag = 1}. */
    public boolean cloneFlagSet(List<Entity> entities) {
        int registerId = cloneFlagId();
        return entities.stream().anyMatch(e -> e.hasRegisterEntry() && e.getRegisterEntry().getRegisterId() == registerId
                && P4Values.parse(e.getRegisterEntry().getData().getBitstring(), 1).orElse(0) == 1);
    }

    /** Register mode: a filter reading every cell of {@code state_ports}. */
    public Entity statePortsFilter() {
        return Entity.newBuilder().setRegisterEntry(RegisterEntry.newBuilder().setRegisterId(statePortsId())).build();
    }

    /** Embedded mode: the entry {@code state_forwarding[stateId] -> set_group(groupId)}. */
    public Entity stateForwarding(int stateId, int groupId) {
        return Entity.newBuilder().setTableEntry(stateForwardingKey(stateId).setAction(action("set_group", groupId)))
                .build();
    }

    /** Embedded mode: the key of a {@code state_forwarding} entry, for DELETE. */
    public Entity stateForwardingDelete(int stateId) {
        return Entity.newBuilder().setTableEntry(stateForwardingKey(stateId)).build();
    }

    /** Embedded mode: a filter reading every {@code state_forwarding} entry. */
    public Entity stateForwardingFilter() {
        return Entity.newBuilder().setTableEntry(TableEntry.newBuilder().setTableId(stateForwardingId())).build();
    }

    private TableEntry.Builder stateForwardingKey(int stateId) {
        return TableEntry.newBuilder().setTableId(stateForwardingId()).addMatch(FieldMatch.newBuilder().setFieldId(1)
                .setExact(FieldMatch.Exact.newBuilder().setValue(P4Values.canonical(stateId))));
    }

    // ---- reading entities back ----------------------------------------------------------------

    /** Register mode: the non-zero {@code state_ports} cells among read entities, by state. */
    public SortedMap<Integer, Long> statePortsCells(List<Entity> entities) {
        SortedMap<Integer, Long> cells = new TreeMap<>();
        int registerId = statePortsId();
        for (Entity entity : entities) {
            if (entity.hasRegisterEntry() && entity.getRegisterEntry().getRegisterId() == registerId) {
                long value = P4Values.parse(entity.getRegisterEntry().getData().getBitstring(), 63).orElse(0);
                if (value != 0) {
                    cells.put((int) entity.getRegisterEntry().getIndex().getIndex(), value);
                }
            }
        }
        return cells;
    }

    /** Embedded mode: the {@code state_forwarding} entries among read entities, state to group. */
    public SortedMap<Integer, Integer> stateForwardingEntries(List<Entity> entities) {
        SortedMap<Integer, Integer> entries = new TreeMap<>();
        int tableId = stateForwardingId();
        for (Entity entity : entities) {
            if (entity.hasTableEntry() && entity.getTableEntry().getTableId() == tableId) {
                TableEntry entry = entity.getTableEntry();
                OptionalLong state = P4Values.parse(entry.getMatch(0).getExact().getValue(), 32);
                OptionalLong group = P4Values.parse(entry.getAction().getAction().getParams(0).getValue(), 32);
                if (state.isPresent() && group.isPresent()) {
                    entries.put((int) state.getAsLong(), (int) group.getAsLong());
                }
            }
        }
        return entries;
    }

    /** The ids of the multicast groups among read entities. */
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
        PacketOut.Builder out = PacketOut.newBuilder().setPayload(ByteString.copyFrom(payload));
        for (CpuHeaders.PacketOut.Field field : CpuHeaders.PacketOut.Field.values()) {
            out.addMetadata(PacketMetadata.newBuilder().setMetadataId(field.id())
                    .setValue(P4Values.canonical(header.get(field))));
        }
        return out.build();
    }

    /** Decodes a packet-in's metadata; empty if a field is missing, too wide or the reason unknown. */
    public static Optional<ReceivedPacket> packetIn(PacketIn packet) {
        long[] values = new long[CpuHeaders.PacketIn.Field.values().length];
        boolean[] seen = new boolean[values.length];
        for (PacketMetadata metadata : packet.getMetadataList()) {
            for (CpuHeaders.PacketIn.Field field : CpuHeaders.PacketIn.Field.values()) {
                if (field.id() == metadata.getMetadataId()) {
                    OptionalLong value = P4Values.parse(metadata.getValue(), field.bitWidth());
                    if (value.isEmpty()) {
                        return Optional.empty();
                    }
                    values[field.ordinal()] = value.getAsLong();
                    seen[field.ordinal()] = true;
                }
            }
        }
        if (!seen[CpuHeaders.PacketIn.Field.INGRESS_PORT.ordinal()] || !seen[CpuHeaders.PacketIn.Field.REASON.ordinal()]) {
            return Optional.empty();
        }
        long code = values[CpuHeaders.PacketIn.Field.REASON.ordinal()];
        for (CpuHeaders.Reason reason : CpuHeaders.Reason.values()) {
            if (reason.code() == code) {
                return Optional.of(new ReceivedPacket(new CpuHeaders.PacketIn(
                        (int) values[CpuHeaders.PacketIn.Field.INGRESS_PORT.ordinal()], reason,
                        (int) values[CpuHeaders.PacketIn.Field.COUNT.ordinal()],
                        values[CpuHeaders.PacketIn.Field.INDEX.ordinal()],
                        values[CpuHeaders.PacketIn.Field.VALUE.ordinal()]), packet.getPayload().toByteArray()));
            }
        }
        return Optional.empty();
    }

    // ---- helpers ------------------------------------------------------------------------------

    private int statePortsId() {
        return id(program.registerId("state_ports"), "register state_ports");
    }

    private int cloneFlagId() {
        return id(program.registerId("clone_flag"), "register clone_flag");
    }

    private int stateForwardingId() {
        return id(program.tableId("state_forwarding"), "table state_forwarding");
    }

    private TableAction action(String alias, long param) {
        return TableAction.newBuilder().setAction(Action.newBuilder()
                .setActionId(id(program.actionId(alias), "action " + alias))
                .addParams(Action.Param.newBuilder().setParamId(1).setValue(P4Values.canonical(param)))).build();
    }

    private int id(Optional<Integer> id, String what) {
        return id.orElseThrow(() -> new IllegalStateException(
                "program " + program.mode().packageName() + " has no " + what));
    }
}
