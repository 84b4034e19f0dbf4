package io.stare.p4.bmv2;

import static io.stare.p4.bmv2.P4RuntimeController.DEVICE_ID;
import static io.stare.p4.bmv2.P4RuntimeController.await;
import static io.stare.p4.bmv2.P4RuntimeController.failure;
import static io.stare.p4.bmv2.P4RuntimeController.writeErrorCode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.stare.p4.pipeline.CpuHeaders;
import io.stare.p4.pipeline.PipelineResult;
import io.stare.p4.runtime.Uint128s;
import io.stare.p4.program.P4Values;
import io.stare.p4.program.StareProgram;
import io.stare.p4.program.StarePrograms;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import p4.v1.Action;
import p4.v1.CloneSessionEntry;
import p4.v1.Entity;
import p4.v1.FieldMatch;
import p4.v1.ForwardingPipelineConfig;
import p4.v1.GetForwardingPipelineConfigRequest;
import p4.v1.MasterArbitrationUpdate;
import p4.v1.MulticastGroupEntry;
import p4.v1.PacketMetadata;
import p4.v1.PacketOut;
import p4.v1.PacketReplicationEngineEntry;
import p4.v1.ReadRequest;
import p4.v1.Replica;
import p4.v1.SetForwardingPipelineConfigRequest;
import p4.v1.StreamMessageRequest;
import p4.v1.StreamMessageResponse;
import p4.v1.TableAction;
import p4.v1.TableEntry;
import p4.v1.Update;
import p4.v1.WriteRequest;

