package io.stare.p4.softswitch;

import com.google.protobuf.Any;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import io.stare.p4.entity.Decoded;
import io.stare.p4.entity.PacketOutCodec;
import io.stare.p4.entity.StareEntities;
import io.stare.p4.pipeline.Pipeline;
import io.stare.p4.pipeline.PipelineResult;
import io.stare.p4.program.StareProgram;
import io.stare.p4.runtime.Uint128s;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.grpc.GrpcServiceException;
import org.apache.pekko.http.javadsl.ConnectionContext;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBuilder;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import p4.config.v1.P4Info;
import p4.v1.CapabilitiesRequest;
import p4.v1.CapabilitiesResponse;
import p4.v1.Entity;
import p4.v1.ForwardingPipelineConfig;
import p4.v1.GetForwardingPipelineConfigRequest;
import p4.v1.GetForwardingPipelineConfigResponse;
import p4.v1.MasterArbitrationUpdate;
import p4.v1.P4Runtime;
import p4.v1.P4RuntimeHandlerFactory;
import p4.v1.PacketIn;
import p4.v1.PacketOut;
import p4.v1.PacketOutError;
import p4.v1.ReadRequest;
import p4.v1.ReadResponse;
import p4.v1.Role;
import p4.v1.SetForwardingPipelineConfigRequest;
import p4.v1.SetForwardingPipelineConfigResponse;
import p4.v1.StreamError;
import p4.v1.StreamMessageRequest;
import p4.v1.StreamMessageResponse;
import p4.v1.Update;
import p4.v1.WriteRequest;
import p4.v1.WriteResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The software switch's P4Runtime server: arbitration and packet-in/out on the StreamChannel,
 * pipeline push (VERIFY, VERIFY_AND_SAVE, VERIFY_AND_COMMIT, COMMIT), Write and Read of the
 * entities STARE's programs have, and Capabilities. Programs other than STARE's are refused.
 *
 * <p>Control-plane state (arbitration, installed and saved configs) is guarded by this server's
 * lock; pipeline contents by the switch's lock, always taken second. After VERIFY_AND_SAVE the
 * switch keeps forwarding with the old pipeline while Reads and Writes go to the saved one, which
 * COMMIT then installs: the spec's "replay of the writes since the save", done eagerly.
 */
public final class P4RuntimeServer implements P4Runtime {

    /** The P4Runtime API version this server implements (its subset is in docs/dataplane.md). */
    public static final String API_VERSION = "1.3.0";
    /** Entities per ReadResponse: large reads are streamed in chunks. */
    static final int READ_CHUNK = 1000;
    /** Responses buffered per StreamChannel; beyond it the oldest packet-ins are dropped. */
    static final int STREAM_BUFFER = 1024;

    private static final Logger log = LoggerFactory.getLogger(P4RuntimeServer.class);

    /** One controller's StreamChannel. */
    private static final class Session {
        final BoundedSourceQueue<StreamMessageResponse> queue;

        Session(BoundedSourceQueue<StreamMessageResponse> queue) {
            this.queue = queue;
        }
    }

    /** A recognised program with the config it came in and a pipeline for it. */
    private record Loaded(StareProgram program, RuntimeEntities entities, ForwardingPipelineConfig config,
                          Pipeline pipeline) {
    }

    private final SoftSwitch softSwitch;
    private final long deviceId;
    private final Materializer materializer;
    private final Object lock = new Object();
    private final Arbitration<Session> arbitration;
    /** The default role's primary, as the last arbitration change left it (read without the lock). */
    private volatile Optional<Session> defaultPrimary = Optional.empty();
    private Loaded installed;
    private Loaded saved;
    private final LongAdder packetInsWithoutController = new LongAdder();
    private final LongAdder packetInsDropped = new LongAdder();
    private final LongAdder streamsEnded = new LongAdder();
    private final LongAdder streamsBroken = new LongAdder();

    public P4RuntimeServer(SoftSwitch softSwitch, long deviceId, ActorSystem<?> system) {
        this.softSwitch = softSwitch;
        this.deviceId = deviceId;
        this.materializer = Materializer.matFromSystem(system);
        this.arbitration = new Arbitration<>(deviceId);
        softSwitch.onPacketIn(this::onPacketIn);
    }

