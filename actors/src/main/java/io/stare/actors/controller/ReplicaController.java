package io.stare.actors.controller;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import io.stare.actors.backlog.SegmentsCbor;
import io.stare.protocol.CborSerializable;
import io.stare.protocol.ErrorCode;
import io.stare.protocol.control.ControlFailure;
import io.stare.protocol.control.ControlReply;
import io.stare.protocol.control.ControlRequest;
import io.stare.protocol.control.DeclareState;
import io.stare.protocol.control.LatestUpdateQuery;
import io.stare.protocol.control.ListStates;
import io.stare.protocol.control.LookupState;
import io.stare.protocol.control.Recover;
import io.stare.protocol.control.RegisterVnf;
import io.stare.protocol.control.StateDeclared;
import io.stare.protocol.control.TruncationQuery;
import io.stare.protocol.control.TruncationReport;
import io.stare.protocol.segment.Segment;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;

/**
 * The replica controller as its users see it: hands out VNF and state IDs, keeps one backlog per
 * state, answers RECOVER and truncates the backlogs. It is contacted only at initialization, for
 * recovery and for truncation, never on the publish path.
 *
 * <p>This actor only routes. Name requests go to the {@link IdRegistry}, everything about a state
 * to that state's {@link StateBacklog}; both are event-sourced. Where they run is a
 * {@link Backends} choice: children of this actor ({@link #create(ControllerSettings)}, one
 * process) or a cluster singleton and sharded entities ({@link ControllerCluster}). Every node of
 * a cluster, middleware nodes included, runs one of these routers; its protocol is the same in both
 * cases.
 */
public final class ReplicaController extends AbstractBehavior<ReplicaController.Command> {

    /** What the controller accepts. Every message crosses the cluster as CBOR. */
    public sealed interface Command extends CborSerializable {
    }

    /**
     * A middleware's control request (RegisterVnf, DeclareState, LookupState, Recover,
     * LatestUpdateQuery); the answer goes to replyTo. A {@code TruncationQuery} is refused with
     * {@code INVALID_ARGUMENT}: it flows the other way.
     */
    public record Control(@ControlRequestTyped ControlRequest request, ActorRef<ControlReply> replyTo)
            implements Command {
    }

    /**
     * The publishing middleware hands the state's backlog segments to keep; the backlog confirms
     * the updates it holds whole with Appended, one message per run of consecutive updates
     * (possibly after a later Append completes one). Segments must all be of one state; an empty or
     * mixed Append is dropped (logged).
     */
    public record Append(@JsonSerialize(using = SegmentsCbor.Writer.class)
                         @JsonDeserialize(using = SegmentsCbor.Reader.class) List<Segment> segments,
                         ActorRef<Appended> replyTo) implements Command {

        public Append {
            segments = List.copyOf(segments);
        }

        /** The state the segments belong to, or -1 if they are none or several. */
        @JsonIgnore
        int stateId() {
            if (segments.isEmpty() || segments.stream().anyMatch(s -> s.stateId() != segments.get(0).stateId())) {
                return -1;
            }
            return segments.get(0).stateId();
        }
    }

    /**
     * Confirmation of an Append: the backlog holds every update {@code first..last} of state
     * {@code stateId} whole (or had already truncated it: every subscriber holds it, nothing left to
     * keep). One message confirms a whole batch, so a publisher at 200,000 updates/s gets a few
     * hundred of them a second, not one per update.
     */
    public record Appended(int stateId, long first, long last) implements CborSerializable {
        public Appended {
            if (first > last) {
                throw new IllegalArgumentException("confirmed range " + first + ".." + last + " is empty");
            }
        }

        /** One update confirmed. */
        public Appended(int stateId, long update) {
            this(stateId, update, update);
        }

        /** How many updates this confirms. */
        public long count() {
            return last - first + 1;
        }
    }

    /** A middleware subscribes a state (for truncation bookkeeping); no reply. */
    public record SubscriberJoined(int stateId, String subscriberId, ActorRef<TruncationQuery> truncationQueries)
            implements Command {
    }

    /** A middleware unsubscribes a state: it no longer holds the backlog back; no reply. */
    public record SubscriberLeft(int stateId, String subscriberId) implements Command {
    }

