package io.stare.actors.middleware;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
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
 *
 * <p>The VNF remembers what it declared and subscribed to, and the last update it delivered of
 * each state. When its middleware restarts, it attaches again, declares its states again (same
 * IDs, numbering on), and subscribes again from the first update it has not delivered, so the
 * listener sees every update once, in order, across the restart. Meanwhile publishes are refused
 * as {@link PublishResult.Reason#UNAVAILABLE}.
 */
public final class Vnf extends AbstractBehavior<Vnf.Command> {

    /** What a VNF accepts. Node-local, like the middleware's protocol: never serialized. */
    public sealed interface Command extends NoSerializationVerificationNeeded {
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

    /** From the middleware, after it restarted: attach again and restore declarations and subscriptions. */
    enum Reattach implements Command {
        INSTANCE
    }

    private record AttachAnswer(Middleware.Reply reply) implements Command {
    }

    private record DeclareAnswer(Declare request, Middleware.Reply reply) implements Command {
    }

    private record SubscribeAnswer(Subscribe request, Middleware.Reply reply) implements Command {
    }

    /** The answer to a declaration or subscription made again after a middleware restart. */
    private record Restored(Middleware.Reply reply) implements Command {
    }

    private final String name;
    private final ActorRef<Middleware.Command> middleware;
    private final Duration timeout;
    private Middleware.Reply attachment;
    private final List<ActorRef<Middleware.Reply>> awaitingAttachment = new ArrayList<>();
    private final Map<String, Integer> subscribedNames = new HashMap<>();
    private final Map<Integer, StateListener> listeners = new HashMap<>();
    /** State names declared, in order: declared again after a middleware restart. */
    private final Set<String> declared = new LinkedHashSet<>();
    /** Per subscribed state, the newest update delivered (or reported lost): where a restart resumes. */
    private final Map<Integer, Long> lastDelivered = new HashMap<>();
    private final ActorRef<Middleware.Reply> restoredAdapter;
    /** Attaching again after a middleware restart, or declarations made again not yet answered. */
    private boolean reattaching;
    private int redeclaring;
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
        this.restoredAdapter = context.messageAdapter(Middleware.Reply.class, Restored::new);
        attach();
    }

    private void attach() {
        getContext().ask(Middleware.Reply.class, middleware, timeout,
                replyTo -> new Middleware.Attach(name, getContext().getSelf(), replyTo),
                (reply, error) -> new AttachAnswer(reply != null ? reply
                        : new Middleware.Failed("attach " + name, "middleware did not answer: " + error)));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(AttachAnswer.class, this::onAttachAnswer)
                .onMessage(AwaitAttached.class, this::onAwaitAttached)
                .onMessage(Declare.class, this::onDeclare)
                .onMessage(DeclareAnswer.class, this::onDeclareAnswer)
                .onMessage(Publish.class, this::onPublish)
                .onMessage(Subscribe.class, this::onSubscribe)
                .onMessage(SubscribeAnswer.class, this::onSubscribeAnswer)
                .onMessage(Unsubscribe.class, this::onUnsubscribe)
                .onMessage(Deliver.class, this::onDeliver)
                .onMessageEquals(Reattach.INSTANCE, this::onReattach)
                .onMessage(Restored.class, this::onRestored)
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
        if (reattaching) {
            reattaching = false;
            if (attachment instanceof Middleware.Attached) {
                restore();
            } else {
                getContext().getLog().error("VNF {} could not attach again after its middleware restarted: {}", name,
                        attachment);
            }
        }
        awaitingAttachment.forEach(replyTo -> replyTo.tell(attachment));
        awaitingAttachment.clear();
        return this;
    }

    private Behavior<Command> onReattach() {
        getContext().getLog().info("VNF {}: the middleware restarted; attaching again", name);
        attachment = null;
        reattaching = true;
        attach();
        return this;
    }

    /** Declares and subscribes again what this VNF had before its middleware restarted. */
    private void restore() {
        redeclaring = declared.size();
        for (String state : declared) {
            getContext().getSelf().tell(new Declare(state, restoredAdapter));
        }
        for (Map.Entry<String, Integer> subscription : subscribedNames.entrySet()) {
            int state = subscription.getValue();
            Long last = lastDelivered.get(state);
            subscribe(new Subscribe(subscription.getKey(), listeners.get(state), restoredAdapter),
                    last == null ? -1 : last + 1);
        }
    }

    private Behavior<Command> onRestored(Restored restored) {
        if (restored.reply() instanceof Middleware.Declared || restored.reply() instanceof Middleware.Failed failed
                && failed.request().startsWith("declare ")) {
            redeclaring = Math.max(0, redeclaring - 1);
        }
        if (restored.reply() instanceof Middleware.Failed failed) {
            getContext().getLog().error("VNF {}: after its middleware restarted, {} failed: {}", name, failed.request(),
                    failed.reason());
        }
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
        if (!(attachment instanceof Middleware.Attached attached)) {
            declare.replyTo().tell(notAttached("declare " + declare.stateName()));
            return this;
        }
        getContext().ask(Middleware.Reply.class, middleware, timeout,
                replyTo -> new Middleware.Declare(attached.vnfId(), declare.stateName(), replyTo),
                (reply, error) -> new DeclareAnswer(declare, reply != null ? reply
                        : new Middleware.Failed("declare " + declare.stateName(), "middleware did not answer: " + error)));
        return this;
    }

    private Behavior<Command> onDeclareAnswer(DeclareAnswer answer) {
        if (answer.reply() instanceof Middleware.Declared) {
            declared.add(answer.request().stateName());
        }
        answer.request().replyTo().tell(answer.reply());
        return this;
    }

    private Behavior<Command> onPublish(Publish publish) {
        if (redeclaring > 0) {
            publish.replyTo().tell(new PublishResult.Refused(PublishResult.Reason.UNAVAILABLE,
                    name + " is declaring its states again after a middleware restart"));
        } else if (attachment instanceof Middleware.Attached attached) {
            // Through the INT module's bounded outbound queue; the result goes straight to the caller.
            attached.intModule().publish(publish.stateId(), publish.value())
                    .thenAccept(result -> publish.replyTo().tell(result));
        } else {
            publish.replyTo().tell(new PublishResult.Refused(PublishResult.Reason.UNAVAILABLE, name + " is not attached"));
        }
        return this;
    }

    private Behavior<Command> onSubscribe(Subscribe subscribe) {
        subscribe(subscribe, -1);
        return this;
    }

    private void subscribe(Subscribe subscribe, long resumeFrom) {
        if (!(attachment instanceof Middleware.Attached attached)) {
            subscribe.replyTo().tell(notAttached("subscribe " + subscribe.stateName()));
            return;
        }
        // The middleware always answers (its ARQ has a limit), possibly after several retransmissions.
        subscribesInFlight++;
        getContext().ask(Middleware.Reply.class, middleware, timeout.multipliedBy(3),
                replyTo -> new Middleware.Subscribe(attached.vnfId(), subscribe.stateName(), resumeFrom, replyTo),
                (reply, error) -> new SubscribeAnswer(subscribe, reply != null ? reply
                        : new Middleware.Failed("subscribe " + subscribe.stateName(), "middleware did not answer: " + error)));
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
        lastDelivered.remove(state);
        middleware.tell(new Middleware.Unsubscribe(attached.vnfId(), state, unsubscribe.replyTo()));
        return this;
    }

    private Behavior<Command> onDeliver(Deliver deliver) {
        StateListener listener = listeners.get(deliver.delivery().stateId());
        if (listener == null && subscribesInFlight > 0) {
            overtaking.add(deliver); // acknowledged once its listener is known
            return this;
        }
        if (listener != null && isNew(deliver.delivery())) {
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
        return acknowledged(deliver);
    }

    /**
     * Whether the listener has not had this yet (a stream resumed after a middleware restart may
     * repeat a few updates), moving the state's resume point. An overflow notice overtakes the
     * queued updates before it, so only a stream's own (unrecoverable) gaps move the point.
     */
    private boolean isNew(Delivery delivery) {
        int state = delivery.stateId();
        long last = lastDelivered.getOrDefault(state, -1L);
        long newest;
        if (delivery instanceof Delivery.Update u) {
            newest = u.update();
        } else if (delivery instanceof Delivery.Loss loss && loss.reason() == Delivery.Loss.Reason.UNRECOVERABLE) {
            newest = loss.last();
        } else {
            return true;
        }
        if (newest <= last) {
            return false;
        }
        lastDelivered.put(state, newest);
        return true;
    }

    private Behavior<Command> acknowledged(Deliver deliver) {
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
