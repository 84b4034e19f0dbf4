package io.stare.p4.softswitch;

import io.grpc.Status;
import io.stare.p4.pipeline.EmbeddedPipeline;
import io.stare.p4.pipeline.Ipv4Lpm;
import io.stare.p4.pipeline.Pipeline;
import io.stare.p4.pipeline.RegisterPipeline;
import io.stare.p4.pipeline.ReplicationEngine;
import io.stare.p4.pipeline.WriteResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import p4.v1.Action;
import p4.v1.CloneSessionEntry;
import p4.v1.CounterData;
import p4.v1.CounterEntry;
import p4.v1.Entity;
import p4.v1.FieldMatch;
import p4.v1.Index;
import p4.v1.MulticastGroupEntry;
import p4.v1.P4Data;
import p4.v1.PacketReplicationEngineEntry;
import p4.v1.RegisterEntry;
import p4.v1.Replica;
import p4.v1.TableAction;
import p4.v1.TableEntry;
import p4.v1.Update;

/**
 * Translates P4Runtime entities to and from one pipeline's tables, registers, counters and
 * replication engine, for the entities STARE's programs have. Pure: no gRPC calls, no locking
 * (the caller holds the switch's lock).
 *
 * <p>Error codes follow the P4Runtime specification: an unknown table, register or counter id is
 * NOT_FOUND; inserting what exists ALREADY_EXISTS; modifying or deleting what does not exist
 * NOT_FOUND; a malformed entity, a value wider than its field, or INSERT/DELETE of a register
 * cell INVALID_ARGUMENT; entity kinds the programs do not have UNIMPLEMENTED.
 */
public final class RuntimeEntities {

    /** The outcome of one update: OK, or a status code with a message. */
    public record Outcome(Status.Code code, String message) {
        static final Outcome OK = new Outcome(Status.Code.OK, "");

        public boolean ok() {
            return code == Status.Code.OK;
        }
    }

    private static final int PORT_BITS = 9;
    private static final int GROUP_BITS = 16;
    private static final int STATE_BITS = 22;

    private final StareProgram program;

    public RuntimeEntities(StareProgram program) {
        this.program = program;
    }

    /** Applies one update to the pipeline. */
    public Outcome apply(Update update, Pipeline pipeline) {
        Update.Type type = update.getType();
        if (type != Update.Type.INSERT && type != Update.Type.MODIFY && type != Update.Type.DELETE) {
            return invalid("update type " + type + " is not INSERT, MODIFY or DELETE");
        }
        Entity entity = update.getEntity();
        return switch (entity.getEntityCase()) {
            case TABLE_ENTRY -> writeTable(type, entity.getTableEntry(), pipeline);
            case REGISTER_ENTRY -> writeRegister(type, entity.getRegisterEntry(), pipeline);
            case PACKET_REPLICATION_ENGINE_ENTRY -> writeReplication(type, entity.getPacketReplicationEngineEntry(),
                    pipeline.replication());
            case ENTITY_NOT_SET -> invalid("the update carries no entity");
            default -> new Outcome(Status.Code.UNIMPLEMENTED,
                    "the STARE programs have no " + entity.getEntityCase() + " entities to write");
        };
    }

    /** The entities matching one read filter (wildcards per the specification). */
    public List<Entity> read(Entity filter, Pipeline pipeline) throws ReadException {
        return switch (filter.getEntityCase()) {
            case TABLE_ENTRY -> readTables(filter.getTableEntry(), pipeline);
            case REGISTER_ENTRY -> readRegisters(filter.getRegisterEntry(), pipeline);
            case COUNTER_ENTRY -> readCounters(filter.getCounterEntry(), pipeline);
            case PACKET_REPLICATION_ENGINE_ENTRY -> readReplication(filter.getPacketReplicationEngineEntry(),
                    pipeline.replication());
            default -> throw new ReadException(Status.Code.UNIMPLEMENTED,
                    "the STARE programs have no " + filter.getEntityCase() + " entities to read");
        };
    }

    /** A read filter that cannot be served. */
    public static final class ReadException extends Exception {
        private final Status.Code code;

        public ReadException(Status.Code code, String message) {
            super(message);
            this.code = code;
        }

        public Status.Code code() {
            return code;
        }
    }

    // ---- tables ------------------------------------------------------------------------------

