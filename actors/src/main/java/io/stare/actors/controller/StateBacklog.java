package io.stare.actors.controller;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import io.stare.actors.backlog.Backlog;
import io.stare.actors.backlog.SegmentsCbor;
import io.stare.actors.backlog.Truncation;
import io.stare.protocol.CborSerializable;
import io.stare.protocol.ErrorCode;
import io.stare.protocol.control.ControlFailure;
import io.stare.protocol.control.ControlReply;
import io.stare.protocol.control.LatestUpdate;
import io.stare.protocol.control.LatestUpdateQuery;
import io.stare.protocol.control.Recover;
import io.stare.protocol.control.TruncationQuery;
import io.stare.protocol.control.TruncationReport;
import io.stare.protocol.segment.Segment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * Why above 400 lines: it is one sharded event-sourced entity, whose
 * serialized protocol, command handlers and truncation rounds share one state and one journal, and
 * its decisions already live in plain classes ({@link Backlog}, {@link BacklogState}, {@link Truncation}).
 *
 * <p>One state at the replica controller, as an event-sourced entity (sharded by state ID across the
 * controller cluster): the backlog of published segments, the subscribers and the periodic
 * truncation. Every change is an event ({@link BacklogState.Event}); every
 * {@code snapshot-every} events the whole state is snapshotted and older events deleted, so
 * truncated segments leave the journal too. A node crash or a rebalance therefore loses nothing
 * the backlog confirmed.
 *
 * <p>Every truncation interval it truncates up to what all live subscribers reported (a
 * subscriber silent for longer than the subscriber timeout no longer counts) and sends each
 * subscriber a new {@link TruncationQuery}; a report truncates at once. Rounds run only while the
 * state has subscribers. Time is counted in truncation rounds (round × interval), so the timer is
 * the only clock and tests drive it with manual time. What subscribers reported is not persisted:
 * after a restart they are asked again.
 */
