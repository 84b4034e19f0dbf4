package io.stare.fabric;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The guardian of a {@link LocalFabric}'s actor system: it spawns the fabric's actors (agents, the
 * replica controller, middlewares) as its children and stops them one at a time when the fabric
 * closes, answering once each has stopped, so the fabric can take its parts down in order
 * (middlewares before the agents and switches they talk to).
 */
final class FabricGuardian {

    /** The guardian's protocol. */
    sealed interface Command {
    }

    /** Spawn {@code behavior} as a child named {@code name}; the reply is its reference. */
    record Spawn<T>(Behavior<T> behavior, String name, ActorRef<ActorRef<T>> replyTo) implements Command {
    }

    /** Stop {@code child}; the reply comes when it has stopped (at once if it already has). */
    record Stop(ActorRef<?> child, ActorRef<Done> replyTo) implements Command {
    }

    private final ActorContext<Command> context;
    private final Map<ActorRef<?>, List<ActorRef<Done>>> stopping = new HashMap<>();

    private FabricGuardian(ActorContext<Command> context) {
        this.context = context;
    }

    static Behavior<Command> create() {
        return Behaviors.setup(context -> new FabricGuardian(context).running());
    }

    private Behavior<Command> running() {
        return Behaviors.receive(Command.class)
                .onMessage(Spawn.class, spawn -> onSpawn((Spawn<?>) spawn))
                .onMessage(Stop.class, this::onStop)
                .onSignal(Terminated.class, this::onTerminated)
                .build();
    }

    private Behavior<Command> onSpawn(Spawn<?> spawn) {
        spawnChild(spawn);
        return Behaviors.same();
    }

    private <T> void spawnChild(Spawn<T> spawn) {
        ActorRef<T> child = context.spawn(spawn.behavior(), spawn.name());
        context.watch(child);
        spawn.replyTo().tell(child);
    }

    private Behavior<Command> onStop(Stop stop) {
        if (context.getChild(stop.child().path().name()).isEmpty()) {
            stop.replyTo().tell(Done.getInstance());
            return Behaviors.same();
        }
        stopping.computeIfAbsent(stop.child(), c -> new ArrayList<>()).add(stop.replyTo());
        context.stop(stop.child());
        return Behaviors.same();
    }

    private Behavior<Command> onTerminated(Terminated terminated) {
        List<ActorRef<Done>> waiting = stopping.remove(terminated.getRef());
        if (waiting != null) {
            waiting.forEach(replyTo -> replyTo.tell(Done.getInstance()));
        }
        return Behaviors.same();
    }
}
