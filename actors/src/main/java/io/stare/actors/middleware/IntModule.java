package io.stare.actors.middleware;

import io.stare.client.Delivery;
import io.stare.client.PublishResult;
import io.stare.client.StateListener;
import io.stare.client.UpdateHandler;
import java.nio.ByteBuffer;
import io.stare.protocol.control.Recovered;
import io.stare.protocol.segment.Segment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
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
 * A slow VNF fills its inbound queue; then the updates it turns away are counted and read again
 * from the backlog as the queue drains ({@link CatchUp}), so the VNF gets them in order, late, and a
 * loss notice only for what the backlog no longer holds. A fast publisher fills the publish log;
 * then a publish is refused as {@link PublishResult#BACK_PRESSURED}. Neither blocks the main path or
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
    private final CatchUp catchUp; // guarded by inbound
    /** Where backlog reads are asked for (the EXT module's actor); called outside the lock. */
    private final BiConsumer<IntModule, CatchUp.Read> reader;
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
     * @param catchUpAttempts fruitless backlog reads of an update before it is reported lost
     * @param reader asks the backlog for what the full queue turned away (see {@link #caughtUp})
     */
    IntModule(int vnfId, ActorRef<Vnf.Command> vnf, int inboundCapacity, LongAdder handlerErrors, LongAdder refused,
              int catchUpAttempts, BiConsumer<IntModule, CatchUp.Read> reader) {
        this.vnfId = vnfId;
        this.vnf = vnf;
        this.inboundCapacity = inboundCapacity;
        this.handlerErrors = handlerErrors;
        this.refused = refused;
        this.catchUp = new CatchUp(catchUpAttempts);
        this.reader = reader;
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
        offer(new Delivery.Update(stateId, publisherVnfId, update, value), publisherVnfId, update, update);
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
        } else {
            offer(loss, loss.publisherVnfId(), loss.first(), loss.last());
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

    /**
     * Queues a live delivery ({@code first..last} of its state) for the VNF's actor, waking it if it
     * was not already draining; if the queue is full, or the state is held back for a catch-up, it
     * is turned away and read again from the backlog later (a loss notice too: the backlog's answer
     * says again what it no longer holds).
     */
    private void offer(Delivery delivery, int publisherVnfId, long first, long last) {
        boolean wake;
        synchronized (inbound) {
            // isEmpty first: the main path's usual case looks nothing up (a boxed state ID per update).
            if (!catchUp.isEmpty() && catchUp.holds(delivery.stateId(), last)) {
                inboundDropped.increment();
                return;
            }
            if (inbound.size() >= inboundCapacity) {
                inboundDropped.increment();
                catchUp.turnedAway(delivery.stateId(), publisherVnfId, first, last);
                return;
            }
            wake = queue(delivery);
        }
        wakeIf(wake);
    }

    /** Adds to the queue (the lock held); whether the VNF's actor is to be woken. */
    private boolean queue(Delivery delivery) {
        inbound.addLast(delivery);
        boolean wake = !drainScheduled;
        drainScheduled = true;
        return wake;
    }

    private void wakeIf(boolean wake) {
        if (wake) {
            vnf.tell(Vnf.DeliveriesWaiting.INSTANCE);
        }
    }

    /**
     * The VNF's actor: the next queued delivery, or null when the queue is empty (then the next
     * delivery wakes the actor again). Once the queue is half empty, what it turned away is asked
     * of the backlog.
     */
    Delivery poll() {
        Delivery next;
        CatchUp.Read read = null;
        synchronized (inbound) {
            next = inbound.pollFirst();
            if (next == null) {
                drainScheduled = false;
            }
            if (!catchUp.isEmpty() && inbound.size() <= inboundCapacity / 2) {
                read = catchUp.next(inboundCapacity - inbound.size());
            }
        }
        ask(read);
        return next;
    }

    /**
     * The EXT module: the backlog answered a catch-up read. Queues, in order from the read's first
     * update, every whole update it brought and a loss notice for what it no longer holds, up to
     * the first update it did not bring (asked again) or the queue's room, then asks for the next
     * read if there is room (else the VNF's draining asks). Returns whether the backlog brought
     * nothing of the read's first update (the caller asks again after the retry interval).
     */
    boolean caughtUp(CatchUp.Read read, Recovered answer) {
        Map<Long, List<Segment>> pieces = new HashMap<>();
        for (Segment segment : answer.segments()) {
            pieces.computeIfAbsent(segment.update(), u -> new ArrayList<>()).add(segment);
        }
        Set<Long> truncated = new HashSet<>();
        answer.truncated().forEach(missing -> truncated.add(missing.update()));
        boolean wake = false;
        boolean stalled;
        CatchUp.Read nextRead;
        synchronized (inbound) {
            if (closed) {
                return false;
            }
            long u = read.first();
            long lostFrom = -1;
            boolean full = false; // other states filled the queue meanwhile: no room is not a fruitless answer
            for (; u <= read.last(); u++) {
                if (inbound.size() >= inboundCapacity) {
                    full = true;
                    break;
                }
                byte[] value = truncated.contains(u) ? null : Segment.join(pieces.get(u));
                if (value == null && !truncated.contains(u)) {
                    break; // not (wholly) held yet: asked again
                }
                if (value == null) {
                    lostFrom = lostFrom < 0 ? u : lostFrom;
                    continue;
                }
                if (lostFrom >= 0) {
                    wake |= queue(lostNotice(read, lostFrom, u - 1));
                    lostFrom = -1;
                }
                wake |= queue(new Delivery.Update(read.stateId(), read.publisherVnfId(), u, value));
            }
            if (lostFrom >= 0) {
                wake |= queue(lostNotice(read, lostFrom, u - 1));
            }
            stalled = u == read.first() && !full;
            if (stalled && catchUp.fruitless(read)) {
                wake |= queue(lostNotice(read, u, u)); // the backlog holds only part of it, for good
                u++;
                stalled = false;
            }
            catchUp.answered(read, u);
            nextRead = stalled || inbound.size() > inboundCapacity / 2 ? null
                    : catchUp.next(inboundCapacity - inbound.size());
        }
        wakeIf(wake);
        ask(nextRead);
        return stalled;
    }

    /** The EXT module: a catch-up read of {@code stateId} is to be asked again (unanswered, or stalled). */
    void retryCatchUp(CatchUp.Read read) {
        CatchUp.Read again;
        synchronized (inbound) {
            catchUp.unanswered(read);
            again = inbound.size() > inboundCapacity / 2 ? null : catchUp.next(inboundCapacity - inbound.size());
        }
        ask(again);
    }

    /**
     * The oldest update of {@code stateId} this VNF still waits to read again from the backlog, -1
     * if none: the backlog must not truncate it.
     */
    long oldestHeld(int stateId) {
        synchronized (inbound) {
            return catchUp.oldestHeld(stateId);
        }
    }

    private static Delivery.Loss lostNotice(CatchUp.Read read, long first, long last) {
        return new Delivery.Loss(read.stateId(), read.publisherVnfId(), first, last, Delivery.Loss.Reason.UNRECOVERABLE);
    }

    private void ask(CatchUp.Read read) {
        if (read != null) {
            reader.accept(this, read);
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
            catchUp.clear();
        }
    }
}