    /**
     * Serves this server over HTTP/2 (plain text) at {@code host:port}; port 0 picks a free one.
     *
     * <p>A controller's StreamChannel may stay silent for as long as it likes and stay primary: the
     * connection sends HTTP/2 pings every {@code stare.softswitch.p4runtime.keepalive} (which also
     * finds a peer that vanished without closing), so Pekko HTTP's idle timeout never ends it.
     */
    public CompletionStage<ServerBinding> bind(ActorSystem<?> system, String host, int port) {
        return bind(system, host, port, null);
    }

    /**
     * Serves this server at {@code host:port}, over TLS 1.3 when {@code tls} is not null: every
     * controller must then present a certificate {@code tls} trusts (mutual authentication), or its
     * connection ends at the handshake, before any P4Runtime call.
     */
    public CompletionStage<ServerBinding> bind(ActorSystem<?> system, String host, int port, SSLContext tls) {
        java.time.Duration keepalive = system.settings().config().getDuration("stare.softswitch.p4runtime.keepalive");
        ServerBuilder server = Http.get(system).newServerAt(host, port)
                .adaptSettings(settings -> keepalive.isZero() ? settings
                        : settings.withHttp2Settings(settings.getHttp2Settings().withPingInterval(keepalive)));
        if (tls != null) {
            server = server.enableHttps(ConnectionContext.httpsServer(() -> {
                SSLEngine engine = tls.createSSLEngine();
                engine.setUseClientMode(false);
                engine.setNeedClientAuth(true);
                engine.setEnabledProtocols(new String[] {"TLSv1.3"});
                return engine;
            }));
        }
        return server.bind(P4RuntimeHandlerFactory.create(this, system));
    }

    /**
     * Installs a program without a controller, as if a primary had pushed it with
     * VERIFY_AND_COMMIT: for a switch started standalone. A controller may replace it later.
     */
    public StareProgram preload(ForwardingPipelineConfig config) throws StareProgram.UnsupportedProgramException {
        StareProgram program = StareProgram.recognise(config.getP4Info());
        synchronized (lock) {
            installed = new Loaded(program, new RuntimeEntities(program), config, program.newPipeline(softSwitch.portCount()));
            saved = null;
            softSwitch.install(installed.pipeline());
        }
        return program;
    }

    /** Packet-ins that found no primary controller to go to. */
    public long packetInsWithoutController() {
        return packetInsWithoutController.sum();
    }

    /** Packet-ins dropped because the controller's stream was full. */
    public long packetInsDropped() {
        return packetInsDropped.sum();
    }

    /** Controller streams the controller ended (a stopping agent). */
    public long controllerStreamsEnded() {
        return streamsEnded.sum();
    }

    /** Controller streams that broke: cancelled, reset, or the connection lost. */
    public long controllerStreamsBroken() {
        return streamsBroken.sum();
    }

    // ---- StreamChannel -----------------------------------------------------------------------

    @Override
    public Source<StreamMessageResponse, NotUsed> streamChannel(Source<StreamMessageRequest, NotUsed> in) {
        Pair<BoundedSourceQueue<StreamMessageResponse>, Source<StreamMessageResponse, NotUsed>> out =
                Source.<StreamMessageResponse>queue(STREAM_BUFFER).preMaterialize(materializer);
        Session session = new Session(out.first());
        in.runWith(Sink.foreach(request -> onStreamRequest(session, request)), materializer)
                .whenComplete((done, failure) -> {
                    closeSession(session, failure == null);
                    // A client that half-closes its side gets the server's side closed too: the
                    // stream's RPC then ends at once instead of waiting for the connection to die.
                    try {
                        session.queue.complete();
                    } catch (IllegalStateException alreadyEnded) {
                        // Failed (a refused arbitration) or completed before: nothing left to end.
                    }
                });
        return out.second().watchTermination((notUsed, done) -> {
            done.whenComplete((d, failure) -> closeSession(session, failure == null));
            return notUsed;
        });
    }

    private void onStreamRequest(Session session, StreamMessageRequest request) {
        switch (request.getUpdateCase()) {
            case ARBITRATION -> onArbitration(session, request.getArbitration());
            case PACKET -> onPacketOut(session, request.getPacket());
            default -> {
                if (!isArbitrated(session)) {
                    failSession(session, Status.FAILED_PRECONDITION.withDescription(
                            "the first message on a StreamChannel must be an arbitration update"));
                }
                // Digest acks and other messages have no meaning for STARE's programs.
            }
        }
    }