/**
 * P4Runtime's own rules, as a controller other than STARE's agent relies on them, against every
 * {@link SwitchTarget}: stream life cycle and keepalive, arbitration (no promotion below the highest
 * election ID seen, role and device fixed per stream, unknown roles), Read filters and default
 * entries, the fields a Read must give back as written, the checks a Write must make, and packet-out
 * metadata. Each test is one rule of the specification (v1.3+, the section named in its Javadoc).
 *
 * <p>The connection idle timeout is shortened to {@value #IDLE_TIMEOUT_MS} ms (and the switch's
 * HTTP/2 keepalive to a quarter of it) so that the keepalive rule is checked in seconds.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class P4RuntimeConformance extends SwitchSuite {

    static final int PORTS = 4;
    static final long IDLE_TIMEOUT_MS = 2_000;
    private static final Duration MAX_WAIT = Duration.ofSeconds(5);

    @Override
    Config config() {
        return ConfigFactory.parseString("pekko.http.server.idle-timeout = " + IDLE_TIMEOUT_MS + "ms\n"
                + "stare.softswitch.p4runtime.keepalive = " + IDLE_TIMEOUT_MS / 4 + "ms");
    }

    // ---- StreamChannel ---------------------------------------------------------------------------

    /** gRPC: when the client half-closes a bidirectional stream, the server ends its side. */
    @Test
    void aHalfClosedStreamIsCompletedByTheServer() throws Exception {
        P4RuntimeController.Stream stream = controller.connect(ELECTION_ID);
        assertEquals(Status.Code.OK.value(), stream.nextArbitration().getStatus().getCode());
        stream.close();
        stream.done().get(MAX_WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    /** §5 (arbitration): a primary stays primary for as long as its stream lives, however silent. */
    @Test
    void aSilentPrimaryKeepsItsStreamAndMastershipPastTheIdleTimeout() throws Exception {
        P4RuntimeController.Stream silent = controller.connect(ELECTION_ID);
        assertEquals(Status.Code.OK.value(), silent.nextArbitration().getStatus().getCode());
        // Time has to pass here: the behaviour under test is what happens after an idle timeout.
        Thread.sleep(2 * IDLE_TIMEOUT_MS + 500);
        assertFalse(silent.done().isDone(), "the primary's stream ended while it was silent");
        if (!deviates(SpecDeviation.NO_STREAM_ERRORS)) {
            // Marker: the stream still answers (a stream error for a bad packet-out) ...
            silent.send(StreamMessageRequest.newBuilder().setPacket(PacketOut.newBuilder()
                    .setPayload(ByteString.copyFromUtf8("x"))).build());
            StreamMessageResponse answer = silent.next();
            assertTrue(answer.hasError(), answer::toString);
        }
        // ... and the switch still takes it as primary.
        controller.push(ELECTION_ID, StarePrograms.config(StareProgram.Mode.REGISTER));
    }

    // ---- arbitration -------------------------------------------------------------------------------

    /**
     * §5.3 (P4Runtime 1.1 on): when the primary leaves, a backup with a lower ID is not promoted;
     * backups hear NOT_FOUND with the highest ID seen, and whoever claims at least that ID is primary.
     */
    @Test
    void aBackupIsNotPromotedUntilItClaimsTheHighestIdSeen() throws Exception {
        P4RuntimeController.Stream high = controller.connect(20);
        assertEquals(Status.Code.OK.value(), high.nextArbitration().getStatus().getCode());
        P4RuntimeController.Stream low = controller.connect(10);
        assertEquals(Status.Code.ALREADY_EXISTS.value(), low.nextArbitration().getStatus().getCode());

        high.close();
        if (deviates(SpecDeviation.BACKUP_PROMOTED)) {
            MasterArbitrationUpdate promoted = low.nextArbitration();
            assertEquals(Status.Code.OK.value(), promoted.getStatus().getCode(), promoted::toString);
            controller.push(10, StarePrograms.config(StareProgram.Mode.REGISTER));
            return;
        }
        MasterArbitrationUpdate noPrimary = low.nextArbitration();
        assertEquals(Status.Code.NOT_FOUND.value(), noPrimary.getStatus().getCode(), noPrimary::toString);
        assertEquals(20, Uint128s.toBigInteger(noPrimary.getElectionId()).longValueExact());
        ForwardingPipelineConfig config = StarePrograms.config(StareProgram.Mode.REGISTER);
        assertEquals(Status.Code.PERMISSION_DENIED, failure(() -> controller.push(10, config)).getStatus().getCode());

        low.arbitrate(DEVICE_ID, "", 20);
        assertEquals(Status.Code.OK.value(), low.nextArbitration().getStatus().getCode());
        controller.push(20, config);
    }

    /** §5.3: a live stream's role is fixed; changing it ends the stream with FAILED_PRECONDITION. */
    @Test
    void aLiveStreamCannotChangeItsRole() throws Exception {
        skipWhere(SpecDeviation.ROLES_UNCHECKED);
        P4RuntimeController.Stream roleChange = controller.connect(ELECTION_ID);
        assertEquals(Status.Code.OK.value(), roleChange.nextArbitration().getStatus().getCode());
        roleChange.arbitrate(DEVICE_ID, "another-role", ELECTION_ID);
        assertEquals(Status.Code.FAILED_PRECONDITION, endStatus(roleChange));
    }

    /** §5.3: a live stream's device is fixed; changing it ends the stream with FAILED_PRECONDITION. */
    @Test
    void aLiveStreamCannotChangeItsDevice() throws Exception {
        P4RuntimeController.Stream deviceChange = controller.connect(ELECTION_ID + 1);
        assertEquals(Status.Code.OK.value(), deviceChange.nextArbitration().getStatus().getCode());
        deviceChange.arbitrate(DEVICE_ID + 1, "", ELECTION_ID + 1);
        assertEquals(Status.Code.FAILED_PRECONDITION, endStatus(deviceChange));
    }

    /** §9.1 / §13: a Write or pipeline push naming a role the device does not have is NOT_FOUND. */
    @Test
    void anUnknownRoleIsNotFound() throws Exception {
        skipWhere(SpecDeviation.ROLES_UNCHECKED);
        P4RuntimeController.Stream primary = controller.connect(ELECTION_ID);
        assertEquals(Status.Code.OK.value(), primary.nextArbitration().getStatus().getCode());
        ForwardingPipelineConfig config = StarePrograms.config(StareProgram.Mode.REGISTER);
        StatusRuntimeException push = failure(() -> await(controller.client().setForwardingPipelineConfig(
                SetForwardingPipelineConfigRequest.newBuilder().setDeviceId(DEVICE_ID).setRole("nobody")
                        .setElectionId(Uint128s.toProto(ELECTION_ID)).setConfig(config)
                        .setAction(SetForwardingPipelineConfigRequest.Action.VERIFY_AND_COMMIT).build())));
        assertEquals(Status.Code.NOT_FOUND, push.getStatus().getCode());
        controller.push(ELECTION_ID, config);
        StatusRuntimeException write = failure(() -> await(controller.client().write(WriteRequest.newBuilder()
                .setDeviceId(DEVICE_ID).setRole("nobody").setElectionId(Uint128s.toProto(ELECTION_ID)).build())));
        assertEquals(Status.Code.NOT_FOUND, write.getStatus().getCode());
    }

    // ---- pipeline config ----------------------------------------------------------------------------

    /** §13.2: GetForwardingPipelineConfig before any pipeline is set is FAILED_PRECONDITION. */
    @Test
    void getPipelineConfigWithoutAPipelineFails() {
        StatusRuntimeException e = failure(() -> await(controller.client().getForwardingPipelineConfig(
                GetForwardingPipelineConfigRequest.newBuilder().setDeviceId(DEVICE_ID).build())));
        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
    }

    // ---- Read ----------------------------------------------------------------------------------------

    /** §9.1.9 (wildcard reads): a full match key reads exactly that entry. */
    @Test
    void aReadWithAFullMatchKeyReturnsOnlyThatEntry() throws Exception {
        StareProgram program = pushProgram(StareProgram.Mode.EMBEDDED);
        controller.write(ELECTION_ID, Update.Type.INSERT,
                List.of(stateEntry(program, 5, setGroup(program, 1)), stateEntry(program, 6, setGroup(program, 2))));
        List<Entity> one = controller.read(stateEntry(program, 6, TableAction.getDefaultInstance()));
        assertEquals(1, one.size(), one::toString);
        assertEquals(6, P4Values.parse(one.get(0).getTableEntry().getMatch(0).getExact().getValue(), 22).orElseThrow());
        assertEquals(List.of(), controller.read(stateEntry(program, 7, TableAction.getDefaultInstance())));
        assertEquals(2, controller.read(Entity.newBuilder().setTableEntry(TableEntry.newBuilder()
                .setTableId(program.tableId("state_forwarding").orElseThrow())).build()).size());
    }

    /** §9.1.4: the default entry is read with is_default_action, and only then. */
    @Test
    void defaultEntriesCanBeRead() throws Exception {
        StareProgram program = pushProgram(StareProgram.Mode.EMBEDDED);
        for (String[] table : new String[][] {{"state_forwarding", "drop_no_subscriber"}, {"ipv4_lpm", "drop_no_route"}}) {
            List<Entity> defaults = controller.read(Entity.newBuilder().setTableEntry(TableEntry.newBuilder()
                    .setTableId(program.tableId(table[0]).orElseThrow()).setIsDefaultAction(true)).build());
            assertEquals(1, defaults.size(), () -> table[0] + ": " + defaults);
            assertTrue(defaults.get(0).getTableEntry().getIsDefaultAction());
            assertEquals(program.actionId(table[1]).orElseThrow(),
                    defaults.get(0).getTableEntry().getAction().getAction().getActionId(), table[0]);
        }
    }

    /** §9: a Read with an empty entity is INVALID_ARGUMENT; one bad entity fails the whole Read. */
    @Test
    void aReadWithAnEmptyOrUnknownEntityFailsAsAWhole() throws Exception {
        StareProgram program = pushProgram(StareProgram.Mode.EMBEDDED);
        StatusRuntimeException empty = failure(() -> controller.read(Entity.getDefaultInstance()));
        assertEquals(emptyEntityCode(), empty.getStatus().getCode());

        Entity good = Entity.newBuilder().setTableEntry(TableEntry.newBuilder()
                .setTableId(program.tableId("state_forwarding").orElseThrow())).build();
        Entity unknownTable = Entity.newBuilder().setTableEntry(TableEntry.newBuilder().setTableId(0x02000001)).build();
        ExecutionException batch = assertThrows(ExecutionException.class, () -> controller.client().read(
                ReadRequest.newBuilder().setDeviceId(DEVICE_ID).addEntities(good).addEntities(unknownTable).build())
                .runWith(org.apache.pekko.stream.javadsl.Sink.seq(), testKit.system()).toCompletableFuture()
                .get(P4RuntimeController.CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(deviates(SpecDeviation.UNKNOWN_TABLE_INVALID) ? Status.Code.INVALID_ARGUMENT : Status.Code.NOT_FOUND,
                assertInstanceOf(StatusRuntimeException.class, batch.getCause()).getStatus().getCode());
    }

    // ---- Write ---------------------------------------------------------------------------------------

    /** §9.1: every action a table lists is valid in an entry: state_forwarding's drop_no_subscriber too. */
    @Test
    void everyActionOfATableCanBeInserted() throws Exception {
        StareProgram program = pushProgram(StareProgram.Mode.EMBEDDED);
        TableAction drop = TableAction.newBuilder().setAction(Action.newBuilder()
                .setActionId(program.actionId("drop_no_subscriber").orElseThrow())).build();
        controller.write(ELECTION_ID, Update.Type.INSERT, stateEntry(program, 9, drop));
        List<Entity> read = controller.read(stateEntry(program, 9, TableAction.getDefaultInstance()));
        assertEquals(1, read.size(), read::toString);
        assertEquals(drop, read.get(0).getTableEntry().getAction());
    }

    /** §9.1: priority is 0 on tables without ternary keys, and is_const is never written. */
    @Test
    void priorityOnAnExactTableAndIsConstAreRefused() throws Exception {
        skipWhere(SpecDeviation.WRITE_FIELDS_UNCHECKED);
        StareProgram program = pushProgram(StareProgram.Mode.EMBEDDED);
        Entity entry = stateEntry(program, 5, setGroup(program, 1));
        Entity withPriority = entry.toBuilder().setTableEntry(entry.getTableEntry().toBuilder().setPriority(3)).build();
        Entity constant = entry.toBuilder().setTableEntry(entry.getTableEntry().toBuilder().setIsConst(true)).build();
        assertEquals(Status.Code.INVALID_ARGUMENT, writeErrorCode(failure(
                () -> controller.write(ELECTION_ID, Update.Type.INSERT, withPriority))));
        assertEquals(Status.Code.INVALID_ARGUMENT, writeErrorCode(failure(
                () -> controller.write(ELECTION_ID, Update.Type.INSERT, constant))));
        assertEquals(List.of(), controller.read(stateEntry(program, 5, TableAction.getDefaultInstance())));
    }

    /** §9 (Update): an update without an entity is INVALID_ARGUMENT. */
    @Test
    void anEmptyEntityInAWriteIsInvalid() throws Exception {
        pushProgram(StareProgram.Mode.EMBEDDED);
        assertEquals(emptyEntityCode(), writeErrorCode(failure(
                () -> controller.write(ELECTION_ID, Update.Type.INSERT, Entity.getDefaultInstance()))));
    }

    /**
     * Read-write symmetry (§8.4): what a controller writes it reads back, including the fields the
     * switch does not act on: an entry's metadata and controller_metadata, a group's metadata, a
     * clone session's class of service.
     */
    @Test
    @SuppressWarnings("deprecation") // controller_metadata and Replica.egress_port: what older controllers send
    void readsReturnTheOpaqueFieldsAsWritten() throws Exception {
        StareProgram program = pushProgram(StareProgram.Mode.EMBEDDED);
        Entity entry = stateEntry(program, 5, setGroup(program, 1));
        Entity withMetadata = entry.toBuilder().setTableEntry(entry.getTableEntry().toBuilder()
                .setMetadata(ByteString.copyFromUtf8("cookie")).setControllerMetadata(42)).build();
        controller.write(ELECTION_ID, Update.Type.INSERT, withMetadata);
        assertEquals(List.of(withMetadata), controller.read(stateEntry(program, 5, TableAction.getDefaultInstance())));

        Entity group = Entity.newBuilder().setPacketReplicationEngineEntry(PacketReplicationEngineEntry.newBuilder()
                .setMulticastGroupEntry(MulticastGroupEntry.newBuilder().setMulticastGroupId(1)
                        .addReplicas(Replica.newBuilder().setEgressPort(1).setInstance(0))
                        .setMetadata(ByteString.copyFromUtf8("group-cookie")))).build();
        controller.write(ELECTION_ID, Update.Type.INSERT, group);
        Entity groupRead = !deviates(SpecDeviation.GROUP_METADATA_DROPPED) ? group : group.toBuilder()
                .setPacketReplicationEngineEntry(group.getPacketReplicationEngineEntry().toBuilder()
                        .setMulticastGroupEntry(group.getPacketReplicationEngineEntry().getMulticastGroupEntry()
                                .toBuilder().clearMetadata())).build();
        assertEquals(List.of(groupRead), controller.read(Entity.newBuilder().setPacketReplicationEngineEntry(
                PacketReplicationEngineEntry.newBuilder().setMulticastGroupEntry(
                        MulticastGroupEntry.newBuilder().setMulticastGroupId(1))).build()));

        Entity session = Entity.newBuilder().setPacketReplicationEngineEntry(PacketReplicationEngineEntry.newBuilder()
                .setCloneSessionEntry(CloneSessionEntry.newBuilder().setSessionId(100)
                        .setClassOfService(deviates(SpecDeviation.CLONE_CLASS_OF_SERVICE_REFUSED) ? 0 : 3)
                        .addReplicas(Replica.newBuilder().setEgressPort(CpuHeaders.CPU_PORT).setInstance(0)))).build();
        controller.write(ELECTION_ID, Update.Type.INSERT, session);
        assertEquals(List.of(session), controller.read(Entity.newBuilder().setPacketReplicationEngineEntry(
                PacketReplicationEngineEntry.newBuilder().setCloneSessionEntry(
                        CloneSessionEntry.newBuilder().setSessionId(100))).build()));
    }

    // ---- packet-out ---------------------------------------------------------------------------------

    /**
     * §16.1: a packet-out whose metadata lack a field of the packet_out header is refused with a
     * stream error, not forwarded with zeros in its place. The marker (a whole packet-out sent after
     * it) is the first and only frame to leave the switch.
     */
    @Test
    void aPacketOutWithMissingMetadataIsRefusedAndNotForwarded() throws Exception {
        skipWhere(SpecDeviation.NO_STREAM_ERRORS);
        pushProgram(StareProgram.Mode.REGISTER);
        P4RuntimeController.Stream stream = primary;
        byte[] frame = Frames.publish(5, 1, 1, new byte[8]);
        PacketOut.Builder partial = PacketOut.newBuilder().setPayload(ByteString.copyFrom(frame));
        for (CpuHeaders.PacketOut.Field field : List.of(CpuHeaders.PacketOut.Field.OP,
                CpuHeaders.PacketOut.Field.EGRESS_PORT)) {
            partial.addMetadata(PacketMetadata.newBuilder().setMetadataId(field.id())
                    .setValue(P4Values.canonical(field == CpuHeaders.PacketOut.Field.EGRESS_PORT ? 2 : 0)));
        }
        stream.send(StreamMessageRequest.newBuilder().setPacket(partial).build());
        StreamMessageResponse error = stream.next();
        assertTrue(error.hasError(), error::toString);
        assertEquals(Status.Code.INVALID_ARGUMENT.value(), error.getError().getCanonicalCode());

        stream.packetOut(CpuHeaders.PacketOut.forward(1), frame);
        List<PipelineResult.Emission> out = target.collect(1, MAX_WAIT);
        assertEquals(1, out.size(), () -> "frames out: " + out);
        assertEquals(1, out.get(0).port());
    }

    // ---- helpers -------------------------------------------------------------------------------------

    private boolean deviates(SpecDeviation deviation) {
        return target.deviations().contains(deviation);
    }

    /** Skips the rest of a test whose rule this target is known not to follow, saying how it differs. */
    private void skipWhere(SpecDeviation deviation) {
        Assumptions.assumeFalse(deviates(deviation), () -> target.name() + " departs from the rule: "
                + deviation.description());
    }

    private Status.Code emptyEntityCode() {
        return deviates(SpecDeviation.EMPTY_ENTITY_UNKNOWN) ? Status.Code.UNKNOWN : Status.Code.INVALID_ARGUMENT;
    }

    private static TableAction setGroup(StareProgram program, int group) {
        return TableAction.newBuilder().setAction(Action.newBuilder()
                .setActionId(program.actionId("set_group").orElseThrow())
                .addParams(Action.Param.newBuilder().setParamId(1).setValue(P4Values.canonical(group)))).build();
    }

    private static Entity stateEntry(StareProgram program, int state, TableAction action) {
        TableEntry.Builder entry = TableEntry.newBuilder().setTableId(program.tableId("state_forwarding").orElseThrow())
                .addMatch(FieldMatch.newBuilder().setFieldId(1)
                        .setExact(FieldMatch.Exact.newBuilder().setValue(P4Values.canonical(state))));
        if (action.hasAction()) {
            entry.setAction(action);
        }
        return Entity.newBuilder().setTableEntry(entry).build();
    }

    /** The status a stream ended with (it must end within the wait). */
    private static Status.Code endStatus(P4RuntimeController.Stream stream) throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> stream.done().get(MAX_WAIT.toSeconds(), TimeUnit.SECONDS));
        return assertInstanceOf(StatusRuntimeException.class, e.getCause()).getStatus().getCode();
    }
}
