package io.stare.actors.middleware;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * One network-function instance, as an actor: it attaches to its server's {@link Middleware},
 * owns its publish states and its subscriptions, and hands every delivered update to the
 * subscription's {@link StateListener}, one at a time (acknowledging each to its INT module, which
 * is how a slow VNF back-pressures). {@link StareClient} is the plain Java face of this actor.
 *
 * <p>After {@link Unsubscribe} is answered, nothing more of the state reaches the listener, even
 * what was already queued in the INT module.
 */
public final class Vnf extends AbstractBehavior<Vnf.Command> {

    /** What a VNF accepts. */
    public sealed interface Command {
    }

    /** Answers {@link Middleware.Attached} once attached, or {@link Middleware.Failed}. */
    public record AwaitAttached(ActorRef<Middleware.Reply> replyTo) implements Command {
    }

    /** Declares a publish state by name; answered with {@link Middleware.Declared} or {@link Middleware.Failed}. */
    public record Declare(String stateName, ActorRef<Middleware.Reply> replyTo) implements Command {
    }

    /** Publishes an update of a state by its ID. */
    public record Publish(int stateId, byte[] value, ActorRef<PublishResult> replyTo) implements Command {
    }

    /** Subscribes by name; answered with {@link Middleware.Subscribed} or {@link Middleware.Failed}. */
    public record Subscribe(String stateName, StateListener listener, ActorRef<Middleware.Reply> replyTo)
            implements Command {
    }

    /** Unsubscribes by name; answered with {@link Middleware.Unsubscribed} or {@link Middleware.Failed}. */
    public record Unsubscribe(String stateName, ActorRef<Middleware.Reply> replyTo) implements Command {
    }

    /** Detaches from the middleware and stops. */
    public enum Stop implements Command {
        INSTANCE
    }

    /** From the INT module: one delivery, acknowledged when the listener has it ({@code ack} may be null). */
    public record Deliver(Delivery delivery, ActorRef<Done> ack) implements Command {
    }

    private record AttachAnswer(Middleware.Reply reply) implements Command {
    }

    private record SubscribeAnswer(Subscribe request, Middleware.Reply reply) implements Command {
    }

    private final String name;
    private final ActorRef<Middleware.Command> middleware;
    private final Duration timeout;
    private Middleware.Reply attachment;
    private final List<ActorRef<Middleware.Reply>> awaitingAttachment = new ArrayList<>();
    private final Map<String, Integer> subscribedNames = new HashMap<>();
    private final Map<Integer, StateListener> listeners = new HashMap<>();
    /** Subscribe requests sent and not yet answered. */
    private int subscribesInFlight;
    /**
     * Deliveries that overtook their Subscribe answer (the middleware's reply and the INT module's
     * first delivery race), held unacknowledged until the answer names their listener. The INT
     * module sends one delivery at a time, so this stays tiny.
     */
    private final List<Deliver> overtaking = new ArrayList<>();

    /**
     * A VNF named {@code name} (unique on its server) that attaches to {@code middleware} at once.
     *
     * @param timeout bound on each request to the middleware
     */
    public static Behavior<Command> create(String name, ActorRef<Middleware.Command> middleware, Duration timeout) {
        return Behaviors.setup(context -> new Vnf(context, name, middleware, timeout));
    }

    private Vnf(ActorContext<Command> context, String name, ActorRef<Middleware.Command> middleware, Duration timeout) {
        super(context);
        this.name = name;
        this.middleware = middleware;
        this.timeout = timeout;
        context.ask(Middleware.Reply.class, middleware, timeout,
                replyTo -> new Middleware.Attach(name, context.getSelf(), replyTo),
                (reply, error) -> new AttachAnswer(reply != null ? reply
                        : new Middleware.Failed("attach " + name, "middleware did not answer: " + error)));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(AttachAnswer.class, this::onAttachAnswer)
                .onMessage(AwaitAttached.class, this::onAwaitAttached)
                .onMessage(Declare.class, this::onDeclare)
                .onMessage(Publish.class, this::onPublish)
                .onMessage(Subscribe.class, this::onSubscribe)
                .onMessage(SubscribeAnswer.class, this::onSubscribeAnswer)
                .onMessage(Unsubscribe.class, this::onUnsubscribe)
                .onMessage(Deliver.class, this::onDeliver)
                .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
                .onSignal(PostStop.class, signal -> {
                    if (attachment instanceof Middleware.Attached attached) {
                        middleware.tell(new Middleware.Detach(attached.vnfId()));
                    }
                    return this;
                })
                .build();
    }