    private Outcome writeTable(Update.Type type, TableEntry entry, Pipeline pipeline) {
        int tableId = entry.getTableId();
        if (matches(tableId, "tree_ports")) {
            return writeTreePorts(type, entry, (RegisterPipeline) pipeline);
        }
        if (matches(tableId, "ipv4_lpm")) {
            return writeLpm(type, entry, pipeline.ipv4Lpm());
        }
        if (matches(tableId, "state_forwarding")) {
            return writeStateForwarding(type, entry, (EmbeddedPipeline) pipeline);
        }
        return new Outcome(Status.Code.NOT_FOUND, "no table with id " + tableId + " in " + program.mode().packageName());
    }

    private Outcome writeTreePorts(Update.Type type, TableEntry entry, RegisterPipeline pipeline) {
        if (type != Update.Type.MODIFY || !entry.getIsDefaultAction()) {
            return invalid("tree_ports is keyless: only MODIFY of its default action is allowed");
        }
        Optional<Long> mask = actionParam(entry, "set_tree_ports", pipeline.portCount());
        if (mask.isEmpty()) {
            return invalid("tree_ports takes set_tree_ports(mask) with a mask of " + pipeline.portCount() + " bits");
        }
        pipeline.setTreePorts(mask.get());
        return Outcome.OK;
    }

    private Outcome writeLpm(Update.Type type, TableEntry entry, Ipv4Lpm lpm) {
        if (entry.getIsDefaultAction()) {
            return new Outcome(Status.Code.UNIMPLEMENTED, "the default action of ipv4_lpm is fixed (drop_no_route)");
        }
        if (entry.getMatchCount() != 1 || entry.getMatch(0).getFieldId() != 1 || !entry.getMatch(0).hasLpm()) {
            return invalid("ipv4_lpm needs one LPM match on field 1 (hdr.ipv4.dst_addr)");
        }
        FieldMatch.LPM match = entry.getMatch(0).getLpm();
        OptionalLong address = P4Values.parse(match.getValue(), 32);
        if (address.isEmpty() || match.getPrefixLen() < 1 || match.getPrefixLen() > 32) {
            return invalid("ipv4_lpm match needs a 32-bit address and a prefix length 1..32");
        }
        Ipv4Lpm.Prefix prefix;
        try {
            prefix = new Ipv4Lpm.Prefix((int) address.getAsLong(), match.getPrefixLen());
        } catch (IllegalArgumentException e) {
            return invalid(e.getMessage());
        }
        if (type == Update.Type.DELETE) {
            return outcome(lpm.delete(prefix));
        }
        Ipv4Lpm.Action action;
        Optional<Long> port = actionParam(entry, "forward", PORT_BITS);
        if (port.isPresent()) {
            action = new Ipv4Lpm.Forward(port.get().intValue());
        } else if (isAction(entry, "drop_no_route")) {
            action = new Ipv4Lpm.Drop();
        } else {
            return invalid("ipv4_lpm takes forward(port) or drop_no_route()");
        }
        return outcome(type == Update.Type.INSERT ? lpm.insert(prefix, action) : lpm.modify(prefix, action));
    }

    private Outcome writeStateForwarding(Update.Type type, TableEntry entry, EmbeddedPipeline pipeline) {
        if (entry.getIsDefaultAction()) {
            return new Outcome(Status.Code.UNIMPLEMENTED,
                    "the default action of state_forwarding is fixed (drop_no_subscriber)");
        }
        if (entry.getMatchCount() != 1 || entry.getMatch(0).getFieldId() != 1 || !entry.getMatch(0).hasExact()) {
            return invalid("state_forwarding needs one exact match on field 1 (hdr.stare.state_id)");
        }
        OptionalLong state = P4Values.parse(entry.getMatch(0).getExact().getValue(), STATE_BITS);
        if (state.isEmpty()) {
            return invalid("state_forwarding match needs a 22-bit state ID");
        }
        int stateId = (int) state.getAsLong();
        if (type == Update.Type.DELETE) {
            return outcome(pipeline.stateForwarding().delete(stateId));
        }
        Optional<Long> group = actionParam(entry, "set_group", GROUP_BITS);
        if (group.isEmpty()) {
            return invalid("state_forwarding takes set_group(group) with a 16-bit group");
        }
        int groupId = group.get().intValue();
        return outcome(type == Update.Type.INSERT
                ? pipeline.stateForwarding().insert(stateId, groupId)
                : pipeline.stateForwarding().modify(stateId, groupId));
    }

