package io.stare.actors.middleware.gateway;

import io.stare.actors.middleware.InJvmClient;
import io.stare.actors.middleware.Middleware;
import io.stare.actors.middleware.PacedListener;
import io.stare.actors.middleware.gateway.FrameDecoding.Inbound;
import io.stare.client.Delivery;
import io.stare.client.PublishResult;
import io.stare.client.StareClient;
import io.stare.protocol.ErrorCode;
import io.stare.protocol.vnf.VnfHandshake;
import io.stare.protocol.vnf.VnfMessage;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * One TCP VNF's session: turns each decoded frame into a request through the in-JVM API
 * ({@link StareClient}, the VNF's actor) and the request's outcome into reply frames.
 *
 * <pre>
 *   AWAIT_HELLO --HELLO ok--> OPEN --REGISTER_VNF ok--> REGISTERED
 *        |                      anything else before REGISTER_VNF: ERROR NOT_REGISTERED
 *        +-- anything else, or no common version: ERROR, then close
 * </pre>
 *
 * <p>The connection's stream calls {@link #handle} for one frame at a time (mapAsync with parallelism
 * 1), so requests are served in the order sent and the fields need no locking: a VNF that sends
 * faster than it is served is back-pressured through TCP. Updates of subscribed states go to the
 * {@link Outbox}, not through here.
 */
final class VnfSession {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(VnfSession.class);

    /** The frames that answer one inbound item, and whether the connection closes after them. */
    record Step(List<VnfMessage> frames, boolean close) {
    }

    private final ActorSystem<?> system;
    private final ActorRef<Middleware.Command> middleware;
    private final GatewaySettings settings;
    private final GatewayCounters counters;
    private final Outbox outbox;
    private final Set<String> namesInUse;
    private final String remote;

    private volatile boolean helloed;
    private volatile CompletableFuture<StareClient> client;
    private volatile String vnfName;
    /** Subscribed state ID to name: UNSUBSCRIBE names the state by ID, StareClient by name. */
    private final Map<Integer, String> subscriptions = new ConcurrentHashMap<>();

    VnfSession(ActorSystem<?> system, ActorRef<Middleware.Command> middleware, GatewaySettings settings,
               GatewayCounters counters, Outbox outbox, Set<String> namesInUse, String remote) {
        this.system = system;
        this.middleware = middleware;
        this.settings = settings;
        this.counters = counters;
        this.outbox = outbox;
        this.namesInUse = namesInUse;
        this.remote = remote;
    }

    /** The answer to one decoded frame or refusal. */
    CompletionStage<Step> handle(Inbound inbound) {
        if (inbound instanceof Inbound.Refused refused) {
            // Before the handshake, garbage means a stray client: refuse it and hang up.
            return done(error(0, Refusals.of(refused.error()), refused.error().toString()),
                    refused.fatal() || !helloed);
        }
        VnfMessage message = ((Inbound.Frame) inbound).message();
        if (!helloed) {
            return done(hello(message));
        }
        try {
            return request(message).exceptionally(failure ->
                    new Step(List.of(error(requestIdOf(message), Refusals.of(failure), Refusals.describe(failure))), false));
        } catch (RuntimeException bug) {
            return done(error(requestIdOf(message), ErrorCode.INTERNAL, bug.toString()), false);
        }
    }

    /** Whether the VNF completed its handshake (said a HELLO the gateway accepted). */
    boolean handshook() {
        return helloed;
    }

    /** At the handshake deadline: nothing if the VNF said HELLO, else an ERROR that ends the connection. */
    List<Step> handshakeDeadline() {
        if (helloed) {
            return List.of();
        }
        counters.handshakeTimeouts.increment();
        return List.of(new Step(List.of(error(0, ErrorCode.BAD_REQUEST, "no HELLO within "
                + settings.handshakeTimeout().toMillis() + " ms")), true));
    }

    private Step hello(VnfMessage message) {
        if (!(message instanceof VnfMessage.Hello hello)) {
            return new Step(List.of(error(requestIdOf(message), ErrorCode.BAD_REQUEST,
                    "the first frame must be HELLO, got " + message.frameType())), true);
        }
        VnfMessage answer = VnfHandshake.answer(hello, settings.serverName(), settings.maxFrameBytes());
        if (answer instanceof VnfMessage.Error refusal) {
            counters.errorSent(refusal.code());
            return new Step(List.of(answer), true);
        }
        helloed = true;
        counters.handshakes.increment();
        return new Step(List.of(answer), false);
    }