    private Behavior<Command> onAttachAnswer(AttachAnswer answer) {
        attachment = answer.reply();
        awaitingAttachment.forEach(replyTo -> replyTo.tell(attachment));
        awaitingAttachment.clear();
        return this;
    }

    private Behavior<Command> onAwaitAttached(AwaitAttached await) {
        if (attachment == null) {
            awaitingAttachment.add(await.replyTo());
        } else {
            await.replyTo().tell(attachment);
        }
        return this;
    }

    private Behavior<Command> onDeclare(Declare declare) {
        if (attachment instanceof Middleware.Attached attached) {
            middleware.tell(new Middleware.Declare(attached.vnfId(), declare.stateName(), declare.replyTo()));
        } else {
            declare.replyTo().tell(notAttached("declare " + declare.stateName()));
        }
        return this;
    }

    private Behavior<Command> onPublish(Publish publish) {
        if (attachment instanceof Middleware.Attached attached) {
            // Through the INT module's bounded outbound queue; the result goes straight to the caller.
            attached.intModule().publish(publish.stateId(), publish.value())
                    .thenAccept(result -> publish.replyTo().tell(result));
        } else {
            publish.replyTo().tell(new PublishResult.Refused(PublishResult.Reason.UNAVAILABLE, name + " is not attached"));
        }
        return this;
    }

    private Behavior<Command> onSubscribe(Subscribe subscribe) {
        if (!(attachment instanceof Middleware.Attached attached)) {
            subscribe.replyTo().tell(notAttached("subscribe " + subscribe.stateName()));
            return this;
        }
        // The middleware always answers (its ARQ has a limit), possibly after several retransmissions.
        subscribesInFlight++;
        getContext().ask(Middleware.Reply.class, middleware, timeout.multipliedBy(3),
                replyTo -> new Middleware.Subscribe(attached.vnfId(), subscribe.stateName(), replyTo),
                (reply, error) -> new SubscribeAnswer(subscribe, reply != null ? reply
                        : new Middleware.Failed("subscribe " + subscribe.stateName(), "middleware did not answer: " + error)));
        return this;
    }

    private Behavior<Command> onSubscribeAnswer(SubscribeAnswer answer) {
        subscribesInFlight--;
        if (answer.reply() instanceof Middleware.Subscribed subscribed) {
            subscribedNames.put(answer.request().stateName(), subscribed.stateId());
            listeners.put(subscribed.stateId(), answer.request().listener());
        }
        answer.request().replyTo().tell(answer.reply());
        // Hand over what overtook this answer; once no answer is pending, the rest has no listener.
        List<Deliver> held = new ArrayList<>(overtaking);
        overtaking.clear();
        held.forEach(this::onDeliver);
        return this;
    }

    private Behavior<Command> onUnsubscribe(Unsubscribe unsubscribe) {
        Integer state = subscribedNames.remove(unsubscribe.stateName());
        if (state == null || !(attachment instanceof Middleware.Attached attached)) {
            unsubscribe.replyTo().tell(new Middleware.Failed("unsubscribe " + unsubscribe.stateName(), "not subscribed"));
            return this;
        }
        // Stop delivering at once; the middleware stops routing when it processes the request.
        listeners.remove(state);
        middleware.tell(new Middleware.Unsubscribe(attached.vnfId(), state, unsubscribe.replyTo()));
        return this;
    }

    private Behavior<Command> onDeliver(Deliver deliver) {
        StateListener listener = listeners.get(deliver.delivery().stateId());
        if (listener == null && subscribesInFlight > 0) {
            overtaking.add(deliver); // acknowledged once its listener is known
            return this;
        }
        if (listener != null) {
            try {
                if (deliver.delivery() instanceof Delivery.Update u) {
                    listener.onDelivery(u);
                } else if (deliver.delivery() instanceof Delivery.Loss loss) {
                    listener.onLoss(loss);
                }
            } catch (RuntimeException e) {
                getContext().getLog().warn("VNF {}: listener of state {} threw", name, deliver.delivery().stateId(), e);
            }
        }
        if (deliver.ack() != null) {
            deliver.ack().tell(Done.getInstance());
        }
        return this;
    }

    private Middleware.Failed notAttached(String request) {
        return new Middleware.Failed(request, attachment instanceof Middleware.Failed failed
                ? "attach failed: " + failed.reason() : name + " is not attached yet");
    }
}
