package io.stare.actors.controller;

import io.stare.actors.ids.IdSpace;
import io.stare.protocol.CborSerializable;
import io.stare.protocol.control.ControlFailure;
import io.stare.protocol.control.ControlReply;
import io.stare.protocol.control.DeclareState;
import io.stare.protocol.control.LookupState;
import io.stare.protocol.control.RegisterVnf;
import io.stare.protocol.control.StateDeclared;
import io.stare.protocol.control.StateFound;
import io.stare.protocol.control.StateUnknown;
import io.stare.protocol.control.VnfRegistered;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Owns the two ID spaces of the replica controller, VNF IDs and state IDs, and who publishes each
 * state. Assignment is idempotent by name; IDs are never reused. In issue 6 this becomes the
 * persistent singleton that journals each new assignment ({@link IdSpace.Assigned#isNew}).
 */
public final class IdRegistry extends AbstractBehavior<IdRegistry.Command> {

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

    /**
     * Told to the registry's owner for every successful declaration, before the publisher hears
     * back, so the state's backlog knows the state exists before anyone can ask it about it.
     */
    public record Declaration(int stateId, int publisherVnfId) implements CborSerializable {
    }

    /**
     * @param maxVnfId the largest VNF ID to hand out
     * @param maxStateId the largest state ID to hand out
     * @param declarations told of every successful {@code DeclareState}
     */
    public static Behavior<Command> create(int maxVnfId, int maxStateId, ActorRef<Declaration> declarations) {
        return Behaviors.setup(context -> new IdRegistry(context, maxVnfId, maxStateId, declarations));
    }

    private final IdSpace vnfs;
    private final IdSpace states;
    /** Publisher VNF ID by state ID. */
    private final Map<Integer, Integer> publishers = new HashMap<>();
    private final ActorRef<Declaration> declarations;

    private IdRegistry(ActorContext<Command> context, int maxVnfId, int maxStateId,
            ActorRef<Declaration> declarations) {
        super(context);
        this.vnfs = new IdSpace("VNF", maxVnfId);
        this.states = new IdSpace("state", maxStateId);
        this.declarations = declarations;
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Register.class, this::onRegister)
                .onMessage(Declare.class, this::onDeclare)
                .onMessage(Lookup.class, this::onLookup)
                .build();
    }

    private Behavior<Command> onRegister(Register register) {
        String name = register.request().vnfName();
        IdSpace.Outcome outcome = vnfs.assign(name);
        if (outcome instanceof IdSpace.Assigned assigned) {
            if (assigned.isNew()) {
                getContext().getLog().info("VNF '{}' of middleware '{}' is VNF {}", name,
                        register.request().middlewareId(), assigned.id());
            }
            register.replyTo().tell(new VnfRegistered(name, assigned.id()));
        } else {
            register.replyTo().tell(exhausted(outcome));
        }
        return this;
    }

    private Behavior<Command> onDeclare(Declare declare) {
        String name = declare.request().stateName();
        int publisher = declare.request().publisherVnfId();
        ActorRef<ControlReply> replyTo = declare.replyTo();
        if (vnfs.nameOf(publisher).isEmpty()) {
            replyTo.tell(new ControlFailure(ControlFailure.Code.INVALID_ARGUMENT,
                    "VNF " + publisher + " is not registered; it cannot declare '" + name + "'"));
            return this;
        }
        OptionalInt known = states.lookup(name);
        if (known.isPresent() && publishers.get(known.getAsInt()) != publisher) {
            replyTo.tell(new ControlFailure(ControlFailure.Code.NOT_PUBLISHER, "state '" + name + "' is published by VNF "
                    + publishers.get(known.getAsInt()) + ", not by VNF " + publisher));
            return this;
        }
        IdSpace.Outcome outcome = states.assign(name);
        if (!(outcome instanceof IdSpace.Assigned assigned)) {
            replyTo.tell(exhausted(outcome));
            return this;
        }
        if (assigned.isNew()) {
            publishers.put(assigned.id(), publisher);
            getContext().getLog().info("State '{}' is state {}, published by VNF {}", name, assigned.id(), publisher);
        }
        // Also on a retry: telling the backlog again is harmless, and covers a lost first telling.
        declarations.tell(new Declaration(assigned.id(), publisher));
        replyTo.tell(new StateDeclared(name, assigned.id(), publisher));
        return this;
    }

    private Behavior<Command> onLookup(Lookup lookup) {
        String name = lookup.request().stateName();
        OptionalInt id = states.lookup(name);
        lookup.replyTo().tell(id.isPresent()
                ? new StateFound(name, id.getAsInt(), publishers.get(id.getAsInt()))
                : new StateUnknown(name));
        return this;
    }

    private static ControlFailure exhausted(IdSpace.Outcome outcome) {
        return new ControlFailure(ControlFailure.Code.ID_SPACE_EXHAUSTED, ((IdSpace.Exhausted) outcome).message());
    }
}