    private CompletionStage<Step> request(VnfMessage message) {
        if (message instanceof VnfMessage.RegisterVnf register) {
            return register(register);
        }
        if (!isRequest(message)) {
            return done(error(requestIdOf(message), ErrorCode.BAD_REQUEST, message.frameType() + " is not a request"), false);
        }
        if (client == null) {
            return done(error(requestIdOf(message), ErrorCode.NOT_REGISTERED, "send REGISTER_VNF first"), false);
        }
        return client.thenCompose(vnf -> serve(vnf, message));
    }

    private CompletionStage<Step> serve(StareClient vnf, VnfMessage message) {
        if (message instanceof VnfMessage.DeclarePublishState d) {
            return vnf.declare(d.stateName()).thenApply(id ->
                    reply(new VnfMessage.StateDeclared(d.requestId(), d.stateName(), id)));
        }
        if (message instanceof VnfMessage.LookupState l) {
            return lookup(l);
        }
        if (message instanceof VnfMessage.Subscribe s) {
            return vnf.subscribeFrom(s.stateName(), s.resumeFrom(), new Forward()).thenApply(id -> {
                subscriptions.put(id, s.stateName());
                return reply(new VnfMessage.Subscribed(s.requestId(), s.stateName(), id));
            });
        }
        if (message instanceof VnfMessage.Unsubscribe u) {
            return unsubscribe(vnf, u);
        }
        if (message instanceof VnfMessage.ListStates l) {
            // The controller lists at most StatesListed.MAX_NAMES: a full list may have left some out.
            return vnf.states(l.prefix()).thenApply(names -> reply(VnfMessage.StatesListed.fitting(l.requestId(),
                    l.prefix(), names, names.size() < io.stare.protocol.control.StatesListed.MAX_NAMES)));
        }
        return publish(vnf, (VnfMessage.Publish) message); // isRequest() admitted nothing else
    }

    private CompletionStage<Step> register(VnfMessage.RegisterVnf register) {
        if (client != null) {
            return done(error(register.requestId(), ErrorCode.BAD_REQUEST, "already registered as " + vnfName), false);
        }
        if (settings.tokens() != null && !settings.tokens().admits(register.vnfName(), register.token())) {
            // Counted with the errors sent (NOT_AUTHORIZED); logged, as every refused credential is.
            log.warn("{}: refused a registration as {}: {} token", settings.serverName(), register.vnfName(),
                    register.token().isEmpty() ? "no" : "a wrong");
            return done(error(register.requestId(), ErrorCode.NOT_AUTHORIZED, register.token().isEmpty()
                    ? "this gateway asks for the VNF's token (stare token --name " + register.vnfName() + ")"
                    : "the token is not " + register.vnfName() + "'s"), false);
        }
        // Two sessions under one name would share one VNF ID in the middleware: refuse the second.
        if (!namesInUse.add(register.vnfName())) {
            return done(error(register.requestId(), ErrorCode.BAD_REQUEST,
                    "another TCP VNF is registered as " + register.vnfName()), false);
        }
        vnfName = register.vnfName();
        CompletableFuture<StareClient> connecting = InJvmClient.connect(system, middleware, register.vnfName(),
                settings.requestTimeout(), register.move()).<StareClient>thenApply(vnf -> vnf).toCompletableFuture();
        client = connecting;
        return connecting.handle((vnf, failure) -> {
            if (failure != null) {
                client = null; // may try again
                namesInUse.remove(register.vnfName());
                return new Step(List.of(error(register.requestId(), Refusals.of(failure), Refusals.describe(failure))),
                        false);
            }
            return reply(new VnfMessage.VnfRegistered(register.requestId(), register.vnfName(), vnf.vnfId()));
        });
    }

    private CompletionStage<Step> lookup(VnfMessage.LookupState lookup) {
        return AskPattern.<Middleware.Command, Middleware.Reply>ask(middleware,
                        replyTo -> new Middleware.Lookup(lookup.stateName(), replyTo), settings.requestTimeout(),
                        system.scheduler())
                .thenApply(answer -> answer instanceof Middleware.Found found
                        ? reply(new VnfMessage.StateFound(lookup.requestId(), lookup.stateName(), found.stateId()))
                        : reply(error(lookup.requestId(), answer instanceof Middleware.Failed failed ? failed.code()
                                : ErrorCode.INTERNAL, reasonOf(answer))));
    }