    private void onArbitration(Session session, MasterArbitrationUpdate update) {
        String role = update.getRole().getName();
        Optional<BigInteger> electionId = update.hasElectionId()
                ? Optional.of(Uint128s.toBigInteger(update.getElectionId()))
                : Optional.empty();
        Arbitration.Outcome<Session> outcome;
        synchronized (lock) {
            Optional<Session> primaryBefore = arbitration.primaryOf(role);
            outcome = arbitration.arbitrate(session, update.getDeviceId(), role, electionId);
            defaultPrimary = arbitration.primaryOf("");
            Optional<Session> primaryAfter = arbitration.primaryOf(role);
            if (!primaryBefore.equals(primaryAfter)) {
                log.info("switch {}: primary of role '{}' is now {}", softSwitch.name(), role,
                        primaryAfter.isPresent() ? "the stream with election ID " + electionId.map(String::valueOf).orElse("?")
                                : "nobody (highest election ID seen: "
                                        + arbitration.highestElectionId(role).map(String::valueOf).orElse("none") + ")");
            }
        }
        if (outcome instanceof Arbitration.Refused<Session> refused) {
            log.warn("switch {}: arbitration refused ({}): {}", softSwitch.name(), refused.code(), refused.message());
            failSession(session, Status.fromCode(Status.Code.valueOf(refused.code())).withDescription(refused.message()));
        } else {
            send(((Arbitration.Accepted<Session>) outcome).notices());
        }
    }

    /**
     * The session's stream ended: {@code graceful} when the controller ended it (a stopping agent),
     * not when it broke. A primary that leaves gracefully is news, not trouble: INFO, not WARN.
     */
    private void closeSession(Session session, boolean graceful) {
        List<Arbitration.Notice<Session>> notices;
        Optional<String> role;
        synchronized (lock) {
            role = arbitration.roleOf(session);
            if (role.isPresent()) { // the first of the two ends that report it
                (graceful ? streamsEnded : streamsBroken).increment();
            }
            boolean wasPrimary = role.isPresent() && arbitration.primaryOf(role.get()).equals(Optional.of(session));
            notices = arbitration.close(session);
            defaultPrimary = arbitration.primaryOf("");
            if (wasPrimary && graceful) {
                log.info("switch {}: the primary controller of role '{}' ended its stream; no primary until one "
                        + "claims an election ID at least as high", softSwitch.name(), role.get());
            } else if (wasPrimary) {
                log.warn("switch {}: the primary controller of role '{}' disconnected; no primary until one claims "
                        + "an election ID at least as high", softSwitch.name(), role.get());
            }
        }
        role.ifPresent(r -> log.info("switch {}: a controller stream of role '{}' closed", softSwitch.name(), r));
        send(notices);
    }

    private void send(List<Arbitration.Notice<Session>> notices) {
        for (Arbitration.Notice<Session> notice : notices) {
            MasterArbitrationUpdate.Builder update = MasterArbitrationUpdate.newBuilder().setDeviceId(deviceId)
                    .setStatus(switch (notice.standing()) {
                        case PRIMARY -> arbitrationStatus(Status.Code.OK, "primary");
                        case BACKUP -> arbitrationStatus(Status.Code.ALREADY_EXISTS, "backup");
                        case NO_PRIMARY -> arbitrationStatus(Status.Code.NOT_FOUND,
                                "backup; no primary until a controller claims the highest election ID seen");
                    });
            if (!notice.role().isEmpty()) {
                update.setRole(Role.newBuilder().setName(notice.role()));
            }
            notice.electionId().ifPresent(id -> update.setElectionId(Uint128s.toProto(id)));
            offer(notice.stream(), StreamMessageResponse.newBuilder().setArbitration(update).build());
        }
    }

    private static com.google.rpc.Status arbitrationStatus(Status.Code code, String message) {
        return com.google.rpc.Status.newBuilder().setCode(code.value()).setMessage(message).build();
    }