public final class StateBacklog
        extends EventSourcedBehavior<StateBacklog.Command, BacklogState.Event, BacklogState> {

    /**
     * Commands waiting inside one backlog (stashed behind a persist) beyond which RECOVER and latest
     * queries are answered busy and Appends turned away ({@link BacklogGate}): well under Pekko
     * Persistence's stash capacity (4096 by default), which drops what exceeds it.
     */
    static final int QUEUE_LIMIT = 1024;

    /** The entity type in cluster sharding; the entity ID is the state ID in decimal. */
    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "StateBacklog");

    /** What a state's backlog accepts. */
    public sealed interface Command extends CborSerializable {
    }

    /** The registry declared this state, {@code stateName}, published by {@code publisherVnfId}. */
    public record Declared(int publisherVnfId, String stateName) implements Command {
    }

    /**
     * Segments of this state to keep; each update held whole is confirmed to {@code replyTo}, or
     * when it is null (segments received from the data plane) to the publishing servers.
     */
    public record AppendSegments(@JsonSerialize(using = SegmentsCbor.Writer.class)
                                 @JsonDeserialize(using = SegmentsCbor.Reader.class) List<Segment> segments,
                                 ActorRef<ReplicaController.Appended> replyTo)
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

    /**
     * The publishing server asks whether another server subscribes: answered now at
     * {@code replyTo}, and at {@code updates} whenever the answer changes.
     */
    public record JoinAsPublisher(String serverId, ActorRef<ReplicaController.RemoteSubscribers> updates,
                                  ActorRef<ReplicaController.Appended> appended,
                                  ActorRef<ReplicaController.RemoteSubscribers> replyTo) implements Command {
    }

    /** Asks for the backlog's figures. */
    public record GetStatus(ActorRef<Status> replyTo) implements Command {
    }

    /**
     * One backlog's figures.
     *
     * @param publisherVnfId the publishing VNF, -1 if the state was never declared
     * @param updates updates held, whole or in part
     * @param horizon the first update still held or to come
     * @param latest the newest update appended, -1 if none
     * @param evictedByCap segments dropped by the hard cap rather than by truncation
     * @param needResync subscribers excluded for silence
     */
    public record Status(int stateId, int publisherVnfId, int updates, long segments, long bytes, long horizon,
                         long latest, long evictedByCap, int subscribers, int needResync)
            implements CborSerializable {
    }

    /** The truncation round timer. */
    private enum Tick implements Command {
        INSTANCE
    }

    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final int stateId;
    private final ControllerSettings settings;
    private final DataPlaneIngest ingest;
    private final long intervalMillis;
    /** What subscribers reported: not persisted, asked again after a restart. */
    private final Truncation truncation;
    /** The last answer each publishing server was given, so only changes are pushed. */
    private final Map<String, Boolean> toldPublishers = new HashMap<>();
    private Set<String> needResync = Set.of();
    /** Commands let in by the gate and not yet handled: one less per command handled. */
    private final BacklogGate.Load load;
    private long rounds;

    /** The persistence ID of a state's backlog in a deployment's journal. */
    public static PersistenceId persistenceId(String namespace, int stateId) {
        return PersistenceId.of(namespace + "-backlog", Integer.toString(stateId));
    }

    /** Creates the backlog of {@code stateId}, persisted under {@code persistenceId}, fed by Appends only. */
    public static Behavior<Command> create(int stateId, ControllerSettings settings, PersistenceId persistenceId) {
        return create(stateId, settings, persistenceId, DataPlaneIngest.NONE);
    }

    /** The same, also following its state through {@code ingest} while it runs on this node. */
    public static Behavior<Command> create(int stateId, ControllerSettings settings, PersistenceId persistenceId,
                                           DataPlaneIngest ingest) {
        return Behaviors.setup(context -> {
            BacklogGate.Load load = new BacklogGate.Load();
            return Behaviors.intercept(() -> new BacklogGate(load, QUEUE_LIMIT, stateId),
                    Behaviors.withTimers(timers -> new StateBacklog(context, timers, stateId, settings, persistenceId,
                            ingest, load)));
        });
    }

    private StateBacklog(ActorContext<Command> context, TimerScheduler<Command> timers, int stateId,
                         ControllerSettings settings, PersistenceId persistenceId, DataPlaneIngest ingest,
                         BacklogGate.Load load) {
        // A journal that fails a write restarts the actor (with backoff) instead of stopping it.
        super(persistenceId, SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
        // withTimers hides this class from the logger's default name.
        context.setLoggerName(StateBacklog.class);
        this.context = context;
        this.timers = timers;
        this.stateId = stateId;
        this.settings = settings;
        this.ingest = ingest;
        this.intervalMillis = settings.truncationInterval().toMillis();
        this.truncation = new Truncation(settings.subscriberTimeout().toMillis());
        this.load = load;
    }

    @Override
    public BacklogState emptyState() {
        return BacklogState.empty(stateId, settings.backlogLimits());
    }

    @Override
    public RetentionCriteria retentionCriteria() {
        return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2).withDeleteEventsOnSnapshot();
    }

    @Override
    public EventHandler<BacklogState, BacklogState.Event> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onAnyEvent(BacklogState::apply);
    }

    @Override
    public SignalHandler<BacklogState> signalHandler() {
        return newSignalHandlerBuilder()
                .onSignal(RecoveryCompleted.instance(), this::onRecovered)
                .onSignal(PostStop.instance(), state -> {
                    if (state.isDeclared()) {
                        ingest.unfollow(stateId, state.stateName()); // passivated, moved or stopped
                    }
                })
                .build();
    }

    @Override
    public CommandHandler<Command, BacklogState.Event, BacklogState> commandHandler() {
        CommandHandler<Command, BacklogState.Event, BacklogState> handlers = newCommandHandlerBuilder().forAnyState()
                .onCommand(Declared.class, this::onDeclared)
                .onCommand(AppendSegments.class, this::onAppend)
                .onCommand(RecoverSegments.class, this::onRecover)
                .onCommand(QueryLatest.class, this::onQueryLatest)
                .onCommand(Subscribe.class, this::onSubscribe)
                .onCommand(Unsubscribe.class, this::onUnsubscribe)
                .onCommand(Report.class, this::onReport)
                .onCommand(JoinAsPublisher.class, this::onJoinAsPublisher)
                .onCommand(GetStatus.class, this::onGetStatus)
                .onCommand(Tick.class, (state, tick) -> onTick(state))
                .build();
        return (state, command) -> {
            load.handled(); // it left the stash (or never entered it)
            return handlers.apply(state, command);
        };
    }

    /** The configured cap, the subscribers' truncation bookkeeping and the publishers' answers resume. */
    private void onRecovered(BacklogState state) {
        state.limit(settings.backlogLimits());
        for (String subscriber : state.subscribers().keySet()) {
            truncation.subscribed(subscriber, now());
        }
        if (!state.subscribers().isEmpty()) {
            timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.truncationInterval());
        }
        tellPublishers(state, true);
        if (state.isDeclared()) {
            ingest.follow(stateId, state.stateName());
        }
    }

    private Effect<BacklogState.Event, BacklogState> onDeclared(BacklogState state, Declared declared) {
        if (state.publisherVnfId() == declared.publisherVnfId()
                && Objects.equals(state.stateName(), declared.stateName())) {
            return Effect().none();
        }
        return Effect().persist(new BacklogState.Declared(declared.publisherVnfId(), declared.stateName()))
                .thenRun(after -> ingest.follow(stateId, after.stateName()));
    }

    private Effect<BacklogState.Event, BacklogState> onAppend(BacklogState state, AppendSegments append) {
        Backlog backlog = state.backlog();
        List<Segment> segments = append.segments();
        List<Segment> fresh = new ArrayList<>(segments.size());
        // Segments of one Append come in order, one publisher's run: dedupe and collect the updates
        // without boxing while they do, and fall back to sets only if they do not.
        long[] updates = new long[segments.size()];
        int updateCount = 0;
        long lastKey = -1;
        Set<Long> freshKeys = null;
        Set<Long> inconsistent = null;
        for (Segment segment : segments) {
            if (segment.stateId() != stateId) {
                context.getLog().warn("State {}: dropping a segment of state {}", stateId, segment.stateId());
                continue;
            }
            if (updateCount == 0 || updates[updateCount - 1] != segment.update()) {
                updates[updateCount++] = segment.update();
            }
            Backlog.Appended outcome = backlog.classify(segment);
            if (outcome == Backlog.Appended.INCONSISTENT) {
                context.getLog().warn("State {}: {} disagrees on TOT_SEG with the segments held; dropped",
                        stateId, segment);
                if (inconsistent == null) {
                    inconsistent = new HashSet<>();
                }
                inconsistent.add(segment.update());
            } else if (outcome == Backlog.Appended.STORED) {
                long key = segment.update() * 128 + segment.segmentNo();
                if (freshKeys == null && key > lastKey) {
                    lastKey = key;
                    fresh.add(segment);
                } else {
                    if (freshKeys == null) {
                        freshKeys = new HashSet<>();
                        for (Segment earlier : fresh) {
                            freshKeys.add(earlier.update() * 128 + earlier.segmentNo());
                        }
                    }
                    if (freshKeys.add(key)) {
                        fresh.add(segment);
                    }
                }
            }
        }
        long[] held = Arrays.copyOf(updates, updateCount);
        Arrays.sort(held);
        Set<Long> refused = inconsistent; // null: none (checking an empty set would box every update)
        org.apache.pekko.japi.function.Procedure<BacklogState> confirm = after -> {
            // One confirmation per run of consecutive updates held, not one per update.
            long runFirst = -1;
            long runLast = -1;
            for (int i = 0; i < held.length; i++) {
                long update = held[i];
                if (i > 0 && update == held[i - 1]) {
                    continue;
                }
                // Below the horizon there is nothing left to keep: confirming stops useless retries.
                boolean whole = (refused == null || !refused.contains(update))
                        && (after.backlog().holdsWhole(update) || update < after.backlog().horizon());
                if (whole && runFirst >= 0 && update == runLast + 1) {
                    runLast = update;
                    continue;
                }
                if (runFirst >= 0) {
                    confirm(append, after, runFirst, runLast);
                    runFirst = -1;
                }
                if (whole) {
                    runFirst = update;
                    runLast = update;
                }
            }
            if (runFirst >= 0) {
                confirm(append, after, runFirst, runLast);
            }
        };
        return fresh.isEmpty() ? Effect().none().thenRun(confirm)
                : Effect().persist(new BacklogState.Stored(fresh)).thenRun(confirm);
    }

    private void confirm(AppendSegments append, BacklogState after, long first, long last) {
        ReplicaController.Appended confirmation = new ReplicaController.Appended(stateId, first, last);
        if (append.replyTo() != null) {
            append.replyTo().tell(confirmation);
        } else {
            after.confirmations().values().forEach(publisher -> publisher.tell(confirmation));
        }
    }

    private Effect<BacklogState.Event, BacklogState> onRecover(BacklogState state, RecoverSegments recover) {
        Recover request = recover.request();
        ControlReply answer = state.isDeclared()
                ? state.backlog().recover(request.requestId(), request.missing(), settings.recoverMaxBytes())
                : unknownState();
        return Effect().none().thenRun(s -> recover.replyTo().tell(answer));
    }

    private Effect<BacklogState.Event, BacklogState> onQueryLatest(BacklogState state, QueryLatest query) {
        ControlReply answer = state.isDeclared() ? new LatestUpdate(stateId, state.backlog().latestUpdate())
                : unknownState();
        return Effect().none().thenRun(s -> query.replyTo().tell(answer));
    }

    private Effect<BacklogState.Event, BacklogState> onSubscribe(BacklogState state, Subscribe subscribe) {
        org.apache.pekko.japi.function.Procedure<BacklogState> start = after -> {
            truncation.subscribed(subscribe.subscriberId(), now());
            // Rounds run only while someone subscribes: an idle state costs no timer.
            if (!timers.isTimerActive(Tick.INSTANCE)) {
                timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.truncationInterval());
            }
            tellPublishers(after, false);
        };
        if (subscribe.queries().equals(state.subscribers().get(subscribe.subscriberId()))) {
            return Effect().none().thenRun(start);
        }
        return Effect().persist(new BacklogState.SubscriberJoined(subscribe.subscriberId(), subscribe.queries()))
                .thenRun(start);
    }

    private Effect<BacklogState.Event, BacklogState> onUnsubscribe(BacklogState state, Unsubscribe unsubscribe) {
        if (!state.subscribers().containsKey(unsubscribe.subscriberId())) {
            return Effect().none();
        }
        return Effect().persist(new BacklogState.SubscriberLeft(unsubscribe.subscriberId())).thenRun(after -> {
            truncation.unsubscribed(unsubscribe.subscriberId());
            if (after.subscribers().isEmpty()) {
                timers.cancel(Tick.INSTANCE);
            }
            tellPublishers(after, false);
        });
    }

    private Effect<BacklogState.Event, BacklogState> onReport(BacklogState state, Report report) {
        TruncationReport r = report.report();
        // A late report from a subscriber that left must not enrol it again.
        if (!state.subscribers().containsKey(r.subscriberId())) {
            return Effect().none();
        }
        boolean lastSegment = state.backlog().totalSegmentsOf(r.highestUpdate()).orElse(-1) == r.highestSegment() + 1;
        truncation.reported(r, lastSegment, now());
        return truncate(state);
    }

    private Effect<BacklogState.Event, BacklogState> onTick(BacklogState state) {
        rounds++;
        return truncate(state).thenRun(after -> {
            for (ActorRef<TruncationQuery> queries : after.subscribers().values()) {
                queries.tell(new TruncationQuery(rounds, stateId));
            }
        });
    }

    private Effect<BacklogState.Event, BacklogState> onJoinAsPublisher(BacklogState state, JoinAsPublisher join) {
        org.apache.pekko.japi.function.Procedure<BacklogState> answer = after -> {
            boolean any = after.hasSubscriberBesides(join.serverId());
            toldPublishers.put(join.serverId(), any);
            join.replyTo().tell(new ReplicaController.RemoteSubscribers(stateId, any));
        };
        if (join.updates().equals(state.publishers().get(join.serverId()))
                && Objects.equals(join.appended(), state.confirmations().get(join.serverId()))) {
            return Effect().none().thenRun(answer);
        }
        return Effect().persist(new BacklogState.PublisherJoined(join.serverId(), join.updates(), join.appended()))
                .thenRun(answer);
    }

    private Effect<BacklogState.Event, BacklogState> onGetStatus(BacklogState state, GetStatus get) {
        Backlog b = state.backlog();
        Status status = new Status(stateId, state.publisherVnfId(), b.updates(), b.segments(), b.bytes(), b.horizon(),
                b.latestUpdate(), b.evictedByCap(), state.subscribers().size(), needResync.size());
        return Effect().none().thenRun(s -> get.replyTo().tell(status));
    }

    /** Truncates to what every live subscriber holds, if that moves the horizon. */
    private EffectBuilder<BacklogState.Event, BacklogState> truncate(BacklogState state) {
        OptionalLong below = truncation.truncateBelow(now());
        Set<String> silent = truncation.needResync();
        if (!needResync.containsAll(silent)) {
            context.getLog().warn("State {}: subscribers {} are silent past the timeout and no longer hold "
                    + "the backlog back; they must resync", stateId, silent);
        }
        needResync = silent;
        Backlog backlog = state.backlog();
        if (below.isEmpty() || Math.min(below.getAsLong(), backlog.latestUpdate() + 1) <= backlog.horizon()) {
            return Effect().none();
        }
        return Effect().persist(new BacklogState.Truncated(below.getAsLong()));
    }

    /** Tells each publishing server whether another server subscribes, when that changed (or always). */
    private void tellPublishers(BacklogState state, boolean always) {
        state.publishers().forEach((server, updates) -> {
            boolean any = state.hasSubscriberBesides(server);
            if (always || !Objects.equals(toldPublishers.get(server), any)) {
                toldPublishers.put(server, any);
                updates.tell(new ReplicaController.RemoteSubscribers(stateId, any));
            }
        });
    }

    /** The logical clock: truncation rounds elapsed, in milliseconds. */
    private long now() {
        return rounds * intervalMillis;
    }

    private ControlReply unknownState() {
        return new ControlFailure(ErrorCode.UNKNOWN_STATE, "state " + stateId + " was never declared");
    }
}
