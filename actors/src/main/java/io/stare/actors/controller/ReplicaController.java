package io.stare.actors.controller;

import io.stare.protocol.CborSerializable;
import io.stare.protocol.control.ControlFailure;
import io.stare.protocol.control.ControlReply;
import io.stare.protocol.control.ControlRequest;
import io.stare.protocol.control.DeclareState;
import io.stare.protocol.control.LatestUpdateQuery;
import io.stare.protocol.control.LookupState;
import io.stare.protocol.control.Recover;
import io.stare.protocol.control.RegisterVnf;
import io.stare.protocol.control.TruncationQuery;
import io.stare.protocol.control.TruncationReport;
import io.stare.protocol.segment.Segment;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The replica controller: hands out VNF and state IDs, keeps one backlog per state, answers
 * RECOVER and truncates the backlogs. It is contacted only at initialization, for recovery and for
 * truncation, never on the publish path.
 *
 * <p>This first cut is a local actor that routes: name requests go to one {@link IdRegistry}
 * child, everything about a state to that state's {@link StateBacklog} child, created on first
 * use. Both children only talk in messages, so issue 6 can turn the registry into a persistent
 * singleton and the backlogs into sharded entities without touching this protocol.
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
     * The publishing middleware hands the state's backlog the segments of one update; the backlog
     * confirms with Appended once it holds them all (possibly after a later Append completes the
     * update). Segments must all be of one state; an empty or mixed Append is dropped (logged).
     */
    public record Append(List<Segment> segments, ActorRef<Appended> replyTo) implements Command {

        public Append {
            segments = List.copyOf(segments);
        }
    }

    /**
     * Confirmation of an Append: the backlog holds update {@code update} of state {@code stateId}
     * whole (or had already truncated it: every subscriber holds it, nothing left to keep).
     */
    public record Appended(int stateId, long update) implements CborSerializable {
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

    /** The registry declared a state: its backlog learns it exists before the publisher hears back. */
    private record WrappedDeclaration(IdRegistry.Declaration declaration) implements Command {
    }

    /** Creates the controller with its registry. */
    public static Behavior<Command> create(ControllerSettings settings) {
        return Behaviors.setup(context -> new ReplicaController(context, settings));
    }

    private final ControllerSettings settings;
    private final ActorRef<IdRegistry.Command> registry;
    private final Map<Integer, ActorRef<StateBacklog.Command>> backlogs = new HashMap<>();

    private ReplicaController(ActorContext<Command> context, ControllerSettings settings) {
        super(context);
        this.settings = settings;
        ActorRef<IdRegistry.Declaration> declarations =
                context.messageAdapter(IdRegistry.Declaration.class, WrappedDeclaration::new);
        this.registry = context.spawn(
                IdRegistry.create(settings.maxVnfId(), settings.maxStateId(), declarations), "ids");
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Control.class, this::onControl)
                .onMessage(Append.class, this::onAppend)
                .onMessage(SubscriberJoined.class, this::onSubscriberJoined)
                .onMessage(SubscriberLeft.class, this::onSubscriberLeft)
                .onMessage(Truncation.class, this::onTruncation)
                .onMessage(WrappedDeclaration.class, this::onDeclaration)
                .build();
    }

    private Behavior<Command> onControl(Control control) {
        ActorRef<ControlReply> replyTo = control.replyTo();
        ControlRequest request = control.request();
        // Java 17: no pattern switch; the request types are few and sealed.
        if (request instanceof RegisterVnf r) {
            registry.tell(new IdRegistry.Register(r, replyTo));
        } else if (request instanceof DeclareState d) {
            registry.tell(new IdRegistry.Declare(d, replyTo));
        } else if (request instanceof LookupState l) {
            registry.tell(new IdRegistry.Lookup(l, replyTo));
        } else if (request instanceof Recover r) {
            toDeclared(r.stateId(), replyTo, new StateBacklog.RecoverSegments(r, replyTo));
        } else if (request instanceof LatestUpdateQuery q) {
            toDeclared(q.stateId(), replyTo, new StateBacklog.QueryLatest(q, replyTo));
        } else {
            replyTo.tell(new ControlFailure(ControlFailure.Code.INVALID_ARGUMENT,
                    "a TruncationQuery goes from the controller to subscribers, not to the controller"));
        }
        return this;
    }

    private Behavior<Command> onAppend(Append append) {
        List<Segment> segments = append.segments();
        if (segments.isEmpty() || segments.stream().anyMatch(s -> s.stateId() != segments.get(0).stateId())) {
            getContext().getLog().warn("Dropping an Append that is empty or mixes states: {}", segments);
            return this;
        }
        backlog(segments.get(0).stateId()).tell(new StateBacklog.AppendSegments(segments, append.replyTo()));
        return this;
    }

    private Behavior<Command> onSubscriberJoined(SubscriberJoined joined) {
        backlog(joined.stateId()).tell(
                new StateBacklog.Subscribe(joined.subscriberId(), joined.truncationQueries()));
        return this;
    }

    private Behavior<Command> onSubscriberLeft(SubscriberLeft left) {
        ActorRef<StateBacklog.Command> backlog = backlogs.get(left.stateId());
        if (backlog != null) {
            backlog.tell(new StateBacklog.Unsubscribe(left.subscriberId()));
        }
        return this;
    }

    private Behavior<Command> onTruncation(Truncation truncation) {
        ActorRef<StateBacklog.Command> backlog = backlogs.get(truncation.report().stateId());
        if (backlog != null) {
            backlog.tell(new StateBacklog.Report(truncation.report()));
        }
        return this;
    }

    private Behavior<Command> onDeclaration(WrappedDeclaration wrapped) {
        IdRegistry.Declaration declaration = wrapped.declaration();
        backlog(declaration.stateId()).tell(new StateBacklog.Declared(declaration.publisherVnfId()));
        return this;
    }

    /** Routes a request about a state; a state without a backlog was never declared nor used. */
    private void toDeclared(int stateId, ActorRef<ControlReply> replyTo, StateBacklog.Command command) {
        ActorRef<StateBacklog.Command> backlog = backlogs.get(stateId);
        if (backlog == null) {
            replyTo.tell(new ControlFailure(ControlFailure.Code.UNKNOWN_STATE,
                    "state " + stateId + " was never declared"));
        } else {
            backlog.tell(command);
        }
    }

    /** The state's backlog, created on first use as a sharded entity would be. */
    private ActorRef<StateBacklog.Command> backlog(int stateId) {
        return backlogs.computeIfAbsent(stateId, id -> getContext().spawn(
                StateBacklog.create(id, settings), "state-" + id));
    }
}
