package io.stare.actors.middleware;

import io.stare.client.DeclarationWait;
import io.stare.client.PublishResult;
import io.stare.client.StareClient;
import io.stare.client.StareException;
import io.stare.client.StateCodec;
import io.stare.client.StateListener;
import io.stare.client.UpdateHandler;
import io.stare.client.ValueListener;
import io.stare.protocol.ErrorCode;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * The {@link StareClient} of a VNF in the middleware's own JVM, the plain Java face of a
 * {@link Vnf} actor: register a VNF by name, declare publish states, publish, subscribe and
 * unsubscribe. Requests are {@link CompletionStage}s; one the middleware refuses completes
 * exceptionally with {@link StareException}.
 *
 * <p><b>Publishing</b> is the hot path and never goes through an actor: {@link #tryPublish} copies
 * the bytes into the middleware's publish log on the caller's thread and answers with a code (the
 * update number, or a negative {@link PublishResult} code), allocating nothing; {@code publish}
 * wraps it in a completed {@link PublishResult}. <b>Receiving</b> has two forms: an
 * {@link UpdateHandler} is called by the middleware's main path with the bytes where they lie (no
 * copy; it must not block), a {@link StateListener} by the VNF's actor with a copy.
 *
 * <pre>{@code
 * StareClient client = InJvmClient.connect(system, middleware, "mobility-tracker").toCompletableFuture().get();
 * int locations = client.declare("ue-locations").toCompletableFuture().get();
 * client.subscribe("cell-loads", (state, update, value) -> ...);                       // a copy, on the VNF's actor
 * client.subscribe("flow-counts", (state, publisher, update, buffer, offset, length) -> ...); // in place
 * long update = client.tryPublish(locations, bytes, 0, bytes.length);                  // >= 0, or a refusal code
 * client.publish("ue-locations", location, StateCodec.json(Location.class));
 * }</pre>
 */
public final class InJvmClient implements StareClient {

    private static final AtomicLong INSTANCES = new AtomicLong();

    private final ActorSystem<?> system;
    private final ActorRef<Vnf.Command> vnf;
    private final Vnf.Handle handle;
    private final String name;
    private final int vnfId;
    private final Duration timeout;
    private final Map<String, Integer> declared = new ConcurrentHashMap<>();

    private InJvmClient(ActorSystem<?> system, ActorRef<Vnf.Command> vnf, Vnf.Handle handle, String name, int vnfId,
                        Duration timeout) {
        this.system = system;
        this.vnf = vnf;
        this.handle = handle;
        this.name = name;
        this.vnfId = vnfId;
        this.timeout = timeout;
    }

    /** Registers a VNF named {@code vnfName} with a 10 s bound on every request. */
    public static CompletionStage<InJvmClient> connect(ActorSystem<?> system, ActorRef<Middleware.Command> middleware,
                                                       String vnfName) {
        return connect(system, middleware, vnfName, Duration.ofSeconds(10));
    }

    /** Registers a VNF named {@code vnfName}: spawns its actor, which gets its VNF ID through the middleware. */
    public static CompletionStage<InJvmClient> connect(ActorSystem<?> system, ActorRef<Middleware.Command> middleware,
                                                       String vnfName, Duration timeout) {
        return connect(system, middleware, vnfName, timeout, false);
    }

    /**
     * The same, moving the VNF here if {@code move}: a name is bound to the middleware it first
     * registered at, and registering it at another fails ({@code NOT_AUTHORIZED}) unless it moves.
     */
    public static CompletionStage<InJvmClient> connect(ActorSystem<?> system, ActorRef<Middleware.Command> middleware,
                                                       String vnfName, Duration timeout, boolean move) {
        String actorName = "vnf-" + vnfName.replaceAll("[^A-Za-z0-9_-]", "_") + "-" + INSTANCES.incrementAndGet();
        Vnf.Handle handle = new Vnf.Handle();
        ActorRef<Vnf.Command> vnf = system.systemActorOf(Vnf.create(vnfName, middleware, timeout, handle, move), actorName,
                Props.empty());
        return AskPattern.<Vnf.Command, Middleware.Reply>ask(vnf, Vnf.AwaitAttached::new, timeout.multipliedBy(2),
                system.scheduler()).thenApply(reply -> {
                    if (reply instanceof Middleware.Attached attached) {
                        return new InJvmClient(system, vnf, handle, vnfName, attached.vnfId(), timeout);
                    }
                    vnf.tell(Vnf.Stop.INSTANCE);
                    throw failure(reply);
                });
    }

