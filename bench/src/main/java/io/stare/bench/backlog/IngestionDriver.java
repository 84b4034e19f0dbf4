package io.stare.bench.backlog;

import io.stare.actors.controller.ReplicaController;
import io.stare.protocol.control.TruncationQuery;
import io.stare.protocol.control.TruncationReport;
import io.stare.protocol.segment.Segment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * The load of the backlog ingestion benchmark: behaves like the EXT module of a middleware that
 * publishes every state as fast as the controller confirms. Per state it keeps {@code window}
 * Appends of {@code batch} one-segment updates in flight; each update's {@code Appended} counts
 * one segment persisted, and an Append whose updates are all confirmed makes room for the next.
 * Nothing is resent: an Append unconfirmed after {@link #STALL} is given up (counted as
 * abandoned) so a lost message cannot stall its state for the rest of the run.
 *
 * <p>It also subscribes every state and answers the backlog's truncation queries with the newest
 * confirmed update, as a subscriber that has received everything would: the backlog is then
 * truncated every truncation interval, as in a running deployment, instead of growing to its cap.
 */
final class IngestionDriver extends AbstractBehavior<IngestionDriver.Command> {

    /** An Append unconfirmed this long is given up. */
    static final Duration STALL = Duration.ofSeconds(10);

    static final String SUBSCRIBER_ID = "bench-driver";

    /** What the driver accepts (all local: never crosses the cluster). */
    interface Command {
    }

    /** Subscribe every state and start sending. */
    enum Start implements Command {
        INSTANCE
    }

    /** Start counting: confirmations and latencies from now on are measured. */
    enum BeginMeasure implements Command {
        INSTANCE
    }

    /** Stop counting and report what was measured since BeginMeasure. */
    record EndMeasure(ActorRef<Measurement> replyTo) implements Command {
    }

    /** Send no more Appends (those in flight still complete). */
    enum StopSending implements Command {
        INSTANCE
    }

    /** How many Appends are still in flight. */
    record GetInFlight(ActorRef<Integer> replyTo) implements Command {
    }

    /**
     * What one measured phase saw.
     *
     * @param segments segments confirmed persisted (one per Appended)
     * @param payloadBytes their payload bytes
     * @param elapsedNanos the phase's length, measured by the driver itself
     * @param latencyMicros Append sent → Appended received, per segment
     * @param abandonedSegments segments of Appends given up as stalled during the phase
     */
    record Measurement(long segments, long payloadBytes, long elapsedNanos, Histogram latencyMicros,
                       long abandonedSegments) {
    }

    private record Confirmed(ReplicaController.Appended appended) implements Command {
    }

    private record Query(TruncationQuery query) implements Command {
    }

    private enum Tick implements Command {
        INSTANCE
    }

    /** One Append in flight: updates {@code first .. first + batch - 1}. */
    private static final class InFlight {
        final long sentNanos;
        final BitSet confirmed;
        int remaining;

        InFlight(long sentNanos, int batch) {
            this.sentNanos = sentNanos;
            this.confirmed = new BitSet(batch);
            this.remaining = batch;
        }
    }

    /** One state's flow of updates. */
    private static final class Flow {
        final int stateId;
        /** In-flight Appends by index (update / batch). */
        final Map<Long, InFlight> inFlight = new HashMap<>();
        long nextAppend;
        long highestConfirmed = -1;

        Flow(int stateId) {
            this.stateId = stateId;
        }
    }

    private final ActorRef<ReplicaController.Command> controller;
    private final int batch;
    private final int window;
    private final byte[] payload;
    private final Map<Integer, Flow> flows = new HashMap<>();
    private final ActorRef<ReplicaController.Appended> confirmations;
    private final ActorRef<TruncationQuery> queries;
    private boolean sending;
    private boolean measuring;
    private long measureStart;
    private long segments;
    private long abandoned;
    private Histogram latency = new Histogram(3);