    private List<Entity> readTables(TableEntry filter, Pipeline pipeline) throws ReadException {
        int tableId = filter.getTableId();
        List<Entity> out = new ArrayList<>();
        boolean all = tableId == 0;
        if (!all && program.p4Info().getTablesList().stream().noneMatch(t -> t.getPreamble().getId() == tableId)) {
            throw new ReadException(Status.Code.NOT_FOUND, "no table with id " + tableId);
        }
        // Default entries are read only when asked for (is_default_action), as the spec says.
        if ((all || matches(tableId, "tree_ports")) && filter.getIsDefaultAction()
                && pipeline instanceof RegisterPipeline register) {
            out.add(table(TableEntry.newBuilder().setTableId(program.tableId("tree_ports").orElseThrow())
                    .setIsDefaultAction(true)
                    .setAction(action("set_tree_ports", register.treePorts()))));
        }
        if ((all || matches(tableId, "ipv4_lpm")) && !filter.getIsDefaultAction()) {
            int lpmId = program.tableId("ipv4_lpm").orElseThrow();
            for (Map.Entry<Ipv4Lpm.Prefix, Ipv4Lpm.Action> e : pipeline.ipv4Lpm().entries().entrySet()) {
                TableAction action = e.getValue() instanceof Ipv4Lpm.Forward forward
                        ? action("forward", forward.port())
                        : TableAction.newBuilder().setAction(Action.newBuilder()
                                .setActionId(program.actionId("drop_no_route").orElseThrow())).build();
                out.add(table(TableEntry.newBuilder().setTableId(lpmId)
                        .addMatch(FieldMatch.newBuilder().setFieldId(1).setLpm(FieldMatch.LPM.newBuilder()
                                .setValue(P4Values.canonical(Integer.toUnsignedLong(e.getKey().address())))
                                .setPrefixLen(e.getKey().length())))
                        .setAction(action)));
            }
        }
        if ((all || matches(tableId, "state_forwarding")) && pipeline instanceof EmbeddedPipeline embedded
                && !filter.getIsDefaultAction()) {
            int tid = program.tableId("state_forwarding").orElseThrow();
            for (Map.Entry<Integer, Integer> e : embedded.stateForwarding().entries().entrySet()) {
                out.add(table(TableEntry.newBuilder().setTableId(tid)
                        .addMatch(FieldMatch.newBuilder().setFieldId(1)
                                .setExact(FieldMatch.Exact.newBuilder().setValue(P4Values.canonical(e.getKey()))))
                        .setAction(action("set_group", e.getValue()))));
            }
        }
        return out;
    }

    // ---- registers and counters ---------------------------------------------------------------

    private Outcome writeRegister(Update.Type type, RegisterEntry entry, Pipeline pipeline) {
        int registerId = entry.getRegisterId();
        boolean statePorts = matchesRegister(registerId, "state_ports");
        boolean cloneFlag = matchesRegister(registerId, "clone_flag");
        if (!statePorts && !cloneFlag) {
            return new Outcome(Status.Code.NOT_FOUND, "no register with id " + registerId);
        }
        if (type != Update.Type.MODIFY) {
            return invalid("register cells can only be modified, not " + type);
        }
        if (!entry.hasIndex()) {
            return invalid("a register write needs an index");
        }
        long index = entry.getIndex().getIndex();
        if (index < 0 || index >= program.registerSize(registerId)) {
            return new Outcome(Status.Code.OUT_OF_RANGE,
                    "index " + index + " is outside 0.." + (program.registerSize(registerId) - 1));
        }
        OptionalLong value = entry.getData().hasBitstring()
                ? P4Values.parse(entry.getData().getBitstring(), program.registerWidth(registerId))
                : OptionalLong.empty();
        if (value.isEmpty()) {
            return invalid("register data must be a bitstring of at most " + program.registerWidth(registerId)
                    + " bits");
        }
        RegisterPipeline register = (RegisterPipeline) pipeline;
        if (statePorts) {
            register.statePorts().write((int) index, value.getAsLong());
        } else {
            register.setCloneFlag(value.getAsLong() == 1);
        }
        return Outcome.OK;
    }

