package io.stare.actors.middleware;

import io.stare.client.Delivery;
import io.stare.client.PublishResult;
import io.stare.client.StateListener;
import io.stare.client.UpdateHandler;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.LongAdder;
import org.apache.pekko.actor.typed.ActorRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The INT module of one attached VNF (the paper's Fig. 5): its way out to the network and its way
 * in from it, with no actor message per update in either direction.
 *
 * <pre>
 *   out: VNF thread ── tryPublish(state, bytes) ─▶ the state's Publication ─▶ PublishLog   (a code back)
 *   in:  main path ── deliver ─┬─ an UpdateHandler: called right there, from the receive buffer
 *                              └─ a StateListener: copied into the inbound queue; the VNF's actor
 *                                 drains it (one wake-up message per batch, not per update)
 * </pre>
 * A slow VNF fills its inbound queue; then updates are dropped, counted and reported to it as a
 * {@link Delivery.Loss} ({@code INBOUND_OVERFLOW}). A fast publisher fills the publish log; then a
 * publish is refused as {@link PublishResult#BACK_PRESSURED}. Neither blocks the main path or
 * another VNF.
 */
public final class IntModule {

    private static final Logger log = LoggerFactory.getLogger(IntModule.class);

    private final int vnfId;
    private final ActorRef<Vnf.Command> vnf;
    private final int inboundCapacity;
    private final LongAdder handlerErrors;
    private final LongAdder refused;
    private final ArrayDeque<Delivery> inbound = new ArrayDeque<>(); // guarded by itself
    private boolean drainScheduled; // guarded by inbound
    private final LongAdder inboundDropped = new LongAdder();
    /** Updates this VNF published that the main path has not sent yet (its outbound queue). */
    private final java.util.concurrent.atomic.AtomicInteger unsent = new java.util.concurrent.atomic.AtomicInteger();
    /** The states this VNF declared, and the inline handlers of its subscriptions: copy-on-write. */
    private volatile StateMap<Publication> publications = new StateMap<>();
    private volatile StateMap<UpdateHandler> handlers = new StateMap<>();
    /** Set when the VNF left or the EXT module stopped; later traffic is not the VNF's overflow. */
    private volatile boolean closed;

    /**
     * @param handlerErrors where exceptions of inline handlers are counted (the server's total)
     * @param refused where publishes refused before they reach a publication are counted
     */
    IntModule(int vnfId, ActorRef<Vnf.Command> vnf, int inboundCapacity, LongAdder handlerErrors, LongAdder refused) {
        this.vnfId = vnfId;
        this.vnf = vnf;
        this.inboundCapacity = inboundCapacity;
        this.handlerErrors = handlerErrors;
        this.refused = refused;
    }

    /** The VNF this module serves. */
    public int vnfId() {
        return vnfId;
    }

    /** The VNF's actor. */
    public ActorRef<Vnf.Command> vnf() {
        return vnf;
    }

    // ---- out: publishing

    /**
     * Publishes an update of a state this VNF declared, from {@code value[offset, offset + length)}:
     * the update number (0 or more), or a negative code of {@link PublishResult} ({@code NOT_DECLARED},
     * {@code BACK_PRESSURED}, {@code TOO_LARGE}, {@code UNAVAILABLE}). Any thread; the bytes are
     * copied before it returns. Allocates nothing.
     */
    public long tryPublish(int stateId, byte[] value, int offset, int length) {
        Publication publication = publication(stateId);
        return publication == null ? refusal() : publication.tryPublish(value, offset, length);
    }

    /** The same from a buffer ({@code value}'s position and limit are left alone). */
    public long tryPublish(int stateId, ByteBuffer value, int offset, int length) {
        Publication publication = publication(stateId);
        return publication == null ? refusal() : publication.tryPublish(value, offset, length);
    }

    /** The segments an update of {@code length} bytes takes, for the publish's reply. */
    int segmentsOf(int stateId, int length) {
        Publication publication = publications.get(stateId);
        return publication == null ? 0 : publication.segmentsOf(length);
    }

    /** This VNF's updates published and not yet sent. */
    java.util.concurrent.atomic.AtomicInteger unsent() {
        return unsent;
    }

    /** Publishes waiting for the main path to send them. */
    public int outboundQueued() {
        return unsent.get();
    }

    private Publication publication(int stateId) {
        return closed ? null : publications.get(stateId);
    }

    private long refusal() {
        refused.increment();
        return closed ? PublishResult.UNAVAILABLE : PublishResult.NOT_DECLARED;
    }

    /** The EXT module: the VNF now publishes this state. */
    void declared(Publication publication) {
        StateMap<Publication> next = publications.copy();
        next.put(publication.stateId, publication);
        publications = next;
    }

    // ---- in: deliveries

    /** The EXT module: updates of {@code stateId} go to {@code handler} inline (null: to the VNF's actor). */
    void handle(int stateId, UpdateHandler handler) {
        StateMap<UpdateHandler> next = handlers.copy();
        next.put(stateId, handler);
        handlers = next;
    }

    /** The VNF's inline handler for {@code stateId}, or null. */
    UpdateHandler handler(int stateId) {
        return handlers.get(stateId);
    }

    /** The main path: one whole update, its bytes valid during the call only. */
    void deliver(int stateId, int publisherVnfId, long update, ByteBuffer buffer, int offset, int length) {
        if (closed) {
            return; // the VNF left, or attaches again after a restart and recovers what it missed
        }
        UpdateHandler handler = handlers.get(stateId);
        if (handler != null) {
            try {
                handler.onUpdate(stateId, publisherVnfId, update, buffer, offset, length);
            } catch (RuntimeException | AssertionError e) {
                handlerFailed(stateId, e);
            }
            return;
        }
        byte[] value = new byte[length];
        buffer.get(offset, value);
        Delivery.Update delivery = new Delivery.Update(stateId, publisherVnfId, update, value);
        if (!enqueue(delivery)) {
            inboundDropped.increment();
            vnf.tell(new Vnf.Deliver(new Delivery.Loss(stateId, publisherVnfId, update, update,
                    Delivery.Loss.Reason.INBOUND_OVERFLOW), null));
        }
    }

    /** The main path: updates that will never arrive. */
    void lost(Delivery.Loss loss) {
        if (closed) {
            return;
        }
        UpdateHandler handler = handlers.get(loss.stateId());
        if (handler != null) {
            try {
                handler.onLoss(loss);
            } catch (RuntimeException | AssertionError e) {
                handlerFailed(loss.stateId(), e);
            }
        } else if (!enqueue(loss)) {
            vnf.tell(new Vnf.Deliver(loss, null)); // rare: a notice is never dropped
        }
    }

    private void handlerFailed(int stateId, Throwable e) {
        handlerErrors.increment();
        long failures = handlerErrors.sum();
        if (Long.bitCount(failures) == 1) { // 1, 2, 4, ...: visible, but no log flood
            log.warn("VNF {}: the update handler of state {} threw ({} so far on this server)", vnfId, stateId,
                    failures, e);
        }
    }

    /** Queues a delivery for the VNF's actor, waking it if it was not already draining; false when full. */
    private boolean enqueue(Delivery delivery) {
        boolean wake;
        synchronized (inbound) {
            if (inbound.size() >= inboundCapacity) {
                return false;
            }
            inbound.addLast(delivery);
            wake = !drainScheduled;
            drainScheduled = true;
        }
        if (wake) {
            vnf.tell(Vnf.DeliveriesWaiting.INSTANCE);
        }
        return true;
    }

    /**
     * The VNF's actor: the next queued delivery, or null when the queue is empty (then the next
     * delivery wakes the actor again).
     */
    Delivery poll() {
        synchronized (inbound) {
            Delivery next = inbound.pollFirst();
            if (next == null) {
                drainScheduled = false;
            }
            return next;
        }
    }

    /** Updates waiting in the inbound queue for the VNF. */
    public int inboundQueued() {
        synchronized (inbound) {
            return inbound.size();
        }
    }

    /** Updates dropped because the VNF did not keep up. */
    public long inboundDropped() {
        return inboundDropped.sum();
    }

    /** Stops both directions (the VNF left, or the EXT module stopped). */
    void close() {
        closed = true;
        publications.forEach((state, publication) -> publication.close());
        synchronized (inbound) {
            inbound.clear();
        }
    }
}
