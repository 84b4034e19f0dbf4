package io.stare.actors.middleware;

import io.stare.client.Delivery;
import io.stare.client.PublishResult;
import io.stare.client.StareClient;
import io.stare.client.StateListener;
import io.stare.client.UpdateHandler;
import io.stare.protocol.ErrorCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * One network-function instance, as an actor: it attaches to its server's {@link Middleware}, owns
 * its publish states and its subscriptions, and hands every delivered update to the subscription's
 * {@link StateListener}, one at a time, draining its INT module's inbound queue (a full queue drops
 * and reports the loss: that is how a slow VNF is kept from slowing others). A subscription with an
 * {@link UpdateHandler} is served by the middleware's main path directly, not through this actor.
 * {@link StareClient} is the plain Java face of this actor.
 *
 * <p>Publishing does not go through the actor either: {@link StareClient#tryPublish} writes into
 * the INT module straight from the caller's thread. {@link Publish} remains for code that speaks
 * the actor's protocol.
 *
 * <p>After {@link Unsubscribe} is answered, nothing more of the state reaches the listener, even
 * what was already queued in the INT module.
 *
 * <p>The VNF remembers what it declared and subscribed to, and the last update it delivered of
 * each state. When its middleware restarts, it attaches again, declares its states again (same
 * IDs, numbering on), and subscribes again from the first update it has not delivered, so the
 * listener sees every update once, in order, across the restart. Meanwhile publishes are refused
 * as {@link PublishResult.Reason#UNAVAILABLE}.
 *
 * <p>Which listener gets a delivery, and where each subscription resumes, is decided by its
 * {@link VnfSubscriptions}; an inline handler is wrapped in a {@link ResumingHandler}.
 *
 * <p>Why above 400 lines: the VNF API's protocol (the commands a client and the middleware send,
 * each a record with its Javadoc) is most of it; the handlers only apply {@link VnfSubscriptions}.
 */
public final class Vnf extends AbstractBehavior<Vnf.Command> {

    /** Deliveries one wake-up hands to listeners before the actor lets other messages in. */
    static final int DRAIN_BATCH = 256;

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

    /**
     * Subscribes by name, from the next update on or from {@code resumeFrom} (-1: from now);
     * answered with {@link Middleware.Subscribed} or {@link Middleware.Failed}.
     * Exactly one of {@code listener} (called by this actor) and {@code handler} (called inline by
     * the main path) is given.
     */
    public record Subscribe(String stateName, StateListener listener, UpdateHandler handler, long resumeFrom,
                            ActorRef<Middleware.Reply> replyTo) implements Command {
        public Subscribe {
            if ((listener == null) == (handler == null)) {
                throw new IllegalArgumentException("give a listener or a handler, not both or neither");
            }
            if (resumeFrom < -1) {
                throw new IllegalArgumentException("resumeFrom " + resumeFrom + " must be an update number or -1");
            }
        }

        /** A subscription from the next update on. */
        public Subscribe(String stateName, StateListener listener, UpdateHandler handler,
                         ActorRef<Middleware.Reply> replyTo) {
            this(stateName, listener, handler, -1, replyTo);
        }

        /** A subscription whose updates this actor hands to {@code listener}. */
        public Subscribe(String stateName, StateListener listener, ActorRef<Middleware.Reply> replyTo) {
            this(stateName, listener, null, -1, replyTo);
        }
    }

    /** Unsubscribes by name; answered with {@link Middleware.Unsubscribed} or {@link Middleware.Failed}. */
    public record Unsubscribe(String stateName, ActorRef<Middleware.Reply> replyTo) implements Command {
    }

    /**
     * Lists the declared states whose names start with {@code prefix} (those this VNF may subscribe
     * to); answered with {@link Middleware.Listed} or {@link Middleware.Failed}.
     */
    public record ListStates(String prefix, ActorRef<Middleware.Reply> replyTo) implements Command {
    }

    /** Detaches from the middleware and stops. */
    public enum Stop implements Command {
        INSTANCE
    }

    /** One delivery outside the queue (a loss notice); {@code ack} may be null. */
    public record Deliver(Delivery delivery, ActorRef<Done> ack) implements Command {
    }

    /** From the INT module: deliveries wait in its inbound queue. */
    enum DeliveriesWaiting implements Command {
        INSTANCE
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

    /** The answer to a declaration ({@code declaration}) or subscription made again after a middleware restart. */
    private record Restored(Middleware.Reply reply, boolean declaration) implements Command {
    }

    /**
     * What the VNF's fast path ({@link StareClient#tryPublish}) reads without asking the actor: the
     * INT module it is attached through, and whether it may publish now.
     */
    static final class Handle {
        volatile IntModule module;
        /** Declarations made again after a middleware restart, not yet answered. */
        volatile boolean restoring;
        /** Exceptions the VNF's listeners and handlers threw: counted, the first kept for the VNF to see. */
        final AtomicLong listenerFailures = new AtomicLong();
        final AtomicReference<Throwable> firstListenerFailure = new AtomicReference<>();

        /** An exception or a failed assertion of the VNF's own code (a JVM error is not caught). */
        void listenerFailed(Throwable e) {
            listenerFailures.incrementAndGet();
            firstListenerFailure.compareAndSet(null, e);
        }
    }

    private final String name;
    /** Whether the first attachment moves the name here; attaching again after a restart does not. */
    private boolean move;
    private final ActorRef<Middleware.Command> middleware;
    private final Duration timeout;
    private final Handle handle;
    private Middleware.Reply attachment;
    private final List<ActorRef<Middleware.Reply>> awaitingAttachment = new ArrayList<>();
    private final VnfSubscriptions subscriptions = new VnfSubscriptions();
    /** State names declared, in order: declared again after a middleware restart. */
    private final Set<String> declared = new LinkedHashSet<>();
    private final ActorRef<Middleware.Reply> restoredAdapter;
    /** What a paced listener runs once it has room again: one instance, not one per delivery. */
    private final Runnable resumeDraining;
    /** Attaching again after a middleware restart, or declarations made again not yet answered. */
    private boolean reattaching;
    private int redeclaring;

    /**
     * A VNF named {@code name} (unique in the deployment) that attaches to {@code middleware} at once.
     *
     * @param timeout bound on each request to the middleware
     */
    public static Behavior<Command> create(String name, ActorRef<Middleware.Command> middleware, Duration timeout) {
        return create(name, middleware, timeout, new Handle(), false);
    }

    /** The same, moving the VNF's name here from the middleware it is bound to if {@code move}. */
    static Behavior<Command> create(String name, ActorRef<Middleware.Command> middleware, Duration timeout,
                                    Handle handle, boolean move) {
        return Behaviors.setup(context -> new Vnf(context, name, middleware, timeout, handle, move));
    }

    private Vnf(ActorContext<Command> context, String name, ActorRef<Middleware.Command> middleware, Duration timeout,
                Handle handle, boolean move) {
        super(context);
        this.name = name;
        this.move = move;
        this.middleware = middleware;
        this.timeout = timeout;
        this.handle = handle;
        this.restoredAdapter = context.messageAdapter(Middleware.Reply.class, reply -> new Restored(reply, false));
        ActorRef<Command> self = context.getSelf();
        this.resumeDraining = () -> self.tell(DeliveriesWaiting.INSTANCE);
        attach();
    }

    private void attach() {
        getContext().ask(Middleware.Reply.class, middleware, timeout,
                replyTo -> new Middleware.Attach(name, getContext().getSelf(), move, replyTo),
                (reply, error) -> new AttachAnswer(reply != null ? reply
                        : new Middleware.Failed("attach " + name, ErrorCode.UNAVAILABLE,
                                "middleware did not answer: " + error)));
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
                .onMessage(ListStates.class, list -> {
                    if (attachment instanceof Middleware.Attached attached) {
                        middleware.tell(new Middleware.ListStates(attached.vnfId(), list.prefix(), list.replyTo()));
                    } else {
                        list.replyTo().tell(new Middleware.Failed("list " + list.prefix(), ErrorCode.NOT_REGISTERED,
                                "not attached"));
                    }
                    return this;
                })
                .onMessage(Deliver.class, this::onDeliver)
                .onMessageEquals(DeliveriesWaiting.INSTANCE, this::onDeliveriesWaiting)
                .onMessageEquals(Reattach.INSTANCE, this::onReattach)
                .onMessage(Restored.class, this::onRestored)
                .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
                .onSignal(PostStop.class, signal -> {
                    handle.module = null;
                    if (attachment instanceof Middleware.Attached attached) {
                        middleware.tell(new Middleware.Detach(attached.vnfId()));
                    }
                    return this;
                })
                .build();
    }

    private Behavior<Command> onAttachAnswer(AttachAnswer answer) {
        attachment = answer.reply();
        if (attachment instanceof Middleware.Attached attached) {
            handle.module = attached.intModule();
            move = false; // the name is bound here now
        }
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
        handle.module = null;
        reattaching = true;
        attach();
        return this;
    }

    /** Declares and subscribes again what this VNF had before its middleware restarted. */
    private void restore() {
        redeclaring = declared.size();
        handle.restoring = redeclaring > 0;
        for (String state : declared) {
            getContext().ask(Middleware.Reply.class, getContext().getSelf(), timeout.multipliedBy(3),
                    replyTo -> new Declare(state, replyTo),
                    (reply, error) -> new Restored(reply != null ? reply : new Middleware.Failed("declare " + state,
                            ErrorCode.UNAVAILABLE, "no answer: " + error), true));
        }
        for (VnfSubscriptions.Resumption again : subscriptions.resumptions()) {
            subscribe(new Subscribe(again.stateName(), again.listener(),
                    again.handler() == null ? null : again.handler().inner, restoredAdapter), again.resumeFrom());
        }
    }

    private Behavior<Command> onRestored(Restored restored) {
        if (restored.declaration()) {
            redeclaring = Math.max(0, redeclaring - 1);
            handle.restoring = redeclaring > 0;
        }
        if (restored.reply() instanceof Middleware.Failed failed) {
            getContext().getLog().error("VNF {}: after its middleware restarted, {} failed ({}): {}", name,
                    failed.request(), failed.code(), failed.reason());
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
                        : new Middleware.Failed("declare " + declare.stateName(), ErrorCode.UNAVAILABLE,
                                "middleware did not answer: " + error)));
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
        publish.replyTo().tell(InJvmClient.publishNow(handle, name, publish.stateId(), publish.value()));
        return this;
    }

    private Behavior<Command> onSubscribe(Subscribe subscribe) {
        subscribe(subscribe, subscribe.resumeFrom());
        return this;
    }

    private void subscribe(Subscribe subscribe, long resumeFrom) {
        if (!(attachment instanceof Middleware.Attached attached)) {
            subscribe.replyTo().tell(notAttached("subscribe " + subscribe.stateName()));
            return;
        }
        // An inline handler is installed by the middleware before it routes the first update; the
        // wrapper remembers how far it got, for a restart to resume from there.
        UpdateHandler inline = subscribe.handler() == null ? null
                : subscriptions.resuming(subscribe.stateName(), subscribe.handler(), handle);
        // The middleware always answers (its ARQ has a limit), possibly after several retransmissions.
        subscriptions.requested();
        getContext().ask(Middleware.Reply.class, middleware, timeout.multipliedBy(3),
                replyTo -> new Middleware.Subscribe(attached.vnfId(), subscribe.stateName(), resumeFrom, inline, replyTo),
                (reply, error) -> new SubscribeAnswer(subscribe, reply != null ? reply
                        : new Middleware.Failed("subscribe " + subscribe.stateName(), ErrorCode.UNAVAILABLE,
                                "middleware did not answer: " + error)));
    }

    private Behavior<Command> onSubscribeAnswer(SubscribeAnswer answer) {
        ResumingHandler installed = null;
        if (answer.reply() instanceof Middleware.Subscribed subscribed && answer.request().listener() == null
                && attachment instanceof Middleware.Attached attached
                && attached.intModule().handler(subscribed.stateId()) instanceof ResumingHandler inline) {
            installed = inline;
        }
        List<Delivery> held = subscriptions.answered(answer.request().stateName(), answer.reply(),
                answer.request().listener(), installed);
        answer.request().replyTo().tell(answer.reply());
        // Hand over what overtook this answer; once no answer is pending, the rest has no listener.
        held.forEach(this::handOver);
        return this;
    }

    private Behavior<Command> onUnsubscribe(Unsubscribe unsubscribe) {
        Integer state = subscriptions.unsubscribe(unsubscribe.stateName());
        if (state == null || !(attachment instanceof Middleware.Attached attached)) {
            unsubscribe.replyTo().tell(new Middleware.Failed("unsubscribe " + unsubscribe.stateName(),
                    ErrorCode.BAD_REQUEST, "not subscribed"));
            return this;
        }
        // Stop delivering at once; the middleware stops routing (and waits for its main path) before it answers.
        subscriptions.stopDelivering(state);
        middleware.tell(new Middleware.Unsubscribe(attached.vnfId(), state, unsubscribe.replyTo()));
        return this;
    }

    private Behavior<Command> onDeliver(Deliver deliver) {
        handOver(deliver.delivery());
        if (deliver.ack() != null) {
            deliver.ack().tell(Done.getInstance());
        }
        return this;
    }

    /** Drains a batch from the INT module's queue; asks for another turn if more is waiting. */
    private Behavior<Command> onDeliveriesWaiting() {
        if (!(attachment instanceof Middleware.Attached attached)) {
            return this;
        }
        IntModule module = attached.intModule();
        for (int i = 0; i < DRAIN_BATCH; i++) {
            Delivery next = module.poll();
            if (next == null) {
                return this; // the next delivery wakes us again
            }
            if (handOver(next) instanceof PacedListener paced && !paced.ready(resumeDraining)) {
                return this; // it wakes us when it has room; the INT module's queue holds the rest
            }
        }
        getContext().getSelf().tell(DeliveriesWaiting.INSTANCE);
        return this;
    }

    /** Hands a delivery to its listener; returns the listener, or null if none took it. */
    private StateListener handOver(Delivery delivery) {
        StateListener listener = subscriptions.listenerFor(delivery);
        if (listener == null) {
            return null; // held for a pending answer, not subscribed, or already delivered
        }
        try {
            if (delivery instanceof Delivery.Update u) {
                listener.onDelivery(u);
            } else if (delivery instanceof Delivery.Loss loss) {
                listener.onLoss(loss);
            }
        } catch (RuntimeException | AssertionError e) {
            handle.listenerFailed(e);
            long failures = handle.listenerFailures.get();
            if (Long.bitCount(failures) == 1) { // 1, 2, 4, ...: visible, but no log flood
                getContext().getLog().warn("VNF {}: the listener of state {} threw ({} so far)", name,
                        delivery.stateId(), failures, e);
            }
        }
        return listener;
    }

    private Middleware.Failed notAttached(String request) {
        return attachment instanceof Middleware.Failed failed
                ? new Middleware.Failed(request, failed.code(), "attach failed: " + failed.reason())
                : new Middleware.Failed(request, ErrorCode.NOT_REGISTERED, name + " is not attached yet");
    }
}