    /** A middleware's answer to a TruncationQuery. */
    public record Truncation(TruncationReport report) implements Command {
    }

    /**
     * The middleware of the server that publishes a state asks whether another server subscribes
     * to it: answered now at {@code replyTo} and, whenever the answer changes, at {@code updates}.
     * While none does, the middleware keeps the state's publishes off the network.
     */
    public record PublisherJoined(int stateId, String serverId, ActorRef<RemoteSubscribers> updates,
                                  ActorRef<Appended> appended, ActorRef<RemoteSubscribers> replyTo)
            implements Command {
    }

    /** Whether a server other than the publisher's subscribes to {@code stateId}. */
    public record RemoteSubscribers(int stateId, boolean any) implements CborSerializable {
    }

    /** Asks for one state's backlog figures. */
    public record GetBacklogStatus(int stateId, ActorRef<StateBacklog.Status> replyTo) implements Command {
    }

    /** Asks how many IDs are assigned. */
    public record GetRegistryStatus(ActorRef<IdRegistry.Status> replyTo) implements Command {
    }

    private record DeclareAnswer(ControlReply reply, Throwable error, ActorRef<ControlReply> replyTo)
            implements Command {
    }

    private enum StoreReady implements Command {
        INSTANCE
    }

    private record StoreFailed(Throwable error) implements Command {
    }

    /** Where the registry and the backlogs run. */
    public interface Backends {
        /** The ID registry. */
        RecipientRef<IdRegistry.Command> registry();

        /** The backlog of one state. */
        RecipientRef<StateBacklog.Command> backlog(int stateId);
    }

    /**
     * A controller in this actor system: the registry and the backlogs are its children,
     * persisted in the store {@code stare.persistence} selects (whose tables it creates first;
     * requests wait meanwhile).
     */
    public static Behavior<Command> create(ControllerSettings settings) {
        return Behaviors.setup(context -> local(context, settings,
                ControllerStore.namespace(context.getSystem().settings().config())));
    }

    /**
     * The same, under an explicit persistence namespace: a controller started again with the
     * namespace of an earlier one (and the same store) takes over its IDs and backlogs.
     */
    public static Behavior<Command> create(ControllerSettings settings, String namespace) {
        return Behaviors.setup(context -> local(context, settings, namespace));
    }

    private static Behavior<Command> local(ActorContext<Command> context, ControllerSettings settings,
                                           String namespace) {
        return Behaviors.withStash(100_000, stash -> {
            context.pipeToSelf(ControllerStore.prepare(context.getSystem()),
                    (Done done, Throwable error) -> error == null ? StoreReady.INSTANCE : new StoreFailed(error));
            return Behaviors.receive(Command.class)
                    .onMessageEquals(StoreReady.INSTANCE, () -> stash.unstashAll(
                            new ReplicaController(context, new Children(context, settings, namespace))))
                    .onMessage(StoreFailed.class, failed -> {
                        context.getLog().error("The controller's store cannot be prepared", failed.error());
                        throw new IllegalStateException("the controller's store cannot be prepared", failed.error());
                    })
                    .onAnyMessage(message -> {
                        stash.stash(message);
                        return Behaviors.same();
                    })
                    .build();
        });
    }

    /** A router to backends that run elsewhere (a cluster's singleton and shards). */
    public static Behavior<Command> create(Backends backends) {
        return Behaviors.setup(context -> new ReplicaController(context, backends));
    }

    private final Backends backends;
    private final Duration askTimeout = Duration.ofSeconds(10);

