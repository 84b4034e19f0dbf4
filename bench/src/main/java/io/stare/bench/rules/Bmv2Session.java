package io.stare.bench.rules;

import io.stare.p4.bmv2.Bmv2Process;
import io.stare.p4.runtime.Uint128s;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * The P4Runtime controller of a BMv2 memory measurement: primary on a StreamChannel (BMv2 refuses
 * writes from anyone else), then blocking pushes, writes and reads, each bounded by a timeout. It is
 * not the switch agent on purpose: the agent would add its own base entities and react to
 * packet-ins, and the measurement must control exactly what is installed between two RSS readings.
 */
final class Bmv2Session implements AutoCloseable {

    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private static final long ELECTION_ID = 1;

    private final ActorSystem<?> system;
    private final P4RuntimeClient client;
    private final BoundedSourceQueue<StreamMessageRequest> requests;
    private final BlockingQueue<StreamMessageResponse> responses = new LinkedBlockingQueue<>();

    private Bmv2Session(ActorSystem<?> system, int port) {
        this.system = system;
        this.client = P4RuntimeClient.create(GrpcClientSettings
                .connectToServiceAt("127.0.0.1", port, system).withTls(false), system);
        var pair = Source.<StreamMessageRequest>queue(16).preMaterialize(system);
        this.requests = pair.first();
        client.streamChannel(pair.second()).runWith(Sink.foreach(responses::add), system);
    }

    /**
     * Connects to the P4Runtime server on loopback port {@code port} (BMv2's forwarder, or any
     * server answering as device {@link Bmv2Process#DEVICE_ID}) and becomes its primary controller.
     */
    static Bmv2Session open(ActorSystem<?> system, int port) throws IOException, InterruptedException {
        Bmv2Session session = new Bmv2Session(system, port);
        try {
            session.arbitrate();
        } catch (IOException | InterruptedException | RuntimeException e) {
            session.close();
            throw e;
        }
        return session;
    }

    private void arbitrate() throws IOException, InterruptedException {
        requests.offer(StreamMessageRequest.newBuilder().setArbitration(MasterArbitrationUpdate.newBuilder()
                .setDeviceId(Bmv2Process.DEVICE_ID).setElectionId(Uint128s.toProto(ELECTION_ID))).build());
        long deadline = System.nanoTime() + CALL_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            StreamMessageResponse response = responses.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            if (response != null && response.hasArbitration()) {
                // Status OK means primary; anything else means another controller holds the switch.
                if (response.getArbitration().getStatus().getCode() != 0) {
                    throw new IOException("not primary on BMv2: " + response.getArbitration().getStatus());
                }
                return;
            }
        }
        throw new IOException("BMv2 sent no arbitration answer within " + CALL_TIMEOUT);
    }

    /** SetForwardingPipelineConfig with VERIFY_AND_COMMIT. */
    void push(ForwardingPipelineConfig config) throws IOException {
        await("push the pipeline", client.setForwardingPipelineConfig(SetForwardingPipelineConfigRequest.newBuilder()
                .setDeviceId(Bmv2Process.DEVICE_ID).setElectionId(Uint128s.toProto(ELECTION_ID))
                .setAction(SetForwardingPipelineConfigRequest.Action.VERIFY_AND_COMMIT).setConfig(config).build())
                .toCompletableFuture());
    }

    /** One Write inserting every entity of {@code entities}, in order. */
    void insert(List<Entity> entities) throws IOException {
        write(Update.Type.INSERT, entities);
    }

    /** One Write deleting every entity of {@code entities} (their keys), in order. */
    void delete(List<Entity> entities) throws IOException {
        write(Update.Type.DELETE, entities);
    }

    private void write(Update.Type type, List<Entity> entities) throws IOException {
        if (entities.isEmpty()) {
            return;
        }
        WriteRequest.Builder request = WriteRequest.newBuilder().setDeviceId(Bmv2Process.DEVICE_ID)
                .setElectionId(Uint128s.toProto(ELECTION_ID));
        entities.forEach(e -> request.addUpdates(Update.newBuilder().setType(type).setEntity(e)));
        await(type + " " + entities.size() + " entities", client.write(request.build()).toCompletableFuture());
    }

    /** How many entities a Read with {@code filter} returns. */
    int count(Entity filter) throws IOException {
        List<ReadResponse> read = await("read", client.read(ReadRequest.newBuilder()
                .setDeviceId(Bmv2Process.DEVICE_ID).addEntities(filter).build())
                .runWith(Sink.seq(), system).toCompletableFuture());
        return read.stream().mapToInt(ReadResponse::getEntitiesCount).sum();
    }

    private static <T> T await(String what, java.util.concurrent.CompletableFuture<T> call) throws IOException {
        try {
            return call.get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IOException("BMv2 refused to " + what + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("BMv2 did not " + what + " within " + CALL_TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting to " + what, e);
        }
    }

    @Override
    public void close() {
        try {
            requests.complete();
        } catch (IllegalStateException alreadyCompleted) {
            // Completed before.
        }
        try {
            client.close().toCompletableFuture().get(CALL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // Closing is best effort: BMv2 is killed right after.
        }
    }
}
