package io.stare.actors.middleware;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * The plain Java face of a {@link Vnf}: register a VNF by name, declare publish states, publish,
 * subscribe and unsubscribe, all as {@link CompletionStage}s. A request the middleware refuses
 * completes exceptionally with {@link StareException}; a publish completes with a
 * {@link PublishResult} value instead (publishing is the hot path, refusals are expected there).
 *
 * <pre>{@code
 * StareClient client = StareClient.connect(system, middleware, "mobility-tracker").toCompletableFuture().get();
 * client.declare("ue-locations").toCompletableFuture().get();
 * client.subscribe("cell-loads", (state, update, value) -> ...);
 * client.publish("ue-locations", bytes);
 * client.publish("ue-locations", location, StateCodec.json(Location.class));
 * }</pre>
 */
public final class StareClient implements AutoCloseable {

    /** A request the middleware or the replica controller refused. */
    public static final class StareException extends RuntimeException {
        public StareException(String message) {
            super(message);
        }
    }

    private static final AtomicLong INSTANCES = new AtomicLong();

    private final ActorSystem<?> system;
    private final ActorRef<Vnf.Command> vnf;
    private final String name;
    private final int vnfId;
    private final Duration timeout;
    private final Map<String, Integer> declared = new ConcurrentHashMap<>();

    private StareClient(ActorSystem<?> system, ActorRef<Vnf.Command> vnf, String name, int vnfId, Duration timeout) {
        this.system = system;
        this.vnf = vnf;
        this.name = name;
        this.vnfId = vnfId;
        this.timeout = timeout;
    }

    /** Registers a VNF named {@code vnfName} with a 10 s bound on every request. */
    public static CompletionStage<StareClient> connect(ActorSystem<?> system, ActorRef<Middleware.Command> middleware,
                                                       String vnfName) {
        return connect(system, middleware, vnfName, Duration.ofSeconds(10));
    }

    /** Registers a VNF named {@code vnfName}: spawns its actor, which gets its VNF ID through the middleware. */
    public static CompletionStage<StareClient> connect(ActorSystem<?> system, ActorRef<Middleware.Command> middleware,
                                                       String vnfName, Duration timeout) {
        String actorName = "vnf-" + vnfName.replaceAll("[^A-Za-z0-9_-]", "_") + "-" + INSTANCES.incrementAndGet();
        ActorRef<Vnf.Command> vnf = system.systemActorOf(Vnf.create(vnfName, middleware, timeout), actorName, Props.empty());
        return AskPattern.<Vnf.Command, Middleware.Reply>ask(vnf, Vnf.AwaitAttached::new, timeout.multipliedBy(2),
                system.scheduler()).thenApply(reply -> {
                    if (reply instanceof Middleware.Attached attached) {
                        return new StareClient(system, vnf, vnfName, attached.vnfId(), timeout);
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

    /** Publishes an update of a declared state, by name. */
    public CompletionStage<PublishResult> publish(String stateName, byte[] value) {
        Integer state = declared.get(stateName);
        if (state == null) {
            return CompletableFuture.completedFuture(new PublishResult.Refused(PublishResult.Reason.NOT_DECLARED,
                    name + " did not declare " + stateName));
        }
        return publish(state, value);
    }

    /** Publishes an update of a state by ID (the middleware refuses a state this VNF did not declare). */
    public CompletionStage<PublishResult> publish(int stateId, byte[] value) {
        return AskPattern.<Vnf.Command, PublishResult>ask(vnf, replyTo -> new Vnf.Publish(stateId, value.clone(), replyTo),
                        timeout, system.scheduler())
                .exceptionallyAsync(error -> new PublishResult.Refused(PublishResult.Reason.UNAVAILABLE, String.valueOf(error)),
                        InlineExecutor.INSTANCE);
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

    /** Publishes a value of a declared state, by name, encoded by {@code codec}. */
    public <T> CompletionStage<PublishResult> publish(String stateName, T value, StateCodec<T> codec) {
        return publish(stateName, codec.encode(value));
    }

    /**
     * Subscribes to a state by name, receiving values decoded by {@code codec}. Bytes the codec
     * refuses reach {@link ValueListener#onUndecodable}.
     */
    public <T> CompletionStage<Integer> subscribe(String stateName, StateCodec<T> codec, ValueListener<T> listener) {
        return subscribe(stateName, listener.decodingWith(codec));
    }

    /** Ends a subscription; once complete, the listener hears nothing more of the state. */
    public CompletionStage<Done> unsubscribe(String stateName) {
        return ask(replyTo -> new Vnf.Unsubscribe(stateName, replyTo)).thenApply(reply -> {
            if (reply instanceof Middleware.Unsubscribed) {
                return Done.getInstance();
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
        String message = reply instanceof Middleware.Failed f ? f.request() + ": " + f.reason() : "unexpected " + reply;
        return new CompletionException(new StareException(message));
    }
}
