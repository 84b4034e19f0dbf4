package io.stare.actors.controller;

import io.stare.actors.backlog.Backlog;
import io.stare.actors.backlog.Truncation;
import io.stare.protocol.CborSerializable;
import io.stare.protocol.control.ControlFailure;
import io.stare.protocol.control.ControlReply;
import io.stare.protocol.control.LatestUpdate;
import io.stare.protocol.control.LatestUpdateQuery;
import io.stare.protocol.control.Recover;
import io.stare.protocol.control.TruncationQuery;
import io.stare.protocol.control.TruncationReport;
import io.stare.protocol.segment.Segment;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * One state at the replica controller: its backlog of published segments, its subscribers and the
 * periodic truncation. It knows only its own state and talks only in messages, the shape of the
 * sharded entity it becomes in issue 6.
 *
 * <p>Every truncation interval it truncates up to what all live subscribers reported (a subscriber
 * silent for longer than the subscriber timeout no longer counts) and sends each subscriber a new
 * {@link TruncationQuery}; a report truncates at once. Rounds run only while the state has
 * subscribers. Time is counted in truncation rounds (round × interval), so the timer is the only
 * clock and tests drive it with manual time; silence is thus measured to within one interval.
 */
public final class StateBacklog extends AbstractBehavior<StateBacklog.Command> {

    /** What a state's backlog accepts. */
    public sealed interface Command extends CborSerializable {
    }

    /** The registry declared this state, published by {@code publisherVnfId}. */
    public record Declared(int publisherVnfId) implements Command {
    }

    /** Segments of this state to keep; each update held whole is confirmed to {@code replyTo}. */
    public record AppendSegments(List<Segment> segments, ActorRef<ReplicaController.Appended> replyTo)
            implements Command {

        public AppendSegments {
            segments = List.copyOf(segments);
        }
    }

    /** A RECOVER for this state; answered with {@code Recovered} or {@code UNKNOWN_STATE}. */
    public record RecoverSegments(Recover request, ActorRef<ControlReply> replyTo) implements Command {
    }

    /** A latest-update query for this state; answered with {@code LatestUpdate} or {@code UNKNOWN_STATE}. */
    public record QueryLatest(LatestUpdateQuery request, ActorRef<ControlReply> replyTo) implements Command {
    }

    /** A subscriber joined: it is queried and holds the backlog back from now on. */
    public record Subscribe(String subscriberId, ActorRef<TruncationQuery> queries) implements Command {
    }

    /** A subscriber left. */
    public record Unsubscribe(String subscriberId) implements Command {
    }

    /** A subscriber's answer to a truncation query. */
    public record Report(TruncationReport report) implements Command {
    }

    /** The truncation round timer. */
    private enum Tick implements Command {
        INSTANCE
    }

