package io.stare.p4.softswitch;

import io.grpc.Status;
import io.stare.p4.entity.CloneSessionCodec;
import io.stare.p4.entity.Decoded;
import io.stare.p4.entity.Ipv4RouteCodec;
import io.stare.p4.entity.MulticastGroupCodec;
import io.stare.p4.entity.StareEntities;
import io.stare.p4.entity.StateForwardingCodec;
import io.stare.p4.entity.StatePortsCodec;
import io.stare.p4.pipeline.EmbeddedPipeline;
import io.stare.p4.pipeline.Ipv4Lpm;
import io.stare.p4.pipeline.Pipeline;
import io.stare.p4.pipeline.RegisterPipeline;
import io.stare.p4.pipeline.ReplicationEngine;
import io.stare.p4.pipeline.StateGroupTable;
import io.stare.p4.pipeline.WriteResult;
import io.stare.p4.program.P4Values;
import io.stare.p4.program.StareProgram;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import p4.v1.CounterData;
import p4.v1.CounterEntry;
import p4.v1.Entity;
import p4.v1.FieldMatch;
import p4.v1.Index;
import p4.v1.PacketReplicationEngineEntry;
import p4.v1.RegisterEntry;
import p4.v1.TableEntry;
import p4.v1.Update;

/**
 * Applies P4Runtime writes to one pipeline's tables, registers and replication engine, and answers
 * reads of them, for the entities STARE's programs have. Every entity is decoded and encoded by the
 * codecs the switch agent uses too ({@link StareEntities}); this class adds what only a server
 * decides: which updates are allowed, the pipeline's own refusals, read filters. Pure: no gRPC
 * calls, no locking (the caller holds the switch's lock).
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

    private final StareProgram program;
    private final StareEntities entities;
    private final OpaqueFields opaque = new OpaqueFields();

    public RuntimeEntities(StareProgram program) {
        this.program = program;
        this.entities = StareEntities.of(program);
    }

    /** Applies one update to the pipeline. */
    public Outcome apply(Update update, Pipeline pipeline) {
        Update.Type type = update.getType();
        if (type != Update.Type.INSERT && type != Update.Type.MODIFY && type != Update.Type.DELETE) {
            return invalid("update type " + type + " is not INSERT, MODIFY or DELETE");
        }
        Entity entity = update.getEntity();
        return switch (entity.getEntityCase()) {
            case TABLE_ENTRY -> writeTable(type, entity, pipeline);
            case REGISTER_ENTRY -> writeRegister(type, entity, pipeline);
            case PACKET_REPLICATION_ENGINE_ENTRY -> writeReplication(type, entity, pipeline.replication());
            case ENTITY_NOT_SET -> invalid("the update carries no entity");
            default -> new Outcome(Status.Code.UNIMPLEMENTED,
                    "the STARE programs have no " + entity.getEntityCase() + " entities to write");
        };
    }

    /** The entities matching one read filter (wildcards per the specification). */
    public List<Entity> read(Entity filter, Pipeline pipeline) throws ReadException {
        return switch (filter.getEntityCase()) {
            case ENTITY_NOT_SET -> throw new ReadException(Status.Code.INVALID_ARGUMENT, "the read carries an empty entity");
            case TABLE_ENTRY -> readTables(filter.getTableEntry(), pipeline);
            case REGISTER_ENTRY -> readRegisters(filter.getRegisterEntry(), pipeline);
            case COUNTER_ENTRY -> readCounters(filter.getCounterEntry(), pipeline);
            case PACKET_REPLICATION_ENGINE_ENTRY -> readReplication(filter.getPacketReplicationEngineEntry(),
                    pipeline.replication());
            default -> throw new ReadException(Status.Code.UNIMPLEMENTED,
                    "the STARE programs have no " + filter.getEntityCase() + " entities to read");
        };
    }

    // ---- table writes ----------------------------------------------------------------------------

    private Outcome writeTable(Update.Type type, Entity entity, Pipeline pipeline) {
        TableEntry entry = entity.getTableEntry();
        if (entry.getIsConst()) {
            return invalid("is_const is set by the server on entries of const tables; a write must leave it false");
        }
        if (entry.getPriority() != 0) {
            return invalid("priority must be 0: no table of the STARE programs has a ternary, range or optional key");
        }
        if (entry.getIsDefaultAction() && entry.getMatchCount() != 0) {
            return invalid("the default entry has no match key");
        }
        if (entry.getIsDefaultAction() && type != Update.Type.MODIFY) {
            return invalid("the default entry always exists: it can only be modified, not " + type);
        }
        int tableId = entry.getTableId();
        if (pipeline instanceof RegisterPipeline register && tableId == entities.treePorts().tableId()) {
            if (!entry.getIsDefaultAction()) {
                return invalid("tree_ports is keyless: only MODIFY of its default action is allowed");
            }
            return apply(entities.treePorts().decode(entity), mask -> {
                register.setTreePorts(mask);
                return WriteResult.DONE;
            });
        }
        if (tableId == entities.ipv4Routes().tableId()) {
            return writeRoute(type, entity, pipeline.ipv4Lpm());
        }
        if (pipeline instanceof EmbeddedPipeline embedded && tableId == entities.stateForwarding().tableId()) {
            return writeStateForwarding(type, entity, embedded.stateForwarding());
        }
        return new Outcome(Status.Code.NOT_FOUND, "no table with id " + tableId + " in " + program.mode().packageName());
    }

    private Outcome writeRoute(Update.Type type, Entity entity, Ipv4Lpm lpm) {
        Ipv4RouteCodec codec = entities.ipv4Routes();
        if (entity.getTableEntry().getIsDefaultAction()) {
            return modifyFixedDefault(entity.getTableEntry(), "ipv4_lpm", codec.defaultActionId(), "drop_no_route");
        }
        Decoded<Ipv4RouteCodec.Prefix> key = codec.decodeKey(entity);
        if (key instanceof Decoded.Refused<Ipv4RouteCodec.Prefix> refused) {
            return outcome(refused);
        }
        Ipv4RouteCodec.Prefix decoded = key.orElseThrow();
        Ipv4Lpm.Prefix prefix;
        try {
            prefix = new Ipv4Lpm.Prefix(decoded.address(), decoded.prefixLength());
        } catch (IllegalArgumentException e) {
            return invalid(e.getMessage());
        }
        List<FieldMatch> canonicalKey = codec.encode(new Ipv4RouteCodec.Route(decoded.address(),
                decoded.prefixLength(), OptionalInt.empty())).getTableEntry().getMatchList();
        if (type == Update.Type.DELETE) {
            return deleted(codec.tableId(), canonicalKey, outcome(lpm.delete(prefix)));
        }
        return written(entity, canonicalKey, apply(codec.decode(entity), route -> {
            Ipv4Lpm.Action action = route.port().isPresent()
                    ? new Ipv4Lpm.Forward(route.port().getAsInt()) : new Ipv4Lpm.Drop();
            return type == Update.Type.INSERT ? lpm.insert(prefix, action) : lpm.modify(prefix, action);
        }));
    }

    private Outcome writeStateForwarding(Update.Type type, Entity entity, StateGroupTable table) {
        StateForwardingCodec codec = entities.stateForwarding();
        if (entity.getTableEntry().getIsDefaultAction()) {
            return modifyFixedDefault(entity.getTableEntry(), "state_forwarding", codec.defaultActionId(),
                    "drop_no_subscriber");
        }
        Decoded<Integer> key = codec.decodeKey(entity);
        if (key instanceof Decoded.Refused<Integer> refused) {
            return outcome(refused);
        }
        int state = key.orElseThrow();
        List<FieldMatch> canonicalKey = codec.keyOf(state).getTableEntry().getMatchList();
        if (type == Update.Type.DELETE) {
            return deleted(codec.tableId(), canonicalKey, outcome(table.delete(state)));
        }
        return written(entity, canonicalKey, apply(codec.decode(entity), decoded -> {
            int group = decoded.group().orElse(StateGroupTable.DROP);
            return type == Update.Type.INSERT ? table.insert(state, group) : table.modify(state, group);
        }));
    }

    /**
     * MODIFY of a default entry the software switch keeps fixed: accepted when it leaves it as the
     * program declares it (that action, or no action: a reset), refused otherwise.
     */
    private static Outcome modifyFixedDefault(TableEntry entry, String table, int defaultActionId, String defaultName) {
        boolean reset = !entry.getAction().hasAction();
        if (reset || entry.getAction().getAction().getActionId() == defaultActionId
                && entry.getAction().getAction().getParamsCount() == 0) {
            return Outcome.OK;
        }
        return new Outcome(Status.Code.UNIMPLEMENTED, "the software switch keeps the default action of " + table
                + " as the program declares it (" + defaultName + ")");
    }

    private Outcome written(Entity entity, List<FieldMatch> canonicalKey, Outcome outcome) {
        if (outcome.ok()) {
            opaque.entryWritten(entity.getTableEntry().toBuilder().clearMatch().addAllMatch(canonicalKey).build());
        }
        return outcome;
    }

    private Outcome deleted(int tableId, List<FieldMatch> canonicalKey, Outcome outcome) {
        if (outcome.ok()) {
            opaque.entryDeleted(tableId, canonicalKey);
        }
        return outcome;
    }

    // ---- register writes ------------------------------------------------------------------------

    private Outcome writeRegister(Update.Type type, Entity entity, Pipeline pipeline) {
        int registerId = entity.getRegisterEntry().getRegisterId();
        if (!(pipeline instanceof RegisterPipeline register)
                || registerId != entities.statePorts().registerId() && registerId != entities.cloneFlag().registerId()) {
            return new Outcome(Status.Code.NOT_FOUND, "no register with id " + registerId);
        }
        if (type != Update.Type.MODIFY) {
            return invalid("register cells can only be modified, not " + type);
        }
        if (registerId == entities.statePorts().registerId()) {
            return apply(entities.statePorts().decode(entity), cell -> {
                register.statePorts().write(cell.stateId(), cell.mask());
                return WriteResult.DONE;
            });
        }
        return apply(entities.cloneFlag().decode(entity), set -> {
            register.setCloneFlag(set);
            return WriteResult.DONE;
        });
    }

    // ---- replication engine writes --------------------------------------------------------------

    private Outcome writeReplication(Update.Type type, Entity entity, ReplicationEngine pre) {
        PacketReplicationEngineEntry entry = entity.getPacketReplicationEngineEntry();
        if (entry.hasMulticastGroupEntry()) {
            MulticastGroupCodec codec = StareEntities.multicastGroups();
            if (type == Update.Type.DELETE) {
                Decoded<Integer> id = codec.decodeId(entity);
                Outcome outcome = apply(id, pre::deleteGroup);
                if (outcome.ok()) {
                    opaque.groupDeleted(id.orElseThrow());
                }
                return outcome;
            }
            Outcome outcome = apply(codec.decode(entity), group -> {
                List<ReplicationEngine.Replica> replicas = group.copies().stream()
                        .map(c -> new ReplicationEngine.Replica(c.port(), c.instance())).toList();
                return type == Update.Type.INSERT
                        ? pre.insertGroup(group.groupId(), replicas) : pre.modifyGroup(group.groupId(), replicas);
            });
            if (outcome.ok()) {
                opaque.groupWritten(entry.getMulticastGroupEntry().getMulticastGroupId(),
                        entry.getMulticastGroupEntry().getMetadata());
            }
            return outcome;
        }
        if (entry.hasCloneSessionEntry()) {
            CloneSessionCodec codec = StareEntities.cloneSessions();
            if (type == Update.Type.DELETE) {
                Decoded<Integer> id = codec.decodeId(entity);
                Outcome outcome = apply(id, pre::deleteCloneSession);
                if (outcome.ok()) {
                    opaque.cloneSessionDeleted(id.orElseThrow());
                }
                return outcome;
            }
            Decoded<CloneSessionCodec.Session> session = codec.decode(entity);
            Outcome outcome = apply(session, s -> type == Update.Type.INSERT
                    ? pre.insertCloneSession(s.sessionId(), s.port()) : pre.modifyCloneSession(s.sessionId(), s.port()));
            if (outcome.ok()) {
                opaque.cloneSessionWritten(session.orElseThrow().sessionId(), session.orElseThrow().classOfService());
            }
            return outcome;
        }
        return invalid("the replication engine entry is neither a multicast group nor a clone session");
    }

    // ---- reads ----------------------------------------------------------------------------------

    private List<Entity> readTables(TableEntry filter, Pipeline pipeline) throws ReadException {
        int tableId = filter.getTableId();
        boolean all = tableId == 0;
        if (!all && program.p4Info().getTablesList().stream().noneMatch(t -> t.getPreamble().getId() == tableId)) {
            throw new ReadException(Status.Code.NOT_FOUND, "no table with id " + tableId);
        }
        if (all && filter.getMatchCount() != 0) {
            throw new ReadException(Status.Code.INVALID_ARGUMENT, "a match key needs a table id");
        }
        List<FieldMatch> key = canonicalMatch(filter.getMatchList());
        boolean register = pipeline instanceof RegisterPipeline;
        List<Entity> candidates = new ArrayList<>();
        if (filter.getIsDefaultAction()) {
            // Only the default entries, as the specification says; each table has exactly one.
            if (pipeline instanceof RegisterPipeline registers && (all || tableId == entities.treePorts().tableId())) {
                candidates.add(entities.treePorts().encode(registers.treePorts()));
            }
            if (all || tableId == entities.ipv4Routes().tableId()) {
                candidates.add(entities.ipv4Routes().defaultEntry());
            }
            if (!register && (all || tableId == entities.stateForwarding().tableId())) {
                candidates.add(entities.stateForwarding().defaultEntry());
            }
        } else {
            if (all || tableId == entities.ipv4Routes().tableId()) {
                for (Map.Entry<Ipv4Lpm.Prefix, Ipv4Lpm.Action> e : pipeline.ipv4Lpm().entries().entrySet()) {
                    OptionalInt port = e.getValue() instanceof Ipv4Lpm.Forward forward
                            ? OptionalInt.of(forward.port()) : OptionalInt.empty();
                    candidates.add(entities.ipv4Routes().encode(
                            new Ipv4RouteCodec.Route(e.getKey().address(), e.getKey().length(), port)));
                }
            }
            if (pipeline instanceof EmbeddedPipeline embedded && (all || tableId == entities.stateForwarding().tableId())) {
                for (Map.Entry<Integer, Integer> e : embedded.stateForwarding().entries().entrySet()) {
                    candidates.add(entities.stateForwarding().encode(new StateForwardingCodec.Entry(e.getKey(),
                            e.getValue() == StateGroupTable.DROP ? OptionalInt.empty() : OptionalInt.of(e.getValue()))));
                }
            }
        }
        List<Entity> out = new ArrayList<>();
        for (Entity candidate : candidates) {
            TableEntry entry = filter.getIsDefaultAction() ? candidate.getTableEntry()
                    : opaque.restore(candidate.getTableEntry().toBuilder()).build();
            if (selects(filter, key, entry)) {
                out.add(Entity.newBuilder().setTableEntry(entry).build());
            }
        }
        return out;
    }

    /** Whether a read filter selects an entry: by match key, action, priority and metadata, each when set. */
    @SuppressWarnings("deprecation") // controller_metadata: a filter may still name it
    private static boolean selects(TableEntry filter, List<FieldMatch> key, TableEntry entry) {
        return (key.isEmpty() || key.equals(entry.getMatchList()))
                && (!filter.getAction().hasAction()
                        || filter.getAction().getAction().getActionId() == entry.getAction().getAction().getActionId())
                && (filter.getPriority() == 0 || filter.getPriority() == entry.getPriority())
                && (filter.getControllerMetadata() == 0 || filter.getControllerMetadata() == entry.getControllerMetadata())
                && (filter.getMetadata().isEmpty() || filter.getMetadata().equals(entry.getMetadata()));
    }

    /**
     * A read filter's match key in the form reads return it (canonical binary strings), so that a key
     * given padded finds the same entry.
     */
    private static List<FieldMatch> canonicalMatch(List<FieldMatch> match) throws ReadException {
        List<FieldMatch> out = new ArrayList<>();
        for (FieldMatch field : match) {
            FieldMatch.Builder canonical = FieldMatch.newBuilder().setFieldId(field.getFieldId());
            OptionalLong value = switch (field.getFieldMatchTypeCase()) {
                case EXACT -> P4Values.parse(field.getExact().getValue(), 63);
                case LPM -> P4Values.parse(field.getLpm().getValue(), 63);
                default -> OptionalLong.empty();
            };
            if (value.isEmpty()) {
                throw new ReadException(Status.Code.INVALID_ARGUMENT,
                        "the read's match key is malformed: the STARE programs' keys are exact or LPM binary strings");
            }
            if (field.hasExact()) {
                canonical.setExact(FieldMatch.Exact.newBuilder().setValue(P4Values.canonical(value.getAsLong())));
            } else {
                canonical.setLpm(FieldMatch.LPM.newBuilder().setValue(P4Values.canonical(value.getAsLong()))
                        .setPrefixLen(field.getLpm().getPrefixLen()));
            }
            out.add(canonical.build());
        }
        return out;
    }

    private List<Entity> readRegisters(RegisterEntry filter, Pipeline pipeline) throws ReadException {
        int id = filter.getRegisterId();
        if (!(pipeline instanceof RegisterPipeline register)) {
            if (id == 0) {
                return List.of();
            }
            throw new ReadException(Status.Code.NOT_FOUND, "no register with id " + id);
        }
        StatePortsCodec statePorts = entities.statePorts();
        int cloneFlagId = entities.cloneFlag().registerId();
        if (id != 0 && id != statePorts.registerId() && id != cloneFlagId) {
            throw new ReadException(Status.Code.NOT_FOUND, "no register with id " + id);
        }
        List<Entity> out = new ArrayList<>();
        if (id == 0 || id == statePorts.registerId()) {
            if (filter.hasIndex()) {
                Decoded<Integer> index = statePorts.index(filter);
                if (index instanceof Decoded.Refused<Integer> refused) {
                    throw new ReadException(refused.code(), refused.message());
                }
                int cell = index.orElseThrow();
                out.add(statePorts.encode(new StatePortsCodec.Cell(cell, register.statePorts().read(cell))));
            } else {
                for (int i = 0; i < register.statePorts().capacity(); i++) {
                    out.add(statePorts.encode(new StatePortsCodec.Cell(i, register.statePorts().read(i))));
                }
            }
        }
        if (id == 0 || id == cloneFlagId) {
            if (filter.hasIndex() && filter.getIndex().getIndex() != 0) {
                throw new ReadException(Status.Code.OUT_OF_RANGE, "clone_flag has only index 0");
            }
            out.add(entities.cloneFlag().encode(register.cloneFlag()));
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

    private List<Entity> readReplication(PacketReplicationEngineEntry filter, ReplicationEngine pre) {
        List<Entity> out = new ArrayList<>();
        boolean both = filter.getTypeCase() == PacketReplicationEngineEntry.TypeCase.TYPE_NOT_SET;
        if (both || filter.hasMulticastGroupEntry()) {
            int wanted = filter.getMulticastGroupEntry().getMulticastGroupId();
            pre.groups().forEach((id, replicas) -> {
                if (wanted == 0 || wanted == id) {
                    Entity group = StareEntities.multicastGroups().encode(new MulticastGroupCodec.Group(id,
                            replicas.stream().map(r -> new MulticastGroupCodec.Copy(r.port(), r.instance())).toList()));
                    PacketReplicationEngineEntry.Builder entry = group.getPacketReplicationEngineEntry().toBuilder();
                    entry.getMulticastGroupEntryBuilder().setMetadata(opaque.groupMetadata(id));
                    out.add(Entity.newBuilder().setPacketReplicationEngineEntry(entry).build());
                }
            });
        }
        if (both || filter.hasCloneSessionEntry()) {
            int wanted = filter.getCloneSessionEntry().getSessionId();
            pre.cloneSessions().forEach((id, port) -> {
                if (wanted == 0 || wanted == id) {
                    out.add(StareEntities.cloneSessions().encode(
                            new CloneSessionCodec.Session(id, port, opaque.classOfService(id))));
                }
            });
        }
        return out;
    }

    // ---- outcomes -------------------------------------------------------------------------------

    /** Applies a decoded value to the pipeline, or passes the decoder's refusal on. */
    private static <T> Outcome apply(Decoded<T> decoded, java.util.function.Function<T, WriteResult> write) {
        if (decoded instanceof Decoded.Refused<T> refused) {
            return outcome(refused);
        }
        try {
            return outcome(write.apply(decoded.orElseThrow()));
        } catch (IllegalArgumentException e) {
            return invalid(e.getMessage());
        }
    }

    private static Outcome outcome(Decoded.Refused<?> refused) {
        return new Outcome(refused.code(), refused.message());
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