    /** The VNF's name. */
    public String name() {
        return name;
    }

    /** The globally unique VNF ID the replica controller assigned. */
    public int vnfId() {
        return vnfId;
    }

    /**
     * How many times this VNF's listeners and update handlers threw (an exception, or an
     * {@link AssertionError} of a test's assertion). Such a failure is never
     * thrown into the data path: it is counted here (and, for inline handlers, in the server's
     * {@link Middleware.Stats#handlerErrors()}), logged for the 1st, 2nd, 4th, ... time, and the
     * deliveries go on. The test kit fails a test whose VNFs' listeners threw.
     */
    public long listenerFailures() {
        return handle.listenerFailures.get();
    }

    /** The first exception (or failed assertion) a listener or handler of this VNF threw, if any. */
    public java.util.Optional<Throwable> firstListenerFailure() {
        return java.util.Optional.ofNullable(handle.firstListenerFailure.get());
    }

    /** The VNF's actor, for code that speaks its protocol directly. */
    public ActorRef<Vnf.Command> actor() {
        return vnf;
    }

    /** Declares a state this VNF publishes; completes with its state ID. */
    public CompletionStage<Integer> declare(String stateName) {
        return ask(replyTo -> new Vnf.Declare(stateName, replyTo)).thenApply(reply -> {
            if (reply instanceof Middleware.Declared d) {
                declared.put(stateName, d.stateId());
                return d.stateId();
            }
            throw failure(reply);
        });
    }

    /**
     * Publishes an update of a state this VNF declared, from {@code value[offset, offset + length)},
     * on the caller's thread: the update number (0 or more), or a negative code
     * ({@link PublishResult#NOT_DECLARED}, {@link PublishResult#BACK_PRESSURED},
     * {@link PublishResult#TOO_LARGE}, {@link PublishResult#UNAVAILABLE}; {@link PublishResult#reason}
     * names it). The bytes are copied before it returns; nothing is allocated. Thread-safe.
     */
    public long tryPublish(int stateId, byte[] value, int offset, int length) {
        IntModule module = handle.module;
        return module == null || handle.restoring ? PublishResult.UNAVAILABLE
                : module.tryPublish(stateId, value, offset, length);
    }

    /** The same from a buffer's absolute indexes {@code [offset, offset + length)} (its position is left alone). */
    public long tryPublish(int stateId, ByteBuffer value, int offset, int length) {
        IntModule module = handle.module;
        return module == null || handle.restoring ? PublishResult.UNAVAILABLE
                : module.tryPublish(stateId, value, offset, length);
    }

    /** The state ID of a state this VNF declared, or -1. */
    public int stateId(String stateName) {
        Integer state = declared.get(stateName);
        return state == null ? -1 : state;
    }

    /**
     * Publishes an update of a state by ID (the middleware refuses a state this VNF did not
     * declare); completes at once, with the outcome of {@link #tryPublish}.
     */
    public CompletionStage<PublishResult> publish(int stateId, byte[] value) {
        return CompletableFuture.completedFuture(publishNow(handle, name, stateId, value));
    }

    /** {@link #tryPublish}'s outcome as a value: for the wrappers and the VNF actor's Publish. */
    static PublishResult publishNow(Vnf.Handle handle, String vnfName, int stateId, byte[] value) {
        IntModule module = handle.module;
        if (module == null || handle.restoring) {
            return new PublishResult.Refused(PublishResult.Reason.UNAVAILABLE, vnfName
                    + (module == null ? " is not attached" : " is declaring its states again after a middleware restart"));
        }
        long code = module.tryPublish(stateId, value, 0, value.length);
        return PublishResult.of(stateId, code, code >= 0 ? module.segmentsOf(stateId, value.length) : 0);
    }