    private List<Entity> readRegisters(RegisterEntry filter, Pipeline pipeline) throws ReadException {
        if (!(pipeline instanceof RegisterPipeline register)) {
            if (filter.getRegisterId() == 0) {
                return List.of();
            }
            throw new ReadException(Status.Code.NOT_FOUND, "no register with id " + filter.getRegisterId());
        }
        List<Entity> out = new ArrayList<>();
        int statePortsId = program.registerId("state_ports").orElseThrow();
        int cloneFlagId = program.registerId("clone_flag").orElseThrow();
        int id = filter.getRegisterId();
        if (id != 0 && id != statePortsId && id != cloneFlagId) {
            throw new ReadException(Status.Code.NOT_FOUND, "no register with id " + id);
        }
        if (id == 0 || id == statePortsId) {
            int capacity = register.statePorts().capacity();
            if (filter.hasIndex()) {
                long index = filter.getIndex().getIndex();
                if (index < 0 || index >= capacity) {
                    throw new ReadException(Status.Code.OUT_OF_RANGE,
                            "index " + index + " is outside 0.." + (capacity - 1));
                }
                out.add(registerCell(statePortsId, index, register.statePorts().read((int) index)));
            } else {
                for (int i = 0; i < capacity; i++) {
                    out.add(registerCell(statePortsId, i, register.statePorts().read(i)));
                }
            }
        }
        if (id == 0 || id == cloneFlagId) {
            if (filter.hasIndex() && filter.getIndex().getIndex() != 0) {
                throw new ReadException(Status.Code.OUT_OF_RANGE, "clone_flag has only index 0");
            }
            out.add(registerCell(cloneFlagId, 0, register.cloneFlag() ? 1 : 0));
        }
        return out;
    }

    private List<Entity> readCounters(CounterEntry filter, Pipeline pipeline) throws ReadException {
        int dropsId = program.counterId("drops").orElseThrow();
        if (filter.getCounterId() != 0 && filter.getCounterId() != dropsId) {
            throw new ReadException(Status.Code.NOT_FOUND, "no counter with id " + filter.getCounterId());
        }
        long[] counts = pipeline.drops().snapshot();
        List<Entity> out = new ArrayList<>();
        for (int i = 0; i < counts.length; i++) {
            if (filter.hasIndex() && filter.getIndex().getIndex() != i) {
                continue;
            }
            out.add(Entity.newBuilder().setCounterEntry(CounterEntry.newBuilder().setCounterId(dropsId)
                    .setIndex(Index.newBuilder().setIndex(i))
                    .setData(CounterData.newBuilder().setPacketCount(counts[i]))).build());
        }
        return out;
    }

    // ---- packet replication engine ------------------------------------------------------------

    private Outcome writeReplication(Update.Type type, PacketReplicationEngineEntry entry, ReplicationEngine pre) {
        switch (entry.getTypeCase()) {
            case MULTICAST_GROUP_ENTRY -> {
                MulticastGroupEntry group = entry.getMulticastGroupEntry();
                int id = group.getMulticastGroupId();
                if (id == 0) {
                    return invalid("multicast group id 0 is reserved");
                }
                if (type == Update.Type.DELETE) {
                    return outcome(pre.deleteGroup(id));
                }
                List<ReplicationEngine.Replica> replicas = new ArrayList<>();
                for (Replica replica : group.getReplicasList()) {
                    OptionalLong port = port(replica);
                    if (port.isEmpty()) {
                        return invalid("replica of group " + id + " has no valid port");
                    }
                    replicas.add(new ReplicationEngine.Replica((int) port.getAsLong(), replica.getInstance()));
                }
                try {
                    return outcome(type == Update.Type.INSERT ? pre.insertGroup(id, replicas) : pre.modifyGroup(id, replicas));
                } catch (IllegalArgumentException e) {
                    return invalid(e.getMessage());
                }
            }
            case CLONE_SESSION_ENTRY -> {
                CloneSessionEntry session = entry.getCloneSessionEntry();
                int id = session.getSessionId();
                if (type == Update.Type.DELETE) {
                    return outcome(pre.deleteCloneSession(id));
                }
                if (session.getReplicasCount() != 1) {
                    return invalid("a clone session of the software switch has exactly one replica");
                }
                OptionalLong port = port(session.getReplicas(0));
                if (port.isEmpty()) {
                    return invalid("clone session " + id + " has no valid port");
                }
                return outcome(type == Update.Type.INSERT
                        ? pre.insertCloneSession(id, (int) port.getAsLong())
                        : pre.modifyCloneSession(id, (int) port.getAsLong()));
            }
            default -> {
                return invalid("the replication engine entry is neither a multicast group nor a clone session");
            }
        }
    }

