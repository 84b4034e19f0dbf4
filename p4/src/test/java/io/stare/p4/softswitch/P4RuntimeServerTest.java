package io.stare.p4.softswitch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.typesafe.config.ConfigFactory;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.stare.p4.entity.StareEntities;
import io.stare.p4.pipeline.CpuHeaders;
import io.stare.p4.program.P4Values;
import io.stare.p4.program.StareProgram;
import io.stare.p4.runtime.P4InfoFiles;
import io.stare.p4.runtime.Uint128s;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.address.StareAddress;
import io.stare.protocol.header.StareHeader;
import io.stare.protocol.packet.Ethernet;
import io.stare.protocol.packet.PacketCodec;
import io.stare.protocol.packet.StarePacket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.grpc.GrpcClientSettings;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import p4.config.v1.P4Info;
import p4.v1.Action;
import p4.v1.Entity;
import p4.v1.FieldMatch;
import p4.v1.ForwardingPipelineConfig;
import p4.v1.GetForwardingPipelineConfigRequest;
import p4.v1.Index;
import p4.v1.MasterArbitrationUpdate;
import p4.v1.MulticastGroupEntry;
import p4.v1.P4Data;
import p4.v1.P4RuntimeClient;
import p4.v1.PacketMetadata;
import p4.v1.PacketOut;
import p4.v1.PacketReplicationEngineEntry;
import p4.v1.ReadRequest;
import p4.v1.ReadResponse;
import p4.v1.RegisterEntry;
import p4.v1.Replica;
import p4.v1.SetForwardingPipelineConfigRequest;
import p4.v1.StreamMessageRequest;
import p4.v1.StreamMessageResponse;
import p4.v1.TableAction;
import p4.v1.TableEntry;
import p4.v1.Update;
import p4.v1.WriteRequest;

/**
 * The software switch's P4Runtime server through a real gRPC client over HTTP/2 on loopback,
 * with the P4Info p4c produced for our programs.
 */
class P4RuntimeServerTest {

    private static final long DEVICE = 1;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private ActorTestKit testKit;
    private SoftSwitch softSwitch;
    private P4RuntimeServer server;
    private ServerBinding binding;
    private P4RuntimeClient client;
    private final BlockingQueue<int[]> framesOut = new LinkedBlockingQueue<>();
    private final List<BoundedSourceQueue<StreamMessageRequest>> streams = new ArrayList<>();

    private static P4Info p4Info(String program) throws Exception {
        return P4InfoFiles.fromResource("/io/stare/p4/programs/" + program + ".p4info.txt");
    }

    @BeforeEach
    void start() throws Exception {
        testKit = ActorTestKit.create(ConfigFactory.parseString("pekko.http.server.preview.enable-http2 = on")
                .withFallback(ConfigFactory.load()));
        softSwitch = new SoftSwitch("s1", 4);
        softSwitch.onFrames((port, frame) -> framesOut.add(new int[] {port, frame.length}));
        server = new P4RuntimeServer(softSwitch, DEVICE, testKit.system());
        binding = server.bind(testKit.system(), "127.0.0.1", 0).toCompletableFuture().get(10, TimeUnit.SECONDS);
        client = P4RuntimeClient.create(GrpcClientSettings
                .connectToServiceAt("127.0.0.1", binding.localAddress().getPort(), testKit.system())
                .withTls(false), testKit.system());
    }