    /**
     * @param controller a ReplicaController router (of the driver's node)
     * @param firstState the first state ID; states {@code firstState .. firstState + states - 1}
     */
    static Behavior<Command> create(ActorRef<ReplicaController.Command> controller, int firstState, int states,
                                    int segmentBytes, int batch, int window) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            timers.startTimerWithFixedDelay(Tick.INSTANCE, Duration.ofSeconds(1));
            return new IngestionDriver(context, controller, firstState, states, segmentBytes, batch, window);
        }));
    }

    private IngestionDriver(ActorContext<Command> context, ActorRef<ReplicaController.Command> controller,
                            int firstState, int states, int segmentBytes, int batch, int window) {
        super(context);
        this.controller = controller;
        this.batch = batch;
        this.window = window;
        this.payload = new byte[segmentBytes];
        new java.util.Random(42).nextBytes(payload);
        for (int s = firstState; s < firstState + states; s++) {
            flows.put(s, new Flow(s));
        }
        this.confirmations = context.messageAdapter(ReplicaController.Appended.class, Confirmed::new);
        this.queries = context.messageAdapter(TruncationQuery.class, Query::new);
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessageEquals(Start.INSTANCE, this::onStart)
                .onMessage(Confirmed.class, this::onConfirmed)
                .onMessage(Query.class, this::onQuery)
                .onMessageEquals(Tick.INSTANCE, this::onTick)
                .onMessageEquals(BeginMeasure.INSTANCE, this::onBeginMeasure)
                .onMessage(EndMeasure.class, this::onEndMeasure)
                .onMessageEquals(StopSending.INSTANCE, () -> {
                    sending = false;
                    return this;
                })
                .onMessage(GetInFlight.class, get -> {
                    int n = 0;
                    for (Flow flow : flows.values()) {
                        n += flow.inFlight.size();
                    }
                    get.replyTo().tell(n);
                    return this;
                })
                .build();
    }

    private Behavior<Command> onStart() {
        sending = true;
        for (Flow flow : flows.values()) {
            controller.tell(new ReplicaController.SubscriberJoined(flow.stateId, SUBSCRIBER_ID, queries));
            fill(flow);
        }
        return this;
    }

    private void fill(Flow flow) {
        while (sending && flow.inFlight.size() < window) {
            long index = flow.nextAppend++;
            List<Segment> segments = new ArrayList<>(batch);
            for (int i = 0; i < batch; i++) {
                segments.add(new Segment(flow.stateId, 1, index * batch + i, 1, 0, payload));
            }
            flow.inFlight.put(index, new InFlight(System.nanoTime(), batch));
            controller.tell(new ReplicaController.Append(segments, confirmations));
        }
    }

    private Behavior<Command> onConfirmed(Confirmed confirmed) {
        long now = System.nanoTime();
        ReplicaController.Appended appended = confirmed.appended();
        Flow flow = flows.get(appended.stateId());
        if (flow == null) {
            return this;
        }
        // One confirmation covers a run of consecutive updates (a whole Append, usually).
        for (long update = appended.first(); update <= appended.last(); update++) {
            confirm(flow, update, now);
        }
        return this;
    }

    private void confirm(Flow flow, long update, long now) {
        long index = update / batch;
        int slot = (int) (update % batch);
        InFlight append = flow.inFlight.get(index);
        if (append == null || append.confirmed.get(slot)) {
            return; // given up already, or a repeated confirmation
        }
        append.confirmed.set(slot);
        append.remaining--;
        flow.highestConfirmed = Math.max(flow.highestConfirmed, update);
        if (measuring) {
            segments++;
            latency.recordValue(Math.max(0, (now - append.sentNanos) / 1000));
        }
        if (append.remaining == 0) {
            flow.inFlight.remove(index);
            fill(flow);
        }
    }

    private Behavior<Command> onQuery(Query query) {
        Flow flow = flows.get(query.query().stateId());
        if (flow != null) {
            long highest = flow.highestConfirmed;
            controller.tell(new ReplicaController.Truncation(new TruncationReport(query.query().queryId(),
                    flow.stateId, SUBSCRIBER_ID, highest, highest < 0 ? -1 : 0)));
        }
        return this;
    }

    private Behavior<Command> onTick() {
        long oldest = System.nanoTime() - STALL.toNanos();
        for (Flow flow : flows.values()) {
            boolean gaveUp = false;
            for (Iterator<InFlight> it = flow.inFlight.values().iterator(); it.hasNext(); ) {
                InFlight append = it.next();
                if (append.sentNanos < oldest) {
                    if (measuring) {
                        abandoned += append.remaining;
                    }
                    it.remove();
                    gaveUp = true;
                }
            }
            if (gaveUp) {
                fill(flow);
            }
        }
        return this;
    }

    private Behavior<Command> onBeginMeasure() {
        measuring = true;
        measureStart = System.nanoTime();
        segments = 0;
        abandoned = 0;
        latency = new Histogram(3);
        return this;
    }

    private Behavior<Command> onEndMeasure(EndMeasure end) {
        long elapsed = System.nanoTime() - measureStart;
        measuring = false;
        end.replyTo().tell(new Measurement(segments, segments * payload.length, elapsed, latency, abandoned));
        latency = new Histogram(3);
        return this;
    }
}
