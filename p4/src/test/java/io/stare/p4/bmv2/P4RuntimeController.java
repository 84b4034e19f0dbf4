package io.stare.p4.bmv2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.stare.p4.entity.PacketInCodec;
import io.stare.p4.entity.StareEntities;
import io.stare.p4.pipeline.CpuHeaders;
import io.stare.p4.pipeline.PipelineResult;
import io.stare.p4.runtime.Uint128s;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.grpc.GrpcClientSettings;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import p4.v1.Entity;
import p4.v1.ForwardingPipelineConfig;
import p4.v1.MasterArbitrationUpdate;
import p4.v1.P4RuntimeClient;
import p4.v1.ReadRequest;
import p4.v1.ReadResponse;
import p4.v1.SetForwardingPipelineConfigRequest;
import p4.v1.StreamMessageRequest;
import p4.v1.StreamMessageResponse;
import p4.v1.Update;
import p4.v1.WriteRequest;

/**
 * A P4Runtime controller for the tests: the generated Pekko gRPC client on a loopback TCP port,
 * with the calls the tests make and helpers to read their errors. Works the same against BMv2 (via
 * {@link UnixSocketForwarder}) and against the software switch's server.
 */
final class P4RuntimeController implements AutoCloseable {

    /** The device both targets answer as: BMv2 is started with it, the software switch serves it. */
    static final long DEVICE_ID = Bmv2Process.DEVICE_ID;
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

    private final ActorSystem<?> system;
    private final P4RuntimeClient client;
    private final List<Stream> streams = new ArrayList<>();

    P4RuntimeController(ActorSystem<?> system, int port) {
        this.system = system;
        this.client = P4RuntimeClient.create(GrpcClientSettings
                .connectToServiceAt("127.0.0.1", port, system).withTls(false), system);
    }

    /** One controller's StreamChannel: requests go in through a queue, responses pile up in another. */
    final class Stream {
        private final BoundedSourceQueue<StreamMessageRequest> requests;
        private final BlockingQueue<StreamMessageResponse> responses = new LinkedBlockingQueue<>();
        private final CompletableFuture<Done> done = new CompletableFuture<>();

        private Stream(BoundedSourceQueue<StreamMessageRequest> requests) {
            this.requests = requests;
        }

        /** Completes when the server ends the stream: normally, or with its status. */
        CompletableFuture<Done> done() {
            return done;
        }

        /** Sends any request on this stream. */
        void send(StreamMessageRequest request) {
            requests.offer(request);
        }

        /** Sends an arbitration update for {@code deviceId}, {@code role} and {@code electionId}. */
        void arbitrate(long deviceId, String role, long electionId) {
            MasterArbitrationUpdate.Builder update = MasterArbitrationUpdate.newBuilder().setDeviceId(deviceId)
                    .setElectionId(Uint128s.toProto(electionId));
            if (!role.isEmpty()) {
                update.setRole(p4.v1.Role.newBuilder().setName(role));
            }
            send(StreamMessageRequest.newBuilder().setArbitration(update).build());
        }

