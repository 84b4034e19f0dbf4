package io.stare.actors.middleware.gateway;

import io.stare.actors.middleware.Middleware;
import io.stare.client.StareClient;
import io.stare.protocol.DecodeError;
import io.stare.protocol.ErrorCode;
import io.stare.protocol.vnf.FrameType;
import io.stare.protocol.vnf.VnfFrameCodec;
import io.stare.protocol.vnf.VnfMessage;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.ThrottleMode;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The middleware's INIT listener: VNFs in other processes or languages reach their middleware over
 * TCP (port {@link VnfFrameCodec#DEFAULT_PORT}, loopback by default) with the framing of
 * {@code docs/protocol.md} section 6. Each connection is one VNF session, one stream:
 *
 * <pre>
 *   bytes → decode (one VnfFrameDecoder) → mapAsync(1, session: StareClient request → reply frames) ─┐
 *                                                   Outbox (bounded DELIVER / LOSS_NOTICE buffer) ──┴ merge → encode → bytes
 * </pre>
 *
 * <ul>
 *   <li>The handshake comes first: HELLO is answered by {@link io.stare.protocol.vnf.VnfHandshake};
 *       no common version, any other frame first, or no HELLO within {@code handshake-timeout}, gets
 *       an ERROR and the connection is closed.</li>
 *   <li>Requests go through {@link StareClient}, the API of the in-JVM VNFs, so a TCP VNF is a VNF
 *       like any other to the middleware; when its connection closes, its VNF detaches and its
 *       subscriptions end.</li>
 *   <li>Replies are back-pressured: a VNF that does not read its replies stops being read. Updates
 *       are not: like the INT module's inbound queue, the {@link Outbox} drops what a slow VNF
 *       cannot take and tells it with LOSS_NOTICE(UNRECOVERABLE).</li>
 *   <li>Hostile input is refused with a typed ERROR and counted ({@link #counters()}); a framing
 *       error (length 0 or above the limit) closes that connection only.</li>
 * </ul>
 */
public final class VnfGateway {

    private static final Logger log = LoggerFactory.getLogger(VnfGateway.class);

    /**
     * The gateway's counters, summed over all its connections.
     *
     * @param accepted connections accepted as sessions
     * @param refusedConnections connections refused because {@code max-connections} were open
     * @param open sessions open now
     * @param handshakes successful handshakes
     * @param handshakeTimeouts connections closed because they sent no valid HELLO in time
     * @param framesIn well-formed frames received
     * @param framesOut frames sent
     * @param framingCloses connections closed for a framing error (length 0, oversize, truncated at close)
     * @param deliveries updates queued towards TCP VNFs
     * @param deliveriesDropped updates dropped because a VNF did not read fast enough
     * @param lossNotices LOSS_NOTICE ranges created (drops and losses the middleware reported)
     * @param errors ERROR frames sent, by code
     * @param decodeErrors frames the decoder refused, by kind
     * @param tlsRefused TLS connections that ended before anything got through TLS: a refused
     *     handshake (no certificate from the gateway's CA, or no TLS at all), or a peer that left at once
     * @param refusedSources connections closed at once because their source address is banned for
     *     a while (its connections kept ending before a handshake: {@code source-limit})
     */
    public record Counters(long accepted, long refusedConnections, long open, long handshakes,
                           long handshakeTimeouts, long framesIn,
                           long framesOut, long framingCloses, long deliveries, long deliveriesDropped,
                           long lossNotices, Map<ErrorCode, Long> errors,
                           Map<DecodeError.Kind, Long> decodeErrors, long tlsRefused, long refusedSources) {

        /** ERROR frames sent with this code. */
        public long errors(ErrorCode code) {
            return errors.getOrDefault(code, 0L);
        }

        /** Frames refused by the decoder with this kind. */
        public long decodeErrors(DecodeError.Kind kind) {
            return decodeErrors.getOrDefault(kind, 0L);
        }
    }

    private final ActorSystem<?> system;
    private final ActorRef<Middleware.Command> middleware;
    private final GatewaySettings settings;
    private final GatewayCounters counters = new GatewayCounters();
    private final Set<String> namesInUse = ConcurrentHashMap.newKeySet();
    private final SourceLimits sources;
    private final SharedKillSwitch connections;
    private final Materializer materializer;
    private CompletionStage<Tcp.ServerBinding> binding;

    private VnfGateway(ActorSystem<?> system, ActorRef<Middleware.Command> middleware, GatewaySettings settings) {
        this.system = system;
        this.middleware = middleware;
        this.settings = settings;
        this.materializer = Materializer.matFromSystem(system);
        this.connections = KillSwitches.shared("vnf-gateway-" + settings.serverName());
        this.sources = new SourceLimits(settings.sourceLimits(), System::nanoTime);
    }

    /**
     * Binds {@code settings.host():settings.port()} and serves VNF sessions for {@code middleware};
     * completes once listening (exceptionally if the address cannot be bound).
     */
    public static CompletionStage<VnfGateway> start(ActorSystem<?> system, ActorRef<Middleware.Command> middleware,
                                                    GatewaySettings settings) {
        VnfGateway gateway = new VnfGateway(system, middleware, settings);
        Tcp tcp = Tcp.get(system);
        gateway.binding = (settings.tls() == null ? tcp.bind(settings.host(), settings.port())
                : tcp.bindWithTls(settings.host(), settings.port(), settings.tls()::serverEngine))
                // While an address is banned, accepting slows down: a flood's connections wait in the
                // kernel's backlog instead of each costing an accept and a stream here.
                .throttle(settings.sourceLimits().acceptsWhileBanned(), Duration.ofSeconds(1),
                        settings.sourceLimits().acceptsWhileBanned(),
                        connection -> gateway.sources.anyBanned() ? 1 : 0, ThrottleMode.shaping())
                .to(Sink.foreach(gateway::accept))
                .run(gateway.materializer);
        return gateway.binding.thenApply(bound -> {
            log.info("VNF gateway of {} listening on {}{}", settings.serverName(), bound.localAddress(),
                    settings.tls() == null ? "" : " (TLS, certificates from " + settings.tls().directory() + ")");
            return gateway;
        });
    }

    /** The address the gateway listens on (the real port when bound to port 0). */
    public InetSocketAddress localAddress() {
        return binding.toCompletableFuture().join().localAddress();
    }

    /** A point-in-time copy of the counters. */
    public Counters counters() {
        return counters.snapshot();
    }

    /** Stops listening and closes every open session (their VNFs leave the middleware). */
    public CompletionStage<Done> close() {
        return binding.thenCompose(Tcp.ServerBinding::unbind).thenApply(unbound -> {
            connections.shutdown();
            return Done.getInstance();
        });
    }

    private void accept(Tcp.IncomingConnection connection) {
        try {
            serve(connection);
        } catch (RuntimeException e) {
            // One connection's failure must not end the listener.
            log.warn("VNF gateway of {}: cannot serve {}", settings.serverName(), connection.remoteAddress(), e);
        }
    }

    private void serve(Tcp.IncomingConnection connection) {
        InetAddress source = connection.remoteAddress().getAddress();
        if (!sources.admits(source)) {
            // Closed before anything is made for it: no session, no decoder, no TLS engine.
            counters.refusedSources.increment();
            connection.handleWith(Flow.fromSinkAndSource(Sink.cancelled(), Source.empty()), materializer);
            return;
        }
        if (counters.open.sum() >= settings.maxConnections()) {
            counters.refusedConnections.increment();
            counters.errorSent(ErrorCode.UNAVAILABLE);
            VnfMessage.Error busy = VnfMessage.Error.of(0, ErrorCode.UNAVAILABLE,
                    settings.maxConnections() + " VNF sessions are open; retry later");
            connection.handleWith(Flow.fromSinkAndSource(Sink.ignore(),
                    Source.single(ByteString.fromArrayUnsafe(VnfFrameCodec.encode(busy)))), materializer);
            return;
        }
        counters.accepted.increment();
        counters.open.increment();
        Outbox outbox = new Outbox(settings.outboundBuffer(), counters);
        VnfSession session = new VnfSession(system, middleware, settings, counters, outbox, namesInUse,
                connection.remoteAddress().toString());
        connection.handleWith(sessionFlow(session, outbox, source), materializer);
    }

    private Flow<ByteString, ByteString, NotUsed> sessionFlow(VnfSession session, Outbox outbox, InetAddress source) {
        AtomicBoolean spoke = new AtomicBoolean(); // whether any byte got through (TLS) to the session
        return Flow.of(ByteString.class)
                .wireTap(bytes -> spoke.set(true))
                .via(FrameDecoding.flow(settings.maxFrameBytes(), counters))
                .mapAsync(1, session::handle)
                // Eager, and the deadline never completes: the session ends with the connection, not later.
                .merge(Source.single(Done.getInstance()).initialDelay(settings.handshakeTimeout())
                        .mapConcat(deadline -> session.handshakeDeadline())
                        .concat(Source.maybe()), true)
                .takeWhile(step -> !step.close(), true)
                .mapConcat(VnfSession.Step::frames)
                // Eager: when the VNF hangs up (or is hung up on), the outbox must not keep the stream open.
                .merge(outbox.source(), true)
                .mapConcat(this::encode)
                .via(connections.flow())
                .watchTermination((mat, done) -> {
                    done.whenComplete((d, failure) -> {
                        counters.open.decrement();
                        session.close();
                        if (session.handshook()) {
                            sources.handshook(source);
                        } else if (sources.failed(source)) {
                            log.warn("VNF gateway of {}: connections from {} keep ending before a handshake; refusing "
                                    + "them for {} ms", settings.serverName(), source.getHostAddress(),
                                    sources.banLeft(source).toMillis());
                        }
                        if (settings.tls() != null && !spoke.get()) {
                            // The TLS stage ends the connection quietly when the handshake fails: a
                            // peer without a certificate from the CA, or not speaking TLS at all.
                            counters.tlsRefused.increment();
                            log.warn("VNF gateway of {}: {} ended before anything got through TLS (no "
                                    + "certificate from the gateway's CA, or no TLS)", settings.serverName(), session);
                        } else if (failure != null) {
                            log.debug("{} ended: {}", session, failure.toString());
                        }
                    });
                    return mat;
                });
    }

    private List<ByteString> encode(VnfMessage message) {
        try {
            byte[] frame = VnfFrameCodec.encode(message, settings.maxFrameBytes());
            counters.framesOut.increment();
            return List.of(ByteString.fromArrayUnsafe(frame));
        } catch (IllegalArgumentException tooLarge) {
            // Only a DELIVER can outgrow the frame limit (an update above the limit's payload size).
            if (message instanceof VnfMessage.Deliver deliver) {
                counters.lossNotices.increment();
                return encode(new VnfMessage.LossNotice(deliver.stateId(), deliver.updateNo(), deliver.updateNo(),
                        VnfMessage.LossNotice.Outcome.UNRECOVERABLE));
            }
            log.warn("cannot encode {} ({}): dropped", FrameType.of(message), tooLarge.getMessage());
            return List.of();
        }
    }
}