    /**
     * Subscribes to a state by name; completes with its state ID once the subscription is in place
     * (exceptionally if the state is unknown or the switch never acknowledged it).
     */
    public CompletionStage<Integer> subscribe(String stateName, StateListener listener) {
        return ask(replyTo -> new Vnf.Subscribe(stateName, listener, replyTo)).thenApply(reply -> {
            if (reply instanceof Middleware.Subscribed s) {
                return s.stateId();
            }
            throw failure(reply);
        });
    }

    @Override
    public CompletionStage<Integer> subscribeFrom(String stateName, long resumeFrom, StateListener listener) {
        return ask(replyTo -> new Vnf.Subscribe(stateName, listener, null, resumeFrom, replyTo)).thenApply(reply -> {
            if (reply instanceof Middleware.Subscribed s) {
                return s.stateId();
            }
            throw failure(reply);
        });
    }

    /**
     * Subscribes to a state by name with a handler the middleware's main path calls with each
     * update's bytes where they lie (see {@link UpdateHandler} for its contract); completes with the
     * state ID once the subscription is in place.
     */
    public CompletionStage<Integer> subscribe(String stateName, UpdateHandler handler) {
        return ask(replyTo -> new Vnf.Subscribe(stateName, null, handler, replyTo)).thenApply(reply -> {
            if (reply instanceof Middleware.Subscribed s) {
                return s.stateId();
            }
            throw failure(reply);
        });
    }

    /**
     * Subscribes as {@link #subscribe(String, StateListener)}, but if no VNF has declared the state
     * yet, asks again every {@value DeclarationWait#POLL_MS} ms until one does or {@code wait} has
     * passed (then it fails with {@link ErrorCode#UNKNOWN_STATE}): for a subscriber that may start
     * before its publisher. Other refusals fail at once.
     */
    public CompletionStage<Integer> subscribe(String stateName, StateListener listener, Duration wait) {
        return DeclarationWait.untilDeclared(() -> subscribe(stateName, listener), System.nanoTime() + wait.toNanos());
    }

    /** {@link #subscribe(String, UpdateHandler)}, waiting up to {@code wait} for the state's declaration. */
    public CompletionStage<Integer> subscribe(String stateName, UpdateHandler handler, Duration wait) {
        return DeclarationWait.untilDeclared(() -> subscribe(stateName, handler), System.nanoTime() + wait.toNanos());
    }

    /** Ends a subscription; once complete, the listener hears nothing more of the state. */
    public CompletionStage<Void> unsubscribe(String stateName) {
        return ask(replyTo -> new Vnf.Unsubscribe(stateName, replyTo)).thenApply(reply -> {
            if (reply instanceof Middleware.Unsubscribed) {
                return null;
            }
            throw failure(reply);
        });
    }

    @Override
    public CompletionStage<List<String>> states(String prefix) {
        return ask(replyTo -> new Vnf.ListStates(prefix, replyTo)).thenApply(reply -> {
            if (reply instanceof Middleware.Listed listed) {
                return listed.stateNames();
            }
            throw failure(reply);
        });
    }

    /** Detaches the VNF and stops its actor. */
    @Override
    public void close() {
        vnf.tell(Vnf.Stop.INSTANCE);
    }

    private CompletionStage<Middleware.Reply> ask(
            org.apache.pekko.japi.function.Function<ActorRef<Middleware.Reply>, Vnf.Command> request) {
        // The middleware may itself wait for the controller and for the switch's ARQ: allow for both.
        return AskPattern.ask(vnf, request, timeout.multipliedBy(3), system.scheduler());
    }

    private static CompletionException failure(Middleware.Reply reply) {
        return new CompletionException(reply instanceof Middleware.Failed f
                ? new StareException(f.code(), f.request() + ": " + f.reason())
                : new StareException(ErrorCode.INTERNAL, "unexpected " + reply));
    }
}
