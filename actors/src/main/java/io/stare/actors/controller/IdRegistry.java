package io.stare.actors.controller;

import io.stare.actors.ids.IdSpace;
import io.stare.protocol.CborSerializable;
import io.stare.protocol.ErrorCode;
import io.stare.protocol.auth.PublishKey;
import io.stare.protocol.control.ControlFailure;
import io.stare.protocol.control.ControlReply;
import io.stare.protocol.control.DeclareState;
import io.stare.protocol.control.ListStates;
import io.stare.protocol.control.LookupState;
import io.stare.protocol.control.RegisterVnf;
import io.stare.protocol.control.StateDeclared;
import io.stare.protocol.control.StateFound;
import io.stare.protocol.control.StateUnknown;
import io.stare.protocol.control.StatesListed;
import io.stare.protocol.control.VnfRegistered;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * Owns the two ID spaces of the replica controller, VNF IDs and state IDs, and who publishes each
 * state: one event-sourced actor per deployment (a cluster singleton on the controller nodes).
 * Assignment is idempotent by name, also after a restart of the whole cluster, since every new
 * assignment is persisted before it is answered; IDs are never reused.
 */
public final class IdRegistry extends EventSourcedBehavior<IdRegistry.Command, RegistryState.Event, RegistryState> {

    /** What the registry accepts. */
    public sealed interface Command extends CborSerializable {
    }

    /** Assign (or return) the VNF's ID; answered with {@code VnfRegistered}. */
    public record Register(RegisterVnf request, ActorRef<ControlReply> replyTo) implements Command {
    }

    /** Assign (or return) the state's ID for its publisher; answered with {@code StateDeclared}. */
    public record Declare(DeclareState request, ActorRef<ControlReply> replyTo) implements Command {
    }

    /** Look a state up by name; answered with {@code StateFound} or {@code StateUnknown}. */
    public record Lookup(LookupState request, ActorRef<ControlReply> replyTo) implements Command {
    }

    /** Lists the declared states whose names start with a prefix; answered with {@code StatesListed}. */
    public record ListNames(ListStates request, ActorRef<ControlReply> replyTo) implements Command {
    }

    /** Asks how many IDs are assigned. */
    public record GetStatus(ActorRef<Status> replyTo) implements Command {
    }

    /** How many VNF and state IDs are assigned. */
    public record Status(int vnfs, int states) implements CborSerializable {
    }

    private final ActorContext<Command> context;
    private final ControllerSettings settings;

    /** The persistence ID of a deployment's registry. */
    public static PersistenceId persistenceId(String namespace) {
        return PersistenceId.ofUniqueId(namespace + "-ids");
    }

    /** The registry of the deployment whose journal entries start with {@code namespace}. */
    public static Behavior<Command> create(ControllerSettings settings, PersistenceId persistenceId) {
        return Behaviors.setup(context -> new IdRegistry(context, settings, persistenceId));
    }

    private IdRegistry(ActorContext<Command> context, ControllerSettings settings, PersistenceId persistenceId) {
        // A journal that fails a write restarts the actor (with backoff) instead of stopping it.
        super(persistenceId, SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
        this.context = context;
        this.settings = settings;
    }

    @Override
    public RegistryState emptyState() {
        return RegistryState.empty(settings.maxVnfId(), settings.maxStateId());
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2).withDeleteEventsOnSnapshot();
    }