    private CompletionStage<Step> unsubscribe(StareClient vnf, VnfMessage.Unsubscribe unsubscribe) {
        String name = subscriptions.get(unsubscribe.stateId());
        if (name == null) {
            return done(error(unsubscribe.requestId(), ErrorCode.UNKNOWN_STATE,
                    "not subscribed to state " + unsubscribe.stateId()), false);
        }
        return vnf.unsubscribe(name).thenApply(d -> {
            subscriptions.remove(unsubscribe.stateId());
            return reply(new VnfMessage.Unsubscribed(unsubscribe.requestId(), unsubscribe.stateId()));
        });
    }

    private CompletionStage<Step> publish(StareClient vnf, VnfMessage.Publish publish) {
        return vnf.publish(publish.stateId(), publish.payload()).thenApply(result -> {
            if (result instanceof PublishResult.Published p) {
                return reply(new VnfMessage.Published(publish.requestId(), p.stateId(), p.update()));
            }
            PublishResult.Refused refused = (PublishResult.Refused) result;
            return reply(error(publish.requestId(), Refusals.of(refused.reason()), refused.detail()));
        });
    }

    /** The connection is gone: its VNF leaves the middleware, which ends its subscriptions. */
    void close() {
        outbox.close();
        CompletableFuture<StareClient> current = client;
        if (current != null) {
            current.thenAccept(StareClient::close); // also when the connection went away while registering
            current.whenComplete((vnf, failure) -> namesInUse.remove(vnfName));
        }
    }

    /** Which VNF this session registered, for logs. */
    @Override
    public String toString() {
        return "VnfSession[" + remote + (vnfName != null ? ", " + vnfName : "") + "]";
    }

    /** Hands a subscribed state's updates and losses to the outbox; never blocks the VNF actor, pauses it. */
    private final class Forward implements PacedListener {
        @Override
        public boolean ready(Runnable resume) {
            return outbox.ready(resume);
        }

        @Override
        public void onDelivery(Delivery.Update update) {
            outbox.deliver(update);
        }

        @Override
        public void onUpdate(int stateId, long update, byte[] value) {
            throw new UnsupportedOperationException("the VNF actor calls onDelivery");
        }

        @Override
        public void onLoss(Delivery.Loss loss) {
            outbox.loss(loss);
        }
    }

    private static boolean isRequest(VnfMessage message) {
        return message instanceof VnfMessage.DeclarePublishState || message instanceof VnfMessage.LookupState
                || message instanceof VnfMessage.Subscribe || message instanceof VnfMessage.Unsubscribe
                || message instanceof VnfMessage.Publish || message instanceof VnfMessage.ListStates;
    }

    private static long requestIdOf(VnfMessage message) {
        if (message instanceof VnfMessage.RegisterVnf m) {
            return m.requestId();
        } else if (message instanceof VnfMessage.DeclarePublishState m) {
            return m.requestId();
        } else if (message instanceof VnfMessage.LookupState m) {
            return m.requestId();
        } else if (message instanceof VnfMessage.Subscribe m) {
            return m.requestId();
        } else if (message instanceof VnfMessage.Unsubscribe m) {
            return m.requestId();
        } else if (message instanceof VnfMessage.Publish m) {
            return m.requestId();
        } else if (message instanceof VnfMessage.ListStates m) {
            return m.requestId();
        }
        return 0;
    }

    private static String reasonOf(Middleware.Reply reply) {
        return reply instanceof Middleware.Failed failed ? failed.request() + ": " + failed.reason()
                : "unexpected " + reply;
    }

    private VnfMessage.Error error(long requestId, ErrorCode code, String text) {
        counters.errorSent(code);
        return VnfMessage.Error.of(requestId, code, text);
    }

    private static Step reply(VnfMessage message) {
        return new Step(List.of(message), false);
    }

    private static CompletionStage<Step> done(VnfMessage message, boolean close) {
        return CompletableFuture.completedFuture(new Step(List.of(message), close));
    }

    private static CompletionStage<Step> done(Step step) {
        return CompletableFuture.completedFuture(step);
    }
}
