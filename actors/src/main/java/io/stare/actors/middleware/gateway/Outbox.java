package io.stare.actors.middleware.gateway;

import io.stare.client.Delivery;
import io.stare.protocol.vnf.VnfMessage;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.SourceShape;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;

/**
 * The bounded buffer of DELIVER frames towards one TCP VNF, and the stream stage that drains it
 * into the connection as the socket accepts bytes.
 *
 * <p>It paces the VNF's actor ({@link PacedListener}): once {@code capacity} deliveries wait, the
 * actor stops handing updates over until half of them have left, so a slow reader backs up into
 * its INT module's inbound queue, whose overflow is read again from the backlog later. Nothing the
 * backlog holds is lost that way. Deliveries the actor hands over regardless (when the connection
 * is gone, for instance) beyond the capacity are dropped and counted, and the VNF is told with a
 * {@code LOSS_NOTICE(UNRECOVERABLE)} covering them:
 * losses are merged per state into one range and queued just before that state's next delivery
 * (or sent when the buffer drains), so per state the VNF sees them in update order. These notices
 * may exceed the capacity by at most one per subscribed state.
 */
final class Outbox {

    private final int capacity;
    private final GatewayCounters counters;
    private final ArrayDeque<VnfMessage> queue = new ArrayDeque<>();
    private final Map<Integer, VnfMessage.LossNotice> pendingLoss = new LinkedHashMap<>();
    private Runnable wakeup;
    private boolean waiting;
    /** The VNF actor's resumption once there is room again, null when it is not paused. */
    private Runnable paused;
    private boolean closed;

    Outbox(int capacity, GatewayCounters counters) {
        this.capacity = capacity;
        this.counters = counters;
    }

    /** An update for the VNF: queued, or dropped and remembered as lost. */
    void deliver(Delivery.Update update) {
        Runnable wake;
        synchronized (this) {
            if (closed) {
                return;
            }
            if (queue.size() >= capacity) {
                counters.deliveriesDropped.increment();
                lost(update.stateId(), update.update(), update.update());
                return;
            }
            VnfMessage.LossNotice before = pendingLoss.remove(update.stateId());
            if (before != null) {
                queue.add(before);
            }
            counters.deliveries.increment();
            queue.add(new VnfMessage.Deliver(update.stateId(), update.publisherVnfId(), update.update(), update.value()));
            wake = takeWakeup();
        }
        run(wake);
    }

    /**
     * Whether the VNF's actor may hand over more now; if not, {@code resume} runs once half the
     * capacity is free again.
     */
    synchronized boolean ready(Runnable resume) {
        if (closed || queue.size() < capacity) {
            return true;
        }
        paused = resume;
        return false;
    }

    /** Updates the middleware reports lost (not recoverable, or its own queue overflowed). */
    void loss(Delivery.Loss loss) {
        Runnable wake;
        synchronized (this) {
            if (closed) {
                return;
            }
            lost(loss.stateId(), loss.first(), loss.last());
            wake = takeWakeup();
        }
        run(wake);
    }

    /** The connection is gone: everything still queued is discarded, later offers ignored. */
    void close() {
        Runnable resume;
        synchronized (this) {
            closed = true;
            queue.clear();
            pendingLoss.clear();
            resume = paused; // the actor drains its queue into nothing from now on
            paused = null;
        }
        run(resume);
    }

    /** Deliveries and notices waiting; for tests. */
    synchronized int size() {
        return queue.size() + pendingLoss.size();
    }

    /** Whether the stream found nothing and waits to be woken; for tests. */
    synchronized boolean streamWaits() {
        return waiting;
    }

    /** The frames as a source; materialize it once. */
    Source<VnfMessage, NotUsed> source() {
        return Source.fromGraph(new Drain());
    }

    private void lost(int state, long first, long last) {
        VnfMessage.LossNotice pending = pendingLoss.get(state);
        if (pending != null && first <= pending.lastUpdate() + 1 && last + 1 >= pending.firstUpdate()) {
            pendingLoss.put(state, new VnfMessage.LossNotice(state, Math.min(first, pending.firstUpdate()),
                    Math.max(last, pending.lastUpdate()), VnfMessage.LossNotice.Outcome.UNRECOVERABLE));
            return;
        }
        if (pending != null) {
            queue.add(pending); // not contiguous: the older range goes out first
        }
        counters.lossNotices.increment();
        pendingLoss.put(state, new VnfMessage.LossNotice(state, first, last, VnfMessage.LossNotice.Outcome.UNRECOVERABLE));
    }

    private VnfMessage poll(Runnable onAvailable) {
        VnfMessage next;
        Runnable resume = null;
        synchronized (this) {
            wakeup = onAvailable;
            next = queue.poll();
            if (next == null && !pendingLoss.isEmpty()) {
                var first = pendingLoss.entrySet().iterator().next();
                pendingLoss.remove(first.getKey());
                next = first.getValue();
            }
            waiting = next == null;
            if (paused != null && queue.size() <= capacity / 2) {
                resume = paused;
                paused = null;
            }
        }
        run(resume); // outside the lock: it only tells the VNF's actor
        return next;
    }

    private Runnable takeWakeup() {
        if (!waiting) {
            return null;
        }
        waiting = false;
        return wakeup;
    }

    private static void run(Runnable wake) {
        if (wake != null) {
            wake.run(); // outside the lock: it only schedules the stage
        }
    }

    /** Pushes the buffer's head whenever the connection pulls; wakes up when something arrives. */
    private final class Drain extends GraphStage<SourceShape<VnfMessage>> {
        private final Outlet<VnfMessage> out = Outlet.create("Outbox.out");
        private final SourceShape<VnfMessage> shape = SourceShape.of(out);

        @Override
        public SourceShape<VnfMessage> shape() {
            return shape;
        }

        @Override
        public GraphStageLogic createLogic(Attributes attributes) {
            return new GraphStageLogic(shape) {
                private AsyncCallback<NotUsed> available;

                {
                    setHandler(out, new AbstractOutHandler() {
                        @Override
                        public void onPull() {
                            pushNext();
                        }
                    });
                }

                @Override
                public void preStart() {
                    available = createAsyncCallback(ignored -> {
                        if (isAvailable(out)) {
                            pushNext();
                        }
                    });
                }

                private void pushNext() {
                    VnfMessage next = poll(() -> available.invoke(NotUsed.notUsed()));
                    if (next != null) {
                        push(out, next);
                    }
                }

                @Override
                public void postStop() {
                    close();
                }
            };
        }
    }
}
