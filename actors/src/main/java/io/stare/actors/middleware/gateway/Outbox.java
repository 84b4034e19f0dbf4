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
 * <p>Like the INT module's inbound queue, it never blocks the middleware: the VNF actor hands an
 * update over and returns at once. When {@code capacity} deliveries wait, further updates are
 * dropped and counted, and the VNF is told with a {@code LOSS_NOTICE(UNRECOVERABLE)} covering them:
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
    synchronized void close() {
        closed = true;
        queue.clear();
        pendingLoss.clear();
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

    private synchronized VnfMessage poll(Runnable onAvailable) {
        wakeup = onAvailable;
        VnfMessage next = queue.poll();
        if (next == null && !pendingLoss.isEmpty()) {
            var first = pendingLoss.entrySet().iterator().next();
            pendingLoss.remove(first.getKey());
            next = first.getValue();
        }
        waiting = next == null;
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