    private ReplicaController(ActorContext<Command> context, Backends backends) {
        super(context);
        this.backends = backends;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Control.class, this::onControl)
                .onMessage(DeclareAnswer.class, this::onDeclareAnswer)
                .onMessage(Append.class, this::onAppend)
                .onMessage(SubscriberJoined.class, joined -> tellBacklog(joined.stateId(),
                        new StateBacklog.Subscribe(joined.subscriberId(), joined.truncationQueries())))
                .onMessage(SubscriberLeft.class, left -> tellBacklog(left.stateId(),
                        new StateBacklog.Unsubscribe(left.subscriberId())))
                .onMessage(Truncation.class, truncation -> tellBacklog(truncation.report().stateId(),
                        new StateBacklog.Report(truncation.report())))
                .onMessage(PublisherJoined.class, joined -> tellBacklog(joined.stateId(),
                        new StateBacklog.JoinAsPublisher(joined.serverId(), joined.updates(), joined.appended(),
                                joined.replyTo())))
                .onMessage(GetBacklogStatus.class, get -> tellBacklog(get.stateId(),
                        new StateBacklog.GetStatus(get.replyTo())))
                .onMessage(GetRegistryStatus.class, get -> {
                    backends.registry().tell(new IdRegistry.GetStatus(get.replyTo()));
                    return this;
                })
                .build();
    }

    private Behavior<Command> onControl(Control control) {
        ActorRef<ControlReply> replyTo = control.replyTo();
        ControlRequest request = control.request();
        // Java 17: no pattern switch; the request types are few and sealed.
        if (request instanceof RegisterVnf r) {
            backends.registry().tell(new IdRegistry.Register(r, replyTo));
        } else if (request instanceof DeclareState d) {
            // The backlog must know the state before the publisher hears back: the answer comes here first.
            getContext().ask(ControlReply.class, backends.registry(), askTimeout,
                    answer -> new IdRegistry.Declare(d, answer),
                    (reply, error) -> new DeclareAnswer(reply, error, replyTo));
        } else if (request instanceof LookupState l) {
            backends.registry().tell(new IdRegistry.Lookup(l, replyTo));
        } else if (request instanceof ListStates l) {
            backends.registry().tell(new IdRegistry.ListNames(l, replyTo));
        } else if (request instanceof Recover r) {
            backends.backlog(r.stateId()).tell(new StateBacklog.RecoverSegments(r, replyTo));
        } else if (request instanceof LatestUpdateQuery q) {
            backends.backlog(q.stateId()).tell(new StateBacklog.QueryLatest(q, replyTo));
        } else {
            replyTo.tell(new ControlFailure(ErrorCode.INVALID_ARGUMENT,
                    "a TruncationQuery goes from the controller to subscribers, not to the controller"));
        }
        return this;
    }

    private Behavior<Command> onDeclareAnswer(DeclareAnswer answer) {
        if (answer.reply() instanceof StateDeclared declared) {
            // Also on a repeated declaration: telling the backlog again is harmless and covers a lost telling.
            backends.backlog(declared.stateId()).tell(
                    new StateBacklog.Declared(declared.publisherVnfId(), declared.stateName()));
            answer.replyTo().tell(declared);
        } else if (answer.reply() != null) {
            answer.replyTo().tell(answer.reply());
        } else {
            answer.replyTo().tell(new ControlFailure(ErrorCode.UNAVAILABLE,
                    "the ID registry did not answer: " + answer.error().getMessage()));
        }
        return this;
    }

    private Behavior<Command> onAppend(Append append) {
        int state = append.stateId();
        if (state < 0) {
            getContext().getLog().warn("Dropping an Append that is empty or mixes states: {}", append.segments());
            return this;
        }
        return tellBacklog(state, new StateBacklog.AppendSegments(append.segments(), append.replyTo()));
    }

    private Behavior<Command> tellBacklog(int stateId, StateBacklog.Command command) {
        backends.backlog(stateId).tell(command);
        return this;
    }

    /** The backends of a single-process controller: its children, created on first use. */
    private static final class Children implements Backends {
        private final ActorContext<Command> context;
        private final ControllerSettings settings;
        private final String namespace;
        private final ActorRef<IdRegistry.Command> registry;
        private final Map<Integer, ActorRef<StateBacklog.Command>> backlogs = new HashMap<>();

        Children(ActorContext<Command> context, ControllerSettings settings, String namespace) {
            this.context = context;
            this.settings = settings;
            this.namespace = namespace;
            this.registry = context.spawn(IdRegistry.create(settings, IdRegistry.persistenceId(namespace)), "ids");
        }

        @Override
        public RecipientRef<IdRegistry.Command> registry() {
            return registry;
        }

        @Override
        public RecipientRef<StateBacklog.Command> backlog(int stateId) {
            return backlogs.computeIfAbsent(stateId, id -> context.spawn(
                    StateBacklog.create(id, settings, StateBacklog.persistenceId(namespace, id)), "state-" + id));
        }
    }
}