    private List<Entity> readReplication(PacketReplicationEngineEntry filter, ReplicationEngine pre) {
        List<Entity> out = new ArrayList<>();
        switch (filter.getTypeCase()) {
            case MULTICAST_GROUP_ENTRY -> {
                int wanted = filter.getMulticastGroupEntry().getMulticastGroupId();
                pre.groups().forEach((id, replicas) -> {
                    if (wanted == 0 || wanted == id) {
                        MulticastGroupEntry.Builder group = MulticastGroupEntry.newBuilder().setMulticastGroupId(id);
                        replicas.forEach(r -> group.addReplicas(
                                Replica.newBuilder().setEgressPort(r.port()).setInstance(r.instance())));
                        out.add(pre(PacketReplicationEngineEntry.newBuilder().setMulticastGroupEntry(group)));
                    }
                });
            }
            case CLONE_SESSION_ENTRY -> {
                int wanted = filter.getCloneSessionEntry().getSessionId();
                pre.cloneSessions().forEach((id, port) -> {
                    if (wanted == 0 || wanted == id) {
                        out.add(pre(PacketReplicationEngineEntry.newBuilder().setCloneSessionEntry(
                                CloneSessionEntry.newBuilder().setSessionId(id)
                                        .addReplicas(Replica.newBuilder().setEgressPort(port).setInstance(0)))));
                    }
                });
            }
            default -> {
                // An empty filter reads both kinds.
                out.addAll(readReplication(PacketReplicationEngineEntry.newBuilder()
                        .setMulticastGroupEntry(MulticastGroupEntry.getDefaultInstance()).build(), pre));
                out.addAll(readReplication(PacketReplicationEngineEntry.newBuilder()
                        .setCloneSessionEntry(CloneSessionEntry.getDefaultInstance()).build(), pre));
            }
        }
        return out;
    }

    // ---- helpers ------------------------------------------------------------------------------

    private boolean matches(int tableId, String alias) {
        return program.tableId(alias).map(id -> id == tableId).orElse(false);
    }

    private boolean matchesRegister(int registerId, String alias) {
        return program.registerId(alias).map(id -> id == registerId).orElse(false);
    }

    private boolean isAction(TableEntry entry, String alias) {
        return entry.getAction().hasAction()
                && program.actionId(alias).map(id -> id == entry.getAction().getAction().getActionId()).orElse(false);
    }

    /** The single parameter of {@code alias} if the entry's action is it and the value fits. */
    private Optional<Long> actionParam(TableEntry entry, String alias, int bitWidth) {
        if (!isAction(entry, alias)) {
            return Optional.empty();
        }
        Action action = entry.getAction().getAction();
        if (action.getParamsCount() != 1 || action.getParams(0).getParamId() != 1) {
            return Optional.empty();
        }
        OptionalLong value = P4Values.parse(action.getParams(0).getValue(), bitWidth);
        return value.isPresent() ? Optional.of(value.getAsLong()) : Optional.empty();
    }

    private TableAction action(String alias, long param) {
        return TableAction.newBuilder().setAction(Action.newBuilder()
                .setActionId(program.actionId(alias).orElseThrow())
                .addParams(Action.Param.newBuilder().setParamId(1).setValue(P4Values.canonical(param)))).build();
    }

    private static OptionalLong port(Replica replica) {
        return switch (replica.getPortKindCase()) {
            case EGRESS_PORT -> OptionalLong.of(replica.getEgressPort());
            case PORT -> P4Values.parse(replica.getPort(), 32);
            default -> OptionalLong.empty();
        };
    }

    private static Entity table(TableEntry.Builder entry) {
        return Entity.newBuilder().setTableEntry(entry).build();
    }

    private static Entity pre(PacketReplicationEngineEntry.Builder entry) {
        return Entity.newBuilder().setPacketReplicationEngineEntry(entry).build();
    }

    private static Entity registerCell(int registerId, long index, long value) {
        return Entity.newBuilder().setRegisterEntry(RegisterEntry.newBuilder().setRegisterId(registerId)
                .setIndex(Index.newBuilder().setIndex(index))
                .setData(P4Data.newBuilder().setBitstring(P4Values.canonical(value)))).build();
    }

    private static Outcome outcome(WriteResult result) {
        if (result instanceof WriteResult.Refused refused) {
            return new Outcome(Status.Code.valueOf(refused.reason().name()), refused.detail());
        }
        return Outcome.OK;
    }

    private static Outcome invalid(String message) {
        return new Outcome(Status.Code.INVALID_ARGUMENT, message);
    }
}