    @Override
    public EventHandler<RegistryState, RegistryState.Event> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onAnyEvent(RegistryState::apply);
    }

    @Override
    public SignalHandler<RegistryState> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), state -> {
                    state.limit(settings.maxVnfId(), settings.maxStateId());
                    context.getLog().info("ID registry recovered: {} VNFs, {} states",
                            state.vnfSpace().size(), state.stateSpace().size());
                })
                .build();
    }

    @Override
    public CommandHandler<Command, RegistryState.Event, RegistryState> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(Register.class, this::onRegister)
                .onCommand(Declare.class, this::onDeclare)
                .onCommand(Lookup.class, this::onLookup)
                .onCommand(ListNames.class, this::onList)
                .onCommand(GetStatus.class, (state, get) -> Effect().none().thenRun(s -> get.replyTo().tell(
                        new Status(s.vnfSpace().size(), s.stateSpace().size()))))
                .build();
    }

    private Effect<RegistryState.Event, RegistryState> onRegister(RegistryState state, Register register) {
        String name = register.request().vnfName();
        IdSpace.Outcome outcome = state.vnfSpace().peek(name);
        if (!(outcome instanceof IdSpace.Assigned assigned)) {
            return reply(register.replyTo(), exhausted(outcome));
        }
        VnfRegistered answer = new VnfRegistered(name, assigned.id());
        String middleware = register.request().middlewareId();
        RegistryState.VnfHomed homed = new RegistryState.VnfHomed(name, middleware);
        if (assigned.isNew()) {
            return Effect().persist(List.of(new RegistryState.VnfAssigned(name, assigned.id()), homed)).thenRun(s -> {
                context.getLog().info("VNF '{}' of middleware '{}' is VNF {}", name, middleware, assigned.id());
                register.replyTo().tell(answer);
            });
        }
        String home = state.homeOf(name);
        if (middleware.equals(home)) {
            return reply(register.replyTo(), answer);
        }
        if (home != null && !register.request().move()) {
            context.getLog().warn("VNF '{}' refused at middleware '{}': the name is bound to middleware '{}'", name,
                    middleware, home);
            return reply(register.replyTo(), new ControlFailure(ErrorCode.NOT_AUTHORIZED, "VNF '" + name
                    + "' is bound to middleware '" + home + "'; register it with move to move it here"));
        }
        return Effect().persist(homed).thenRun(s -> {
            if (home != null) {
                context.getLog().info("VNF '{}' (VNF {}) moved from middleware '{}' to '{}'", name, assigned.id(),
                        home, middleware);
            }
            register.replyTo().tell(answer);
        });
    }

    private Effect<RegistryState.Event, RegistryState> onDeclare(RegistryState state, Declare declare) {
        String name = declare.request().stateName();
        int publisher = declare.request().publisherVnfId();
        if (state.vnfSpace().nameOf(publisher).isEmpty()) {
            return reply(declare.replyTo(), new ControlFailure(ErrorCode.INVALID_ARGUMENT,
                    "VNF " + publisher + " is not registered; it cannot declare '" + name + "'"));
        }
        OptionalInt known = state.stateSpace().lookup(name);
        if (known.isPresent() && state.publisherOf(known.getAsInt()) != publisher) {
            return reply(declare.replyTo(), new ControlFailure(ErrorCode.NOT_PUBLISHER, "state '" + name
                    + "' is published by VNF " + state.publisherOf(known.getAsInt()) + ", not by VNF " + publisher));
        }
        IdSpace.Outcome outcome = state.stateSpace().peek(name);
        if (!(outcome instanceof IdSpace.Assigned assigned)) {
            return reply(declare.replyTo(), exhausted(outcome));
        }
        int id = assigned.id();
        if (assigned.isNew()) {
            PublishKey key = PublishKey.random();
            return Effect().persist(new RegistryState.StateAssigned(name, id, publisher, key)).thenRun(s -> {
                context.getLog().info("State '{}' is state {}, published by VNF {}", name, id, publisher);
                declare.replyTo().tell(declared(name, id, publisher, key));
            });
        }
        PublishKey key = state.keyOf(id);
        if (key == null) { // declared before Publish keys existed
            PublishKey drawn = PublishKey.random();
            return Effect().persist(new RegistryState.StateKeyed(id, drawn)).thenRun(s ->
                    declare.replyTo().tell(declared(name, id, publisher, drawn)));
        }
        return reply(declare.replyTo(), declared(name, id, publisher, key));
    }

    /** The key goes out only while Publish segments are authenticated (stare.controller.publish-authentication). */
    private StateDeclared declared(String name, int stateId, int publisher, PublishKey key) {
        return new StateDeclared(name, stateId, publisher, settings.publishAuthentication() ? key : null);
    }

    private Effect<RegistryState.Event, RegistryState> onLookup(RegistryState state, Lookup lookup) {
        String name = lookup.request().stateName();
        String subscriber = lookup.request().subscriberVnf();
        if (!subscriber.isEmpty() && !settings.subscribePolicy().allows(subscriber, name)) {
            context.getLog().warn("VNF '{}' may not subscribe to state '{}' (stare.controller.subscribe-policy)",
                    subscriber, name);
            return reply(lookup.replyTo(), new ControlFailure(ErrorCode.NOT_AUTHORIZED, "VNF '" + subscriber
                    + "' may not subscribe to state '" + name + "' (the controller's subscribe-policy)"));
        }
        OptionalInt id = state.stateSpace().lookup(name);
        if (id.isEmpty()) {
            return reply(lookup.replyTo(), new StateUnknown(name));
        }
        int stateId = id.getAsInt();
        int publisher = state.publisherOf(stateId);
        if (settings.publishAuthentication() && state.keyOf(stateId) == null) {
            // Declared before Publish keys existed: keyed now, so a subscriber never expects no tag
            // from a publisher that tags (or the other way round).
            PublishKey drawn = PublishKey.random();
            return Effect().persist(new RegistryState.StateKeyed(stateId, drawn)).thenRun(s ->
                    lookup.replyTo().tell(new StateFound(name, stateId, publisher, drawn)));
        }
        return reply(lookup.replyTo(), new StateFound(name, stateId, publisher,
                settings.publishAuthentication() ? state.keyOf(stateId) : null));
    }

    /**
     * The declared names that start with the prefix, sorted, the first {@link StatesListed#MAX_NAMES};
     * with a subscribe policy and an asking VNF, only those it may subscribe to (a listing tells no
     * more than lookups would).
     */
    private Effect<RegistryState.Event, RegistryState> onList(RegistryState state, ListNames list) {
        String prefix = list.request().prefix();
        String asking = list.request().askingVnf();
        List<String> names = state.stateSpace().namesStartingWith(prefix)
                .filter(name -> asking.isEmpty() || settings.subscribePolicy().allows(asking, name))
                .limit(StatesListed.MAX_NAMES + 1L)
                .toList();
        boolean complete = names.size() <= StatesListed.MAX_NAMES;
        return reply(list.replyTo(), new StatesListed(prefix,
                complete ? names : names.subList(0, StatesListed.MAX_NAMES), complete));
    }

    private Effect<RegistryState.Event, RegistryState> reply(ActorRef<ControlReply> replyTo, ControlReply answer) {
        return Effect().none().thenRun(s -> replyTo.tell(answer));
    }

    private static ControlFailure exhausted(IdSpace.Outcome outcome) {
        return new ControlFailure(ErrorCode.ID_SPACE_EXHAUSTED, ((IdSpace.Exhausted) outcome).message());
    }
}