    @AfterEach
    void stop() throws Exception {
        for (BoundedSourceQueue<StreamMessageRequest> stream : streams) {
            try {
                stream.complete();
            } catch (IllegalStateException alreadyCompleted) {
                // The test closed this controller's stream itself.
            }
        }
        client.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
        binding.terminate(Duration.ofSeconds(2)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        testKit.shutdownTestKit();
    }

    /** A controller's StreamChannel: requests go in through a queue, responses pile up in another. */
    private record Controller(BoundedSourceQueue<StreamMessageRequest> requests,
                              BlockingQueue<StreamMessageResponse> responses,
                              java.util.concurrent.CompletionStage<?> done) {
        StreamMessageResponse next() throws InterruptedException {
            StreamMessageResponse response = responses.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (response == null) {
                throw new AssertionError("no stream message within " + TIMEOUT);
            }
            return response;
        }
    }

    private Controller connect(long electionId) throws InterruptedException {
        var pair = Source.<StreamMessageRequest>queue(64).preMaterialize(testKit.system());
        streams.add(pair.first());
        BlockingQueue<StreamMessageResponse> responses = new LinkedBlockingQueue<>();
        var done = client.streamChannel(pair.second()).runWith(Sink.foreach(responses::add), testKit.system());
        Controller controller = new Controller(pair.first(), responses, done);
        controller.requests().offer(StreamMessageRequest.newBuilder().setArbitration(MasterArbitrationUpdate
                .newBuilder().setDeviceId(DEVICE).setElectionId(Uint128s.toProto(electionId))).build());
        return controller;
    }

    private void push(long electionId, String program, SetForwardingPipelineConfigRequest.Action action)
            throws Exception {
        client.setForwardingPipelineConfig(SetForwardingPipelineConfigRequest.newBuilder().setDeviceId(DEVICE)
                .setElectionId(Uint128s.toProto(electionId)).setAction(action)
                .setConfig(ForwardingPipelineConfig.newBuilder().setP4Info(p4Info(program))
                        .setP4DeviceConfig(ByteString.copyFromUtf8("{}"))).build()).toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    private void write(long electionId, Update.Type type, Entity entity) throws Exception {
        client.write(WriteRequest.newBuilder().setDeviceId(DEVICE).setElectionId(Uint128s.toProto(electionId))
                .addUpdates(Update.newBuilder().setType(type).setEntity(entity)).build()).toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    private List<Entity> read(Entity filter) throws Exception {
        List<ReadResponse> responses = client.read(ReadRequest.newBuilder().setDeviceId(DEVICE).addEntities(filter)
                .build()).runWith(Sink.seq(), testKit.system()).toCompletableFuture().get(10, TimeUnit.SECONDS);
        return responses.stream().flatMap(r -> r.getEntitiesList().stream()).toList();
    }

    private static StatusRuntimeException failure(ThrowingRunnable call) {
        Exception e = assertThrows(Exception.class, call::run);
        Throwable cause = e instanceof ExecutionException || e instanceof CompletionException ? e.getCause() : e;
        return assertInstanceOf(StatusRuntimeException.class, cause);
    }

    /** The canonical code of the only p4.v1.Error of a failed single-update Write. */
    private static int writeErrorCode(StatusRuntimeException e) throws InvalidProtocolBufferException {
        assertEquals(Status.Code.UNKNOWN, e.getStatus().getCode());
        com.google.rpc.Status status = StatusProto.fromThrowable(e);
        assertEquals(1, status.getDetailsCount());
        return status.getDetails(0).unpack(p4.v1.Error.class).getCanonicalCode();
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static Entity registerCell(int registerId, long index, long value) {
        return Entity.newBuilder().setRegisterEntry(RegisterEntry.newBuilder().setRegisterId(registerId)
                .setIndex(Index.newBuilder().setIndex(index))
                .setData(P4Data.newBuilder().setBitstring(P4Values.canonical(value)))).build();
    }

    @Test
    void arbitrationMakesTheHighestPrimaryAndPromotesNobodyBelowItWhenItLeaves() throws Exception {
        Controller low = connect(10);
        assertEquals(Status.Code.OK.value(), low.next().getArbitration().getStatus().getCode());

        Controller high = connect(20);
        assertEquals(Status.Code.OK.value(), high.next().getArbitration().getStatus().getCode());
        MasterArbitrationUpdate demoted = low.next().getArbitration();
        assertEquals(Status.Code.ALREADY_EXISTS.value(), demoted.getStatus().getCode());
        assertEquals(20, Uint128s.toBigInteger(demoted.getElectionId()).longValueExact());

        // Only the primary may push a pipeline.
        StatusRuntimeException denied = failure(() -> push(10, "stare_register",
                SetForwardingPipelineConfigRequest.Action.VERIFY_AND_COMMIT));
        assertEquals(Status.Code.PERMISSION_DENIED, denied.getStatus().getCode());

        // The primary leaves: the backup hears that nobody is primary, and stays a backup until it
        // claims an election ID at least as high as the highest seen.
        high.requests().complete();
        MasterArbitrationUpdate noPrimary = low.next().getArbitration();
        assertEquals(Status.Code.NOT_FOUND.value(), noPrimary.getStatus().getCode());
        assertEquals(20, Uint128s.toBigInteger(noPrimary.getElectionId()).longValueExact());
        assertEquals(Status.Code.PERMISSION_DENIED, failure(() -> push(10, "stare_register",
                SetForwardingPipelineConfigRequest.Action.VERIFY_AND_COMMIT)).getStatus().getCode());
        low.requests().offer(StreamMessageRequest.newBuilder().setArbitration(MasterArbitrationUpdate
                .newBuilder().setDeviceId(DEVICE).setElectionId(Uint128s.toProto(20))).build());
        assertEquals(Status.Code.OK.value(), low.next().getArbitration().getStatus().getCode());
        push(20, "stare_register", SetForwardingPipelineConfigRequest.Action.VERIFY_AND_COMMIT);
        assertTrue(softSwitch.hasPipeline());
    }

    @Test
    void refusesProgramsThatAreNotStares() throws Exception {
        connect(1).next();
        P4Info foreign = p4Info("stare_register").toBuilder()
                .setPkgInfo(p4Info("stare_register").getPkgInfo().toBuilder().setName("basic_router")).build();
        StatusRuntimeException e = failure(() -> client.setForwardingPipelineConfig(SetForwardingPipelineConfigRequest
                .newBuilder().setDeviceId(DEVICE).setElectionId(Uint128s.toProto(1))
                .setAction(SetForwardingPipelineConfigRequest.Action.VERIFY)
                .setConfig(ForwardingPipelineConfig.newBuilder().setP4Info(foreign)).build()).toCompletableFuture()
                .get(10, TimeUnit.SECONDS));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("basic_router"), e.getStatus().getDescription());

        // Writes before any pipeline: FAILED_PRECONDITION; a wrong device: NOT_FOUND.
        StareProgram program = StareProgram.recognise(p4Info("stare_register"));
        int statePorts = program.registerId("state_ports").orElseThrow();
        assertEquals(Status.Code.FAILED_PRECONDITION,
                failure(() -> write(1, Update.Type.MODIFY, registerCell(statePorts, 1, 1))).getStatus().getCode());
        assertEquals(Status.Code.NOT_FOUND, failure(() -> client.getForwardingPipelineConfig(
                GetForwardingPipelineConfigRequest.newBuilder().setDeviceId(99).build()).toCompletableFuture()
                .get(10, TimeUnit.SECONDS)).getStatus().getCode());
    }

    @Test
    void writeAndReadRoundTripsWithSpecErrorCodes() throws Exception {
        connect(5).next();
        push(5, "stare_register", SetForwardingPipelineConfigRequest.Action.VERIFY_AND_COMMIT);
        StareProgram program = StareProgram.recognise(p4Info("stare_register"));
        assertEquals("stare_register", client.getForwardingPipelineConfig(GetForwardingPipelineConfigRequest
                .newBuilder().setDeviceId(DEVICE).build()).toCompletableFuture().get(10, TimeUnit.SECONDS)
                .getConfig().getP4Info().getPkgInfo().getName());

        // Register cells: MODIFY and read back; INSERT is not allowed on registers.
        int statePorts = program.registerId("state_ports").orElseThrow();
        write(5, Update.Type.MODIFY, registerCell(statePorts, 42, 0b1010));
        List<Entity> cell = read(Entity.newBuilder().setRegisterEntry(RegisterEntry.newBuilder()
                .setRegisterId(statePorts).setIndex(Index.newBuilder().setIndex(42))).build());
        assertEquals(registerCell(statePorts, 42, 0b1010), cell.get(0));
        assertEquals(2048, read(Entity.newBuilder().setRegisterEntry(RegisterEntry.newBuilder()
                .setRegisterId(statePorts)).build()).size());
        assertEquals(Status.Code.INVALID_ARGUMENT.value(),
                writeErrorCode(failure(() -> write(5, Update.Type.INSERT, registerCell(statePorts, 1, 1)))));
        assertEquals(Status.Code.INVALID_ARGUMENT.value(),
                writeErrorCode(failure(() -> write(5, Update.Type.MODIFY, registerCell(statePorts, 1, 256)))));

        // Multicast groups: insert, duplicate insert, read, delete, delete again.
        Entity group = Entity.newBuilder().setPacketReplicationEngineEntry(PacketReplicationEngineEntry.newBuilder()
                .setMulticastGroupEntry(MulticastGroupEntry.newBuilder().setMulticastGroupId(3)
                        .addReplicas(Replica.newBuilder().setEgressPort(0).setInstance(0))
                        .addReplicas(Replica.newBuilder().setEgressPort(1).setInstance(0)))).build();
        write(5, Update.Type.INSERT, group);
        assertEquals(Status.Code.ALREADY_EXISTS.value(), writeErrorCode(failure(() -> write(5, Update.Type.INSERT, group))));
        assertEquals(List.of(group), read(Entity.newBuilder().setPacketReplicationEngineEntry(
                PacketReplicationEngineEntry.newBuilder().setMulticastGroupEntry(MulticastGroupEntry.newBuilder()
                        .setMulticastGroupId(3))).build()));
        write(5, Update.Type.DELETE, group);
        assertEquals(Status.Code.NOT_FOUND.value(), writeErrorCode(failure(() -> write(5, Update.Type.DELETE, group))));

        // The LPM table: insert, read back (wildcard), an unknown table id.
        int lpm = program.tableId("ipv4_lpm").orElseThrow();
        Entity route = Entity.newBuilder().setTableEntry(TableEntry.newBuilder().setTableId(lpm)
                .addMatch(FieldMatch.newBuilder().setFieldId(1).setLpm(FieldMatch.LPM.newBuilder()
                        .setValue(P4Values.canonical(0x0a000000L)).setPrefixLen(8)))
                .setAction(TableAction.newBuilder().setAction(Action.newBuilder()
                        .setActionId(program.actionId("forward").orElseThrow())
                        .addParams(Action.Param.newBuilder().setParamId(1).setValue(P4Values.canonical(2)))))).build();
        write(5, Update.Type.INSERT, route);
        assertTrue(read(Entity.newBuilder().setTableEntry(TableEntry.newBuilder().setTableId(lpm)).build())
                .contains(route));
        assertEquals(Status.Code.NOT_FOUND.value(), writeErrorCode(failure(() -> write(5, Update.Type.INSERT,
                Entity.newBuilder().setTableEntry(TableEntry.newBuilder().setTableId(12345)).build()))));

        // Tree ports through the keyless table's default action.
        int treePorts = program.tableId("tree_ports").orElseThrow();
        write(5, Update.Type.MODIFY, Entity.newBuilder().setTableEntry(TableEntry.newBuilder().setTableId(treePorts)
                .setIsDefaultAction(true).setAction(TableAction.newBuilder().setAction(Action.newBuilder()
                        .setActionId(program.actionId("set_tree_ports").orElseThrow())
                        .addParams(Action.Param.newBuilder().setParamId(1).setValue(P4Values.canonical(0b0110)))))).build());
        assertEquals(List.of(), read(Entity.newBuilder().setTableEntry(TableEntry.newBuilder().setTableId(treePorts))
                .build()), "a wildcard read returns no default entries");
        Entity tree = read(Entity.newBuilder().setTableEntry(TableEntry.newBuilder().setTableId(treePorts)
                .setIsDefaultAction(true)).build()).get(0);
        assertEquals(P4Values.canonical(0b0110), tree.getTableEntry().getAction().getAction().getParams(0).getValue());
    }

    @Test
    void savedPipelineTakesWritesAndCommitInstallsIt() throws Exception {
        connect(7).next();
        assertEquals(Status.Code.NOT_FOUND, failure(() -> client.setForwardingPipelineConfig(
                SetForwardingPipelineConfigRequest.newBuilder().setDeviceId(DEVICE).setElectionId(Uint128s.toProto(7))
                        .setAction(SetForwardingPipelineConfigRequest.Action.COMMIT).build())
                .toCompletableFuture().get(10, TimeUnit.SECONDS)).getStatus().getCode());

        push(7, "stare_register", SetForwardingPipelineConfigRequest.Action.VERIFY_AND_COMMIT);
        int statePorts = StareProgram.recognise(p4Info("stare_register")).registerId("state_ports").orElseThrow();
        write(7, Update.Type.MODIFY, registerCell(statePorts, 5, 1));

        push(7, "stare_register", SetForwardingPipelineConfigRequest.Action.VERIFY_AND_SAVE);
        // The saved pipeline starts empty and takes the writes; the old one still forwards.
        Entity cellFilter = Entity.newBuilder().setRegisterEntry(RegisterEntry.newBuilder().setRegisterId(statePorts)
                .setIndex(Index.newBuilder().setIndex(5))).build();
        assertEquals(registerCell(statePorts, 5, 0), read(cellFilter).get(0));
        write(7, Update.Type.MODIFY, registerCell(statePorts, 5, 3));
        assertEquals(1L, softSwitch.withPipeline(p -> ((io.stare.p4.pipeline.RegisterPipeline) p).statePorts().read(5))
                .orElseThrow());

        client.setForwardingPipelineConfig(SetForwardingPipelineConfigRequest.newBuilder().setDeviceId(DEVICE)
                .setElectionId(Uint128s.toProto(7)).setAction(SetForwardingPipelineConfigRequest.Action.COMMIT).build())
                .toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(3L, softSwitch.withPipeline(p -> ((io.stare.p4.pipeline.RegisterPipeline) p).statePorts().read(5))
                .orElseThrow());
        assertEquals(registerCell(statePorts, 5, 3), read(cellFilter).get(0));
    }

    @Test
    void packetOutLeavesByItsPortAndPacketInsReachThePrimary() throws Exception {
        Controller controller = connect(9);
        controller.next();
        push(9, "stare_register", SetForwardingPipelineConfigRequest.Action.VERIFY_AND_COMMIT);

        byte[] frame = Ethernet.wrapIpv4Multicast(0x02_00_00_00_00_01L, PacketCodec.encode(new StarePacket(0x7f000001, 40000, 64,
                StareHeader.subscription(MessageKind.SUB_REGISTER, 77, 1, 1), new byte[0])));
        controller.requests().offer(StreamMessageRequest.newBuilder()
                .setPacket(StareEntities.packetOuts().encode(CpuHeaders.PacketOut.forward(2), frame)).build());
        int[] out = framesOut.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertArrayEquals(new int[] {2, frame.length}, out);

        // A SUB-ack arriving from a neighbour goes to the CPU: the primary sees it as a packet-in.
        byte[] ack = Ethernet.wrapIpv4Multicast(0x02_00_00_00_00_01L, PacketCodec.encode(new StarePacket(0x7f000001, 40000, 64,
                StareHeader.subscription(MessageKind.SUB_ACK, 77, 1, 1), new byte[0])));
        softSwitch.receive(3, ack);
        StreamMessageResponse response = controller.next();
        assertTrue(response.hasPacket(), response.toString());
        List<PacketMetadata> metadata = response.getPacket().getMetadataList();
        assertEquals(P4Values.canonical(3), metadata.stream()
                .filter(m -> m.getMetadataId() == CpuHeaders.PacketIn.Field.INGRESS_PORT.id()).findFirst()
                .orElseThrow().getValue());
        assertEquals(P4Values.canonical(CpuHeaders.Reason.SUB_ACK.code()), metadata.stream()
                .filter(m -> m.getMetadataId() == CpuHeaders.PacketIn.Field.REASON.id()).findFirst()
                .orElseThrow().getValue());
        assertEquals(new StareAddress(MessageKind.SUB_ACK, 77).toInt(),
                java.nio.ByteBuffer.wrap(response.getPacket().getPayload().toByteArray()).getInt(14 + 16));

        // A bad op is refused on the stream, not by closing it.
        controller.requests().offer(StreamMessageRequest.newBuilder().setPacket(PacketOut.newBuilder()
                .addMetadata(PacketMetadata.newBuilder().setMetadataId(CpuHeaders.PacketOut.Field.OP.id())
                        .setValue(P4Values.canonical(99)))).build());
        StreamMessageResponse error = controller.next();
        assertEquals(Status.Code.INVALID_ARGUMENT.value(), error.getError().getCanonicalCode());
        assertFalse(controller.done().toCompletableFuture().isDone());
    }
}