    private void onPacketOut(Session session, PacketOut packet) {
        synchronized (lock) {
            Optional<String> role = arbitration.roleOf(session);
            if (role.isEmpty()) {
                failSession(session, Status.FAILED_PRECONDITION.withDescription(
                        "the first message on a StreamChannel must be an arbitration update"));
                return;
            }
            if (!arbitration.primaryOf(role.get()).equals(Optional.of(session))) {
                streamError(session, packet, Status.Code.PERMISSION_DENIED, "only the primary controller may send packets");
                return;
            }
        }
        Decoded<PacketOutCodec.Outgoing> decoded = StareEntities.packetOuts().decode(packet);
        if (decoded instanceof Decoded.Refused<PacketOutCodec.Outgoing> refused) {
            streamError(session, packet, refused.code(), refused.message());
            return;
        }
        if (!softSwitch.hasPipeline()) {
            streamError(session, packet, Status.Code.FAILED_PRECONDITION, "no pipeline is installed");
            return;
        }
        PacketOutCodec.Outgoing out = decoded.orElseThrow();
        softSwitch.packetOut(out.header(), out.payload());
    }

    private void onPacketIn(PipelineResult.PacketInMessage message) {
        // Not under the lock: this runs on the switch's data path, which a write holding the lock may
        // be waiting for (a pipeline step), so taking it here could stall both.
        Optional<Session> primary = defaultPrimary;
        if (primary.isEmpty()) {
            packetInsWithoutController.increment();
            return;
        }
        PacketIn packetIn = StareEntities.packetIns().encode(message.header(), message.payload());
        offer(primary.get(), StreamMessageResponse.newBuilder().setPacket(packetIn).build());
    }

    private void streamError(Session session, PacketOut packet, Status.Code code, String message) {
        offer(session, StreamMessageResponse.newBuilder().setError(StreamError.newBuilder()
                .setCanonicalCode(code.value()).setMessage(message)
                .setPacketOut(PacketOutError.newBuilder().setPacketOut(packet))).build());
    }

    private void offer(Session session, StreamMessageResponse response) {
        if (!QueueOfferResult.enqueued().equals(session.queue.offer(response))) {
            packetInsDropped.increment();
        }
    }

    private static void failSession(Session session, Status status) {
        session.queue.fail(new GrpcServiceException(status));
    }

    private boolean isArbitrated(Session session) {
        synchronized (lock) {
            return arbitration.knows(session);
        }
    }

    // ---- pipeline config ---------------------------------------------------------------------

    @Override
    public CompletionStage<SetForwardingPipelineConfigResponse> setForwardingPipelineConfig(
            SetForwardingPipelineConfigRequest in) {
        try {
            synchronized (lock) {
                checkDevice(in.getDeviceId());
                checkRole(in.getRole());
                checkPrimary(in.getRole(), in.hasElectionId() ? Optional.of(in.getElectionId()) : Optional.empty());
                switch (in.getAction()) {
                    case VERIFY -> load(in);
                    case VERIFY_AND_SAVE -> saved = load(in);
                    case VERIFY_AND_COMMIT -> {
                        Loaded loaded = load(in);
                        softSwitch.install(loaded.pipeline());
                        installed = loaded;
                        saved = null;
                        log.info("switch {}: pipeline {} committed", softSwitch.name(), loaded.program().mode());
                    }
                    case COMMIT -> {
                        if (in.hasConfig()) {
                            throw status(Status.Code.INVALID_ARGUMENT, "COMMIT takes no config: it commits the saved one");
                        }
                        if (saved == null) {
                            throw status(Status.Code.NOT_FOUND, "COMMIT without a preceding VERIFY_AND_SAVE");
                        }
                        softSwitch.install(saved.pipeline());
                        installed = saved;
                        saved = null;
                        log.info("switch {}: saved pipeline {} committed", softSwitch.name(), installed.program().mode());
                    }
                    case RECONCILE_AND_COMMIT -> throw status(Status.Code.UNIMPLEMENTED,
                            "RECONCILE_AND_COMMIT is not supported; use VERIFY_AND_SAVE, writes, COMMIT");
                    default -> throw status(Status.Code.INVALID_ARGUMENT, "action " + in.getAction() + " is not valid");
                }
            }
            return CompletableFuture.completedFuture(SetForwardingPipelineConfigResponse.getDefaultInstance());
        } catch (GrpcServiceException e) {
            log.warn("switch {}: SetForwardingPipelineConfig {} refused: {}", softSwitch.name(), in.getAction(),
                    e.status().getDescription());
            return CompletableFuture.failedFuture(e);
        }
    }