        /** The next response of any kind, or an assertion error after {@link #CALL_TIMEOUT}. */
        StreamMessageResponse next() throws InterruptedException {
            StreamMessageResponse response = responses.poll(CALL_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
            if (response == null) {
                throw new AssertionError("no stream message within " + CALL_TIMEOUT);
            }
            return response;
        }

        /** The next arbitration update on this stream (other messages before it are skipped). */
        MasterArbitrationUpdate nextArbitration() throws InterruptedException {
            long deadline = System.nanoTime() + CALL_TIMEOUT.toNanos();
            for (int skipped = 0; skipped < 1000; skipped++) {
                StreamMessageResponse response = responses.poll(
                        Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (response == null) {
                    break;
                }
                if (response.hasArbitration()) {
                    return response.getArbitration();
                }
            }
            throw new AssertionError("no arbitration update within " + CALL_TIMEOUT);
        }

        /** Sends a packet-out with all five packet_out metadata fields (the shared codec). */
        void packetOut(CpuHeaders.PacketOut header, byte[] payload) {
            requests.offer(StreamMessageRequest.newBuilder()
                    .setPacket(StareEntities.packetOuts().encode(header, payload)).build());
        }

        /**
         * The packet-ins that arrive: returns once {@code expected} have arrived and no more for
         * {@code quiet}, or after {@code max}. Stream errors fail the test; arbitration updates are skipped.
         */
        List<PipelineResult.PacketInMessage> packetIns(int expected, Duration max, Duration quiet)
                throws InterruptedException {
            List<PipelineResult.PacketInMessage> packetIns = new ArrayList<>();
            long end = System.nanoTime() + max.toNanos();
            for (int polls = 0; polls < 10_000; polls++) {
                long now = System.nanoTime();
                long wait = packetIns.size() >= expected ? Math.min(quiet.toNanos(), end - now) : end - now;
                if (wait <= 0) {
                    break;
                }
                StreamMessageResponse response = responses.poll(wait, TimeUnit.NANOSECONDS);
                if (response == null) {
                    if (packetIns.size() >= expected || System.nanoTime() >= end) {
                        break;
                    }
                    continue;
                }
                if (response.hasError()) {
                    throw new AssertionError("stream error: " + response.getError());
                }
                if (response.hasPacket()) {
                    packetIns.add(decode(response.getPacket()));
                }
            }
            return packetIns;
        }

        /** Ends this controller's stream (it stops being primary). */
        void close() {
            try {
                requests.complete();
            } catch (IllegalStateException alreadyCompleted) {
                // Completed before.
            }
        }
    }

    /** Opens a StreamChannel and sends the arbitration update for {@code electionId}. */
    Stream connect(long electionId) {
        Stream stream = open();
        stream.arbitrate(DEVICE_ID, "", electionId);
        return stream;
    }

    /** Opens a StreamChannel and sends nothing on it yet. */
    Stream open() {
        var pair = Source.<StreamMessageRequest>queue(256).preMaterialize(system);
        Stream stream = new Stream(pair.first());
        streams.add(stream);
        client.streamChannel(pair.second()).runWith(Sink.foreach(stream.responses::add), system)
                .whenComplete((done, failure) -> {
                    if (failure != null) {
                        stream.done.completeExceptionally(failure);
                    } else {
                        stream.done.complete(done);
                    }
                });
        return stream;
    }

    /** The generated client, for requests the helpers here do not build. */
    P4RuntimeClient client() {
        return client;
    }

    /** The result of a unary call, waited for at most {@link #CALL_TIMEOUT}. */
    static <T> T await(java.util.concurrent.CompletionStage<T> call) throws Exception {
        return call.toCompletableFuture().get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    /** SetForwardingPipelineConfig with VERIFY_AND_COMMIT. */
    void push(long electionId, ForwardingPipelineConfig config) throws Exception {
        client.setForwardingPipelineConfig(SetForwardingPipelineConfigRequest.newBuilder().setDeviceId(DEVICE_ID)
                .setElectionId(Uint128s.toProto(electionId))
                .setAction(SetForwardingPipelineConfigRequest.Action.VERIFY_AND_COMMIT).setConfig(config).build())
                .toCompletableFuture().get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    /** The installed config (P4Info and cookie). */
    ForwardingPipelineConfig pipelineConfig() throws Exception {
        return client.getForwardingPipelineConfig(p4.v1.GetForwardingPipelineConfigRequest.newBuilder()
                .setDeviceId(DEVICE_ID).setResponseType(
                        p4.v1.GetForwardingPipelineConfigRequest.ResponseType.P4INFO_AND_COOKIE).build())
                .toCompletableFuture().get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS).getConfig();
    }

    /** One Write with an update of {@code type} per entity. */
    void write(long electionId, Update.Type type, List<Entity> entities) throws Exception {
        WriteRequest.Builder request = WriteRequest.newBuilder().setDeviceId(DEVICE_ID)
                .setElectionId(Uint128s.toProto(electionId));
        entities.forEach(e -> request.addUpdates(Update.newBuilder().setType(type).setEntity(e)));
        client.write(request.build()).toCompletableFuture().get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    /** One Write with a single update. */
    void write(long electionId, Update.Type type, Entity entity) throws Exception {
        write(electionId, type, List.of(entity));
    }

    /** Every entity a Read with one filter returns. */
    List<Entity> read(Entity filter) throws Exception {
        List<ReadResponse> responses = client.read(ReadRequest.newBuilder().setDeviceId(DEVICE_ID).addEntities(filter)
                .build()).runWith(Sink.seq(), system).toCompletableFuture()
                .get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        return responses.stream().flatMap(r -> r.getEntitiesList().stream()).toList();
    }

    /** A call expected to fail: its gRPC status. */
    static StatusRuntimeException failure(ThrowingRunnable call) {
        Exception e = assertThrows(Exception.class, call::run);
        Throwable cause = e instanceof ExecutionException || e instanceof CompletionException ? e.getCause() : e;
        return assertInstanceOf(StatusRuntimeException.class, cause, () -> "not a gRPC status: " + e);
    }

    /** The canonical code of the only p4.v1.Error of a failed single-update Write (status UNKNOWN). */
    static Status.Code writeErrorCode(StatusRuntimeException e) throws InvalidProtocolBufferException {
        assertEquals(Status.Code.UNKNOWN, e.getStatus().getCode(), () -> "Write status: " + e.getStatus());
        com.google.rpc.Status status = StatusProto.fromThrowable(e);
        assertTrue(status != null && status.getDetailsCount() == 1, () -> "details: " + status);
        return Status.fromCodeValue(status.getDetails(0).unpack(p4.v1.Error.class).getCanonicalCode()).getCode();
    }

    /** A call that may throw anything. */
    interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** A P4Runtime packet-in as the packet_in header and payload it stands for (the shared codec). */
    static PipelineResult.PacketInMessage decode(p4.v1.PacketIn packet) {
        PacketInCodec.Received received = StareEntities.packetIns().decode(packet).orElseThrow();
        return new PipelineResult.PacketInMessage(received.header(), received.payload());
    }

    @Override
    public void close() throws ExecutionException, TimeoutException {
        streams.forEach(Stream::close);
        try {
            client.close().toCompletableFuture().get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
