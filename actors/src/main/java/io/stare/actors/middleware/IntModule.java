package io.stare.actors.middleware;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The INT module of one attached VNF: two bounded queues as stream stages, one per direction.
 *
 * <pre>
 *   inbound:  Source.queue(inbound-queue)  → mapAsync(IN_FLIGHT, ask VNF Deliver, ack)     (EXT → VNF)
 *   outbound: Source.queue(outbound-queue) → mapAsync(IN_FLIGHT, ask EXT Publish, result)  (VNF → EXT)
 * </pre>
 * A few messages in flight per direction, in order (both ends are local actors: asks sent in
 * order from the stage land in the target's mailbox in order, and mapAsync emits results in
 * order). With one in flight every update waited for a round trip of about five thread hand-offs,
 * which capped one VNF at about 20,000 updates/s on 2 cores. A slow VNF fills its inbound queue
 * (then updates are dropped, counted and reported to it as a {@link Delivery.Loss}), a fast
 * publisher fills its outbound queue (then a publish is refused as
 * {@link PublishResult.Reason#BACK_PRESSURED}). Neither blocks the EXT module or another VNF.
 */
public final class IntModule {

    /** Messages each direction has on their way at once. */
    static final int IN_FLIGHT = 16;

    private final int vnfId;
    private final ActorRef<Vnf.Command> vnf;
    private final BoundedSourceQueue<Delivery> inbound;
    private final BoundedSourceQueue<Outgoing> outbound;
    private final LongAdder inboundDropped = new LongAdder();
    /** Set when the VNF left or the EXT module stopped; later traffic is not the VNF's overflow. */
    private volatile boolean closed;

    private record Outgoing(int stateId, byte[] value, CompletableFuture<PublishResult> result) {
    }

    IntModule(ActorSystem<?> system, int vnfId, ActorRef<Vnf.Command> vnf, ActorRef<Middleware.Command> ext,
              MiddlewareSettings settings) {
        this.vnfId = vnfId;
        this.vnf = vnf;
        Materializer materializer = Materializer.matFromSystem(system);
        Duration timeout = settings.controlTimeout();
        this.inbound = Source.<Delivery>queue(settings.inboundQueue())
                .mapAsync(IN_FLIGHT, delivery -> AskPattern.<Vnf.Command, Done>ask(vnf,
                                ack -> new Vnf.Deliver(delivery, ack), timeout, system.scheduler())
                        // A VNF that does not answer loses this delivery, not its module.
                        .exceptionallyAsync(error -> Done.getInstance(), InlineExecutor.INSTANCE))
                .to(Sink.ignore())
                .run(materializer);
        this.outbound = Source.<Outgoing>queue(settings.outboundQueue())
                .mapAsync(IN_FLIGHT, out -> AskPattern.<Middleware.Command, PublishResult>ask(ext,
                                replyTo -> new Middleware.Publish(vnfId, out.stateId(), out.value(), replyTo), timeout,
                                system.scheduler())
                        .handleAsync((result, error) -> {
                            out.result().complete(error == null ? result : new PublishResult.Refused(
                                    PublishResult.Reason.UNAVAILABLE, "middleware did not answer: " + error));
                            return Done.getInstance();
                        }, InlineExecutor.INSTANCE))
                .to(Sink.ignore())
                .run(materializer);
    }

    /** The VNF this module serves. */
    public int vnfId() {
        return vnfId;
    }

    /** The VNF's actor. */
    public ActorRef<Vnf.Command> vnf() {
        return vnf;
    }

    /**
     * EXT → VNF: queues a delivery, never blocking. When the queue is full the update is dropped,
     * counted, and the VNF is told of the loss directly (a rare message outside the queue).
     */
    void deliver(Delivery delivery) {
        if (inbound.offer(delivery) == QueueOfferResult.enqueued() || closed) {
            // Closed: the VNF left, or attaches again after a restart and recovers what it missed.
            return;
        }
        inboundDropped.increment();
        if (delivery instanceof Delivery.Update u) {
            vnf.tell(new Vnf.Deliver(new Delivery.Loss(u.stateId(), u.publisherVnfId(), u.update(), u.update(),
                    Delivery.Loss.Reason.INBOUND_OVERFLOW), null));
        }
    }

    /** VNF → EXT: queues a publish; completes with the EXT module's result, or refused when full. */
    public CompletionStage<PublishResult> publish(int stateId, byte[] value) {
        CompletableFuture<PublishResult> result = new CompletableFuture<>();
        QueueOfferResult offered = outbound.offer(new Outgoing(stateId, value.clone(), result));
        if (closed) {
            result.complete(new PublishResult.Refused(PublishResult.Reason.UNAVAILABLE,
                    "the middleware detached VNF " + vnfId + " (it left, or the middleware restarts)"));
        } else if (offered != QueueOfferResult.enqueued()) {
            result.complete(new PublishResult.Refused(PublishResult.Reason.BACK_PRESSURED,
                    "the INT outbound queue of VNF " + vnfId + " is full"));
        }
        return result;
    }

    /** Updates waiting in the inbound queue for the VNF (approximate). */
    public int inboundQueued() {
        return inbound.size();
    }

    /** Publishes waiting in the outbound queue for the EXT module (approximate). */
    public int outboundQueued() {
        return outbound.size();
    }

    /** Updates dropped because the VNF did not keep up. */
    public long inboundDropped() {
        return inboundDropped.sum();
    }

    /** Stops both queues (the VNF left). */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        ReceivePath.completeQuietly(inbound);
        ReceivePath.completeQuietly(outbound);
    }
}