    private Loaded load(SetForwardingPipelineConfigRequest in) {
        if (!in.hasConfig() || !in.getConfig().hasP4Info()) {
            throw status(Status.Code.INVALID_ARGUMENT, "the request carries no config with a P4Info");
        }
        P4Info p4Info = in.getConfig().getP4Info();
        try {
            StareProgram program = StareProgram.recognise(p4Info);
            return new Loaded(program, new RuntimeEntities(program), in.getConfig(),
                    program.newPipeline(softSwitch.portCount()));
        } catch (StareProgram.UnsupportedProgramException e) {
            throw status(Status.Code.INVALID_ARGUMENT, e.getMessage());
        }
    }

    @Override
    public CompletionStage<GetForwardingPipelineConfigResponse> getForwardingPipelineConfig(
            GetForwardingPipelineConfigRequest in) {
        ForwardingPipelineConfig config;
        synchronized (lock) {
            if (in.getDeviceId() != deviceId) {
                return CompletableFuture.failedFuture(status(Status.Code.NOT_FOUND, "unknown device " + in.getDeviceId()));
            }
            if (installed == null) {
                return CompletableFuture.failedFuture(status(Status.Code.FAILED_PRECONDITION,
                        "no pipeline is installed: push one first"));
            }
            config = installed.config();
        }
        ForwardingPipelineConfig.Builder answer = ForwardingPipelineConfig.newBuilder().setCookie(config.getCookie());
        switch (in.getResponseType()) {
            case ALL -> answer.setP4Info(config.getP4Info()).setP4DeviceConfig(config.getP4DeviceConfig());
            case P4INFO_AND_COOKIE -> answer.setP4Info(config.getP4Info());
            case DEVICE_CONFIG_AND_COOKIE -> answer.setP4DeviceConfig(config.getP4DeviceConfig());
            default -> { }
        }
        return CompletableFuture.completedFuture(GetForwardingPipelineConfigResponse.newBuilder().setConfig(answer).build());
    }

    // ---- Write and Read ----------------------------------------------------------------------