    /** Creates the backlog of {@code stateId}; its truncation rounds run while it has subscribers. */
    public static Behavior<Command> create(int stateId, ControllerSettings settings) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers ->
                new StateBacklog(context, timers, stateId, settings)));
    }

    private final int stateId;
    private final long intervalMillis;
    private final Duration interval;
    private final TimerScheduler<Command> timers;
    private final Backlog backlog;
    private final Truncation truncation;
    private final Map<String, ActorRef<TruncationQuery>> subscribers = new HashMap<>();
    private Set<String> needResync = Set.of();
    /** The publishing VNF, or -1 while the registry has not declared the state. */
    private int publisherVnfId = -1;
    private long rounds;

    private StateBacklog(ActorContext<Command> context, TimerScheduler<Command> timers, int stateId,
            ControllerSettings settings) {
        super(context);
        // withTimers hides this class from the logger's default name.
        context.setLoggerName(StateBacklog.class);
        this.stateId = stateId;
        this.interval = settings.truncationInterval();
        this.intervalMillis = interval.toMillis();
        this.timers = timers;
        this.backlog = new Backlog(stateId, settings.backlogLimits());
        this.truncation = new Truncation(settings.subscriberTimeout().toMillis());
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Declared.class, this::onDeclared)
                .onMessage(AppendSegments.class, this::onAppend)
                .onMessage(RecoverSegments.class, this::onRecover)
                .onMessage(QueryLatest.class, this::onQueryLatest)
                .onMessage(Subscribe.class, this::onSubscribe)
                .onMessage(Unsubscribe.class, this::onUnsubscribe)
                .onMessage(Report.class, this::onReport)
                .onMessageEquals(Tick.INSTANCE, this::onTick)
                .build();
    }

    private Behavior<Command> onDeclared(Declared declared) {
        publisherVnfId = declared.publisherVnfId();
        return this;
    }

    private Behavior<Command> onAppend(AppendSegments append) {
        SortedSet<Long> updates = new TreeSet<>();
        Set<Long> inconsistent = new HashSet<>();
        for (Segment segment : append.segments()) {
            if (backlog.append(segment) == Backlog.Appended.INCONSISTENT) {
                getContext().getLog().warn("State {}: {} disagrees on TOT_SEG with the segments held; dropped",
                        stateId, segment);
                inconsistent.add(segment.update());
            }
            updates.add(segment.update());
        }
        for (long update : updates) {
            // Below the horizon there is nothing left to keep: confirming stops useless retries.
            if (!inconsistent.contains(update) && (backlog.holdsWhole(update) || update < backlog.horizon())) {
                append.replyTo().tell(new ReplicaController.Appended(stateId, update));
            }
        }
        return this;
    }

    private Behavior<Command> onRecover(RecoverSegments recover) {
        Recover request = recover.request();
        recover.replyTo().tell(isDeclared()
                ? backlog.recover(request.requestId(), request.missing())
                : unknownState());
        return this;
    }

    private Behavior<Command> onQueryLatest(QueryLatest query) {
        query.replyTo().tell(isDeclared() ? new LatestUpdate(stateId, backlog.latestUpdate()) : unknownState());
        return this;
    }

    private Behavior<Command> onSubscribe(Subscribe subscribe) {
        subscribers.put(subscribe.subscriberId(), subscribe.queries());
        truncation.subscribed(subscribe.subscriberId(), now());
        // Rounds run only while someone subscribes: an idle state costs no timer.
        if (!timers.isTimerActive(Tick.INSTANCE)) {
            timers.startTimerWithFixedDelay(Tick.INSTANCE, interval);
        }
        return this;
    }

    private Behavior<Command> onUnsubscribe(Unsubscribe unsubscribe) {
        subscribers.remove(unsubscribe.subscriberId());
        truncation.unsubscribed(unsubscribe.subscriberId());
        if (subscribers.isEmpty()) {
            timers.cancel(Tick.INSTANCE);
        }
        return this;
    }

    private Behavior<Command> onReport(Report report) {
        TruncationReport r = report.report();
        // A late report from a subscriber that left must not enrol it again.
        if (!subscribers.containsKey(r.subscriberId())) {
            return this;
        }
        boolean lastSegment = backlog.totalSegmentsOf(r.highestUpdate()).orElse(-1) == r.highestSegment() + 1;
        truncation.reported(r, lastSegment, now());
        truncate();
        return this;
    }

    private Behavior<Command> onTick() {
        rounds++;
        truncate();
        for (ActorRef<TruncationQuery> queries : subscribers.values()) {
            queries.tell(new TruncationQuery(rounds, stateId));
        }
        return this;
    }

    private void truncate() {
        OptionalLong below = truncation.truncateBelow(now());
        if (below.isPresent()) {
            long dropped = backlog.truncateBelow(below.getAsLong());
            if (dropped > 0) {
                getContext().getLog().debug("State {}: truncated {} segments, horizon now {}", stateId, dropped,
                        backlog.horizon());
            }
        }
        Set<String> silent = truncation.needResync();
        if (!needResync.containsAll(silent)) {
            getContext().getLog().warn("State {}: subscribers {} are silent past the timeout and no longer hold "
                    + "the backlog back; they must resync", stateId, silent);
        }
        needResync = silent;
    }

    /** The logical clock: truncation rounds elapsed, in milliseconds. */
    private long now() {
        return rounds * intervalMillis;
    }

    private boolean isDeclared() {
        return publisherVnfId >= 0;
    }

    private ControlReply unknownState() {
        return new ControlFailure(ControlFailure.Code.UNKNOWN_STATE, "state " + stateId + " was never declared");
    }
}