    @Override
    public CompletionStage<WriteResponse> write(WriteRequest in) {
        try {
            List<RuntimeEntities.Outcome> outcomes = new ArrayList<>();
            synchronized (lock) {
                checkDevice(in.getDeviceId());
                checkRole(in.getRole());
                checkPrimary(in.getRole(), in.hasElectionId() ? Optional.of(in.getElectionId()) : Optional.empty());
                if (in.getAtomicity() != WriteRequest.Atomicity.CONTINUE_ON_ERROR) {
                    throw status(Status.Code.UNIMPLEMENTED, "only CONTINUE_ON_ERROR atomicity is supported");
                }
                Loaded target = target();
                if (target == saved) {
                    for (Update update : in.getUpdatesList()) {
                        outcomes.add(target.entities().apply(update, target.pipeline()));
                    }
                } else {
                    // One trip to the data path's thread for the whole batch.
                    outcomes.addAll(softSwitch.withPipeline(p -> in.getUpdatesList().stream()
                            .map(update -> target.entities().apply(update, p)).toList()).orElseThrow());
                }
            }
            if (outcomes.stream().allMatch(RuntimeEntities.Outcome::ok)) {
                return CompletableFuture.completedFuture(WriteResponse.getDefaultInstance());
            }
            RuntimeEntities.Outcome first = outcomes.stream().filter(o -> !o.ok()).findFirst().orElseThrow();
            log.warn("switch {}: Write refused {} of {} updates; first: {} {}", softSwitch.name(),
                    outcomes.stream().filter(o -> !o.ok()).count(), outcomes.size(), first.code(), first.message());
            return CompletableFuture.failedFuture(batchError(outcomes));
        } catch (GrpcServiceException e) {
            log.warn("switch {}: Write refused: {}", softSwitch.name(), e.status().getDescription());
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public Source<ReadResponse, NotUsed> read(ReadRequest in) {
        List<Entity> entities = new ArrayList<>();
        try {
            synchronized (lock) {
                checkDevice(in.getDeviceId());
                Loaded target = target();
                for (Entity filter : in.getEntitiesList()) {
                    List<Entity> found = target == saved
                            ? target.entities().read(filter, target.pipeline())
                            : softSwitch.withPipeline(p -> readOrNull(target.entities(), filter, p)).orElseThrow();
                    entities.addAll(found);
                }
            }
        } catch (GrpcServiceException e) {
            return Source.failed(e);
        } catch (RuntimeEntities.ReadException e) {
            return Source.failed(status(e.code(), e.getMessage()));
        } catch (ReadFailure e) {
            return Source.failed(status(e.cause.code(), e.cause.getMessage()));
        }
        List<ReadResponse> chunks = new ArrayList<>();
        for (int from = 0; from < entities.size(); from += READ_CHUNK) {
            chunks.add(ReadResponse.newBuilder()
                    .addAllEntities(entities.subList(from, Math.min(entities.size(), from + READ_CHUNK))).build());
        }
        if (chunks.isEmpty()) {
            chunks.add(ReadResponse.getDefaultInstance());
        }
        return Source.from(chunks);
    }

    /** Carries a ReadException out of a lambda run under the switch's lock. */
    private static final class ReadFailure extends RuntimeException {
        final RuntimeEntities.ReadException cause;

        ReadFailure(RuntimeEntities.ReadException cause) {
            super(cause.getMessage(), null, false, false);
            this.cause = cause;
        }
    }

    private static List<Entity> readOrNull(RuntimeEntities entities, Entity filter, Pipeline pipeline) {
        try {
            return entities.read(filter, pipeline);
        } catch (RuntimeEntities.ReadException e) {
            throw new ReadFailure(e);
        }
    }

    @Override
    public CompletionStage<CapabilitiesResponse> capabilities(CapabilitiesRequest in) {
        return CompletableFuture.completedFuture(CapabilitiesResponse.newBuilder().setP4RuntimeApiVersion(API_VERSION).build());
    }

    // ---- helpers -----------------------------------------------------------------------------

    /** Reads and writes go to the saved pipeline between VERIFY_AND_SAVE and COMMIT. */
    private Loaded target() {
        if (saved != null) {
            return saved;
        }
        if (installed == null) {
            throw status(Status.Code.FAILED_PRECONDITION, "no pipeline is installed: push one first");
        }
        return installed;
    }

    private void checkDevice(long requested) {
        if (requested != deviceId) {
            throw status(Status.Code.NOT_FOUND, "device ID " + requested + " is not this device (" + deviceId + ")");
        }
    }

    /** A role no controller ever arbitrated for is not one of this device's roles. */
    private void checkRole(String role) {
        if (!arbitration.knowsRole(role)) {
            throw status(Status.Code.NOT_FOUND, "role '" + role + "' is not a role of this device: no controller "
                    + "has arbitrated for it");
        }
    }

    private void checkPrimary(String role, Optional<p4.v1.Uint128> electionId) {
        if (!arbitration.isPrimary(role, electionId.map(Uint128s::toBigInteger))) {
            throw status(Status.Code.PERMISSION_DENIED,
                    "only the primary controller of role '" + role + "' may do this (election ID "
                            + electionId.map(Uint128s::toBigInteger).map(String::valueOf).orElse("none") + ")");
        }
    }

    /** A failed batch, as the specification wants it: UNKNOWN with one p4.v1.Error per update. */
    private static GrpcServiceException batchError(List<RuntimeEntities.Outcome> outcomes) {
        com.google.rpc.Status.Builder status = com.google.rpc.Status.newBuilder()
                .setCode(Status.Code.UNKNOWN.value()).setMessage("some updates failed");
        for (RuntimeEntities.Outcome outcome : outcomes) {
            status.addDetails(Any.pack(p4.v1.Error.newBuilder().setCanonicalCode(outcome.code().value())
                    .setMessage(outcome.message()).build()));
        }
        return GrpcServiceException.apply(StatusProto.toStatusRuntimeException(status.build()));
    }

    private static GrpcServiceException status(Status.Code code, String message) {
        return new GrpcServiceException(Status.fromCode(code).withDescription(message));
    }
}
