package io.stare.actors.middleware;

import io.stare.actors.agent.AgentView;
import io.stare.actors.agent.SubRetransmissions;
import io.stare.actors.controller.ReplicaController;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.control.ControlFailure;
import io.stare.protocol.control.ControlReply;
import io.stare.protocol.control.ControlRequest;
import io.stare.protocol.control.DeclareState;
import io.stare.protocol.control.LatestUpdate;
import io.stare.protocol.control.LatestUpdateQuery;
import io.stare.protocol.control.LookupState;
import io.stare.protocol.control.Recover;
import io.stare.protocol.control.Recovered;
import io.stare.protocol.control.RegisterVnf;
import io.stare.protocol.control.StateDeclared;
import io.stare.protocol.control.StateFound;
import io.stare.protocol.control.StateUnknown;
import io.stare.protocol.control.TruncationQuery;
import io.stare.protocol.control.VnfRegistered;
import io.stare.protocol.header.StareHeader;
import io.stare.protocol.segment.RecoveryRequest;
import io.stare.protocol.segment.Segment;
import io.stare.protocol.segment.Segmenter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.BiConsumer;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.stream.Materializer;

/**
 * The EXT module of one server's middleware: the server's only endpoint of the replication scheme,
 * whatever the number of VNFs on it (the paper's Fig. 5).
 *
 * <ul>
 *   <li><b>SIG SEND / RECEIVE</b>: VNF registration, state declaration and lookup, RECOVER and the
 *       latest-update queries go to the replica controller as {@link ReplicaController.Control}
 *       requests; published updates are appended to its backlog (in batches per state, at least
 *       once per tick) and kept until it confirms them.</li>
 *   <li><b>Internal data structure</b>: a {@link LocalDirectory} decides who may publish and when
 *       the server joins or leaves a state's tree (one SUB-register / SUB-remove per server per
 *       state).</li>
 *   <li><b>SUB-* RESEND</b>: {@link SubRetransmissions} repeats a SUB message, with exponential
 *       backoff, until the first switch's SUB-ack; past the limit the subscribing VNFs are told.</li>
 *   <li><b>MAIN SEND / RECEIVE</b>: a {@link Transport} of stream stages; received frames are
 *       decoded, reassembled and dispatched to INT modules by the {@link ReceivePath} stream, never
 *       through this actor's mailbox. Only SUB-acks and recovery requests come back here.</li>
 * </ul>
 * A publish between two VNFs of this server is delivered locally and never comes back from the
 * network (the switch does not send a publish out of its ingress port). A state published on this
 * server needs no SUB-register for its local subscribers.
 */
public final class Middleware extends AbstractBehavior<Middleware.Command> {

    /**
     * What the EXT module accepts. Node-local: a VNF attaches to the middleware of its own server
     * (in its JVM), so these never cross the cluster and are not serialized. What does cross (the
     * controller's answers) arrives through message adapters.
     */
    public sealed interface Command extends NoSerializationVerificationNeeded {
    }

    /** A VNF attaches: the controller assigns its VNF ID, the middleware creates its INT module. */
    public record Attach(String vnfName, ActorRef<Vnf.Command> vnf, ActorRef<Reply> replyTo) implements Command {
    }

    /** A VNF leaves: its subscriptions end, its states are released, its INT module stops. */
    public record Detach(int vnfId) implements Command {
    }

    /** An attached VNF declares a state it will publish. */
    public record Declare(int vnfId, String stateName, ActorRef<Reply> replyTo) implements Command {
    }

    /** An attached VNF publishes an update of a state it declared. */
    public record Publish(int vnfId, int stateId, byte[] value, ActorRef<PublishResult> replyTo) implements Command {
    }

    /**
     * An attached VNF subscribes to a state by name; answered once the subscription is in place.
     *
     * @param resumeFrom the first update the VNF has not received yet, when it subscribes again
     *     (after its middleware restarted): the stream starts there and what the VNF missed is
     *     recovered from the backlog; -1 for a new subscription, which starts after the newest
     *     update in the backlog
     */
    public record Subscribe(int vnfId, String stateName, long resumeFrom, ActorRef<Reply> replyTo) implements Command {
        /** A new subscription, from the next update on. */
        public Subscribe(int vnfId, String stateName, ActorRef<Reply> replyTo) {
            this(vnfId, stateName, -1, replyTo);
        }
    }

    /** An attached VNF unsubscribes; nothing more of the state reaches it once answered. */
    public record Unsubscribe(int vnfId, int stateId, ActorRef<Reply> replyTo) implements Command {
    }

    /** Looks a state up by name (for VNFs that only ask); answered with {@link Found} or {@link Failed}. */
    public record Lookup(String stateName, ActorRef<Reply> replyTo) implements Command {
    }

    /** Asks for the counters. */
    public record GetStats(ActorRef<Stats> replyTo) implements Command {
    }

    /** From the receive path: a SUB-ack from the first switch. */
    record SubAcked(StareHeader header) implements Command {
    }

    /** From the receive path: the reassembler wants missing pieces from the backlog. */
    record RecoveryNeeded(RecoveryRequest request) implements Command {
    }

    private record ControlAnswer(ControlReply reply, Throwable error, BiConsumer<ControlReply, Throwable> then)
            implements Command {
    }

    private record WrappedAppended(ReplicaController.Appended appended) implements Command {
    }

    private record TruncationAsked(TruncationQuery query) implements Command {
    }

    /** Whether another server subscribes to a state published here (pushed when it changes). */
    private record RemoteSubscribersChanged(ReplicaController.RemoteSubscribers remote) implements Command {
    }

    /** The first answer to PublisherJoined, then the declaration's reply ({@code then}). */
    private record PublisherAnswer(int stateId, ReplicaController.RemoteSubscribers remote, Runnable then)
            implements Command {
    }

    /** An attached VNF's actor stopped, whether or not it said goodbye. */
    private record VnfTerminated(int vnfId, ActorRef<Vnf.Command> vnf) implements Command {
    }

    /**
     * Fails the EXT module as a bug would, so that tests can show what a restart preserves. Only
     * this package's tests send it.
     */
    record Crash(String reason) implements Command {
    }

    private enum Timer implements Command {
        ARQ, APPENDS, FLUSH, LATEST, FEED, ORPHANS
    }

    /** Answers to Attach, Declare, Subscribe and Unsubscribe. */
    public sealed interface Reply extends NoSerializationVerificationNeeded {
    }

    /** The VNF is attached under {@code vnfId}; {@code intModule} is its queue pair. */
    public record Attached(String vnfName, int vnfId, IntModule intModule) implements Reply {
    }

    /** The VNF publishes {@code stateName} as {@code stateId}. */
    public record Declared(String stateName, int stateId) implements Reply {
    }

    /** The subscription is in place: the switch acknowledged it (or the publisher is local). */
    public record Subscribed(String stateName, int stateId, int publisherVnfId) implements Reply {
    }

    /** The state {@code stateName} is {@code stateId}, published by {@code publisherVnfId}. */
    public record Found(String stateName, int stateId, int publisherVnfId) implements Reply {
    }

    /** The VNF no longer receives the state. */
    public record Unsubscribed(int stateId) implements Reply {
    }

    /** The request failed, permanently. */
    public record Failed(String request, String reason) implements Reply {
    }

    /**
     * The EXT module's counters.
     *
     * @param transport frames sent, received and dropped by MAIN SEND / RECEIVE
     * @param decodeErrors received frames refused by the decoder
     * @param publishFramesReceived publish frames received from the network
     * @param deliveredFromNetwork whole updates reassembled from the network
     * @param localDeliveries updates handed to local subscribers of a local publisher
     * @param updatesPublished updates this server published
     * @param publishesRefused publishes refused (undeclared state, back-pressure, too large)
     * @param recoverRequests RECOVER requests sent to the controller
     * @param arq the SUB-* RESEND counters
     * @param unconfirmedAppends published updates the backlog has not confirmed yet
     * @param tunnelAddress the transport socket's local address, null until bound
     * @param keptLocal published updates not sent to the network because no other server subscribes
     * @param segmentsAppended segments sent to the backlog by Append (at once, or as repairs)
     * @param recoveredSegments segments the controller's RECOVER answers brought
     * @param unrecoverableUpdates updates reported to subscribers as lost for good
     * @param inactiveDropped publish frames of states this server does not receive (or not from
     *     their publisher)
     * @param unexpectedFrames well-formed frames a server never gets (SUB-register, SUB-remove)
     * @param inboundDropped updates the INT modules dropped because a VNF did not keep up
     * @param inboundQueued updates waiting in the INT modules for their VNFs (queue depth, summed)
     * @param outboundQueued publishes waiting in the INT modules for the EXT module (summed)
     */
    public record Stats(Transport.Counters transport, long decodeErrors, long publishFramesReceived,
                        long deliveredFromNetwork, long localDeliveries, long updatesPublished,
                        long publishesRefused, long recoverRequests, AgentView.ArqCounters arq,
                        int unconfirmedAppends, InetSocketAddress tunnelAddress, long keptLocal,
                        long segmentsAppended, long recoveredSegments, long unrecoverableUpdates,
                        long inactiveDropped, long unexpectedFrames, long inboundDropped, int inboundQueued,
                        int outboundQueued)
            implements NoSerializationVerificationNeeded {
    }

    /** Where the server stands with the network for one state it subscribes to. */
    private enum Phase { REGISTERING, ACTIVE, REMOVING }

    private static final class NetworkSubscription {
        Phase phase = Phase.REGISTERING;
        final int publisherVnfId;
        final List<Subscribe> waiting = new ArrayList<>();

        NetworkSubscription(int publisherVnfId) {
            this.publisherVnfId = publisherVnfId;
        }
    }

    private record AttachedVnf(String name, ActorRef<Vnf.Command> actor, IntModule intModule) {
    }

    private record PendingAppend(List<Segment> segments, long sentAt) {
    }

    /**
     * What outlives a restart of the EXT module: who is attached (so that they can be asked to
     * attach again), the next update number of each state published here (so that no number is
     * used twice), and the published updates the backlog has not confirmed yet (so that none goes
     * missing from it). Everything else is rebuilt when the VNFs attach again.
     */
    private static final class Survivors {
        final Map<String, ActorRef<Vnf.Command>> vnfs = new LinkedHashMap<>();
        final Map<Integer, Long> nextUpdate = new HashMap<>();
        final LinkedHashMap<Long, PendingAppend> unconfirmed = new LinkedHashMap<>();
        /** States whose tree this server joined (SUB-register sent, SUB-remove not yet acknowledged). */
        final Set<Integer> joined = new HashSet<>();
    }

    /**
     * The most segment bytes one Append carries: well below the cluster transport's frame size
     * (stare.controller's maximum-frame-size), so an Append is never too large to cross nodes.
     */
    static final int APPEND_BATCH_BYTES = 128 * 1024;

    /** The uplink is one port as far as the ARQ is concerned. */
    private static final int UPLINK = 0;

    private final MiddlewareSettings settings;
    private final ActorRef<ReplicaController.Command> controller;
    private final TimerScheduler<Command> timers;
    private final Transport transport;
    private final ReceivePath receivePath;
    private final Routes routes = new Routes();
    private final Frames frames;
    private final Segmenter segmenter;
    private final LocalDirectory directory = new LocalDirectory();
    private final SubRetransmissions arq;
    private final ActorRef<ReplicaController.Appended> appendedAdapter;
    private final ActorRef<TruncationQuery> truncationAdapter;
    private final ActorRef<ReplicaController.RemoteSubscribers> remoteAdapter;
    /**
     * Per state published here: whether another server subscribes. Unknown (no entry) means yes:
     * without the controller's word, publishes go to the network.
     */
    private final Map<Integer, Boolean> remoteSubscribers = new HashMap<>();
    private long keptLocal;
    private long segmentsAppended;
    /** Inbound drops of INT modules already closed (their VNFs left). */
    private long inboundDropped;

    private final Survivors survivors;
    private final Map<Integer, AttachedVnf> vnfs = new HashMap<>();
    private final Map<Integer, Long> nextUpdate;
    private final Map<Integer, NetworkSubscription> network = new HashMap<>();
    private final Map<Long, Integer> recoverPublisher = new HashMap<>();
    private final LinkedHashMap<Long, PendingAppend> unconfirmed;
    /** Published segments on their way to the backlog, sent at least once per tick. */
    private final AppendBatches appendBatches;
    /** Inputs the receive path's queue refused, offered again in order on the next FEED timer. */
    private final ArrayDeque<ReceivePath.Input> unfed = new ArrayDeque<>();
    private int subSequence;
    private long recoverId;
    private long localDeliveries;
    private long updatesPublished;
    private long publishesRefused;
    private long recoverRequests;

    /**
     * The EXT module of one server, with the transport {@code settings} choose. If it fails, it
     * restarts (with backoff) and asks every VNF that was attached to attach again; the VNFs then
     * declare their states and subscribe again, resuming each stream where they left it.
     */
    public static Behavior<Command> create(MiddlewareSettings settings, ActorRef<ReplicaController.Command> controller) {
        return Behaviors.setup(outer -> {
            Survivors survivors = new Survivors(); // outside the supervised behaviour: kept across restarts
            return Behaviors.supervise(Behaviors.<Command>setup(context -> Behaviors.withTimers(timers ->
                            new Middleware(context, timers, settings, controller, survivors))))
                    .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofMillis(100), Duration.ofSeconds(5), 0.2));
        });
    }

    private Middleware(ActorContext<Command> context, TimerScheduler<Command> timers, MiddlewareSettings settings,
                       ActorRef<ReplicaController.Command> controller, Survivors survivors) {
        super(context);
        this.settings = settings;
        this.survivors = survivors;
        this.nextUpdate = survivors.nextUpdate;
        this.unconfirmed = survivors.unconfirmed;
        this.controller = controller;
        this.appendBatches = newAppendBatches();
        this.timers = timers;
        this.frames = new Frames(settings.senderId());
        this.segmenter = new Segmenter(settings.mtu());
        this.arq = new SubRetransmissions(settings.arqTimeout(), settings.arqMaxTimeout(), settings.arqLimit());
        this.appendedAdapter = context.messageAdapter(ReplicaController.Appended.class, WrappedAppended::new);
        this.truncationAdapter = context.messageAdapter(TruncationQuery.class, TruncationAsked::new);
        this.remoteAdapter = context.messageAdapter(ReplicaController.RemoteSubscribers.class,
                RemoteSubscribersChanged::new);
        this.receivePath = new ReceivePath(settings, routes, context.getSelf(), controller,
                Materializer.matFromSystem(context.getSystem()), () -> System.nanoTime() / 1_000_000);
        this.transport = Transports.start(context.getSystem(), settings, receivePath.sink());
        timers.startTimerWithFixedDelay(Timer.APPENDS, Timer.APPENDS, settings.controlTimeout());
        if (!settings.latestPoll().isZero()) {
            timers.startTimerWithFixedDelay(Timer.LATEST, Timer.LATEST, settings.latestPoll());
        }
        if (!survivors.vnfs.isEmpty()) {
            context.getLog().warn("{}: restarted; asking {} VNFs to attach again", settings.serverId(),
                    survivors.vnfs.size());
            List<ActorRef<Vnf.Command>> attached = List.copyOf(survivors.vnfs.values());
            survivors.vnfs.clear();
            attached.forEach(vnf -> vnf.tell(Vnf.Reattach.INSTANCE));
        }
        if (!survivors.joined.isEmpty()) {
            // Trees no VNF subscribes to again within the grace period are left (their VNFs are gone).
            timers.startSingleTimer(Timer.ORPHANS, Timer.ORPHANS, settings.controlTimeout());
        }
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessage(Attach.class, this::onAttach)
                .onMessage(Detach.class, this::onDetach)
                .onMessage(Declare.class, this::onDeclare)
                .onMessage(Publish.class, this::onPublish)
                .onMessage(Subscribe.class, this::onSubscribe)
                .onMessage(Unsubscribe.class, this::onUnsubscribe)
                .onMessage(Lookup.class, this::onLookup)
                .onMessage(GetStats.class, this::onGetStats)
                .onMessage(SubAcked.class, this::onSubAcked)
                .onMessage(RecoveryNeeded.class, this::onRecoveryNeeded)
                .onMessage(ControlAnswer.class, this::onControlAnswer)
                .onMessage(WrappedAppended.class, this::onAppended)
                .onMessage(TruncationAsked.class, this::onTruncationAsked)
                .onMessage(RemoteSubscribersChanged.class, changed -> {
                    remoteSubscribers.put(changed.remote().stateId(), changed.remote().any());
                    return this;
                })
                .onMessage(PublisherAnswer.class, answer -> {
                    if (answer.remote() != null) {
                        remoteSubscribers.put(answer.stateId(), answer.remote().any());
                    }
                    answer.then().run();
                    return this;
                })
                .onMessage(VnfTerminated.class, this::onVnfTerminated)
                .onMessage(Crash.class, crash -> {
                    throw new IllegalStateException("crash requested: " + crash.reason());
                })
                .onMessageEquals(Timer.ARQ, this::onArqTimer)
                .onMessageEquals(Timer.APPENDS, this::onAppendsTimer)
                .onMessageEquals(Timer.FLUSH, this::onFlushTimer)
                .onMessageEquals(Timer.LATEST, this::onLatestTimer)
                .onMessageEquals(Timer.FEED, this::onFeedTimer)
                .onMessageEquals(Timer.ORPHANS, this::onOrphansTimer)
                .onSignal(PostStop.class, signal -> onStop())
                .onSignal(PreRestart.class, signal -> onStop())
                .build();
    }

    // ---- registration and declaration (SIG SEND / RECEIVE)

    private Behavior<Command> onAttach(Attach attach) {
        control(new RegisterVnf(attach.vnfName(), settings.serverId()), (reply, error) -> {
            if (reply instanceof VnfRegistered registered) {
                AttachedVnf previous = vnfs.get(registered.vnfId());
                boolean same = previous != null && previous.actor().equals(attach.vnf());
                IntModule module = same ? previous.intModule()
                        : new IntModule(getContext().getSystem(), registered.vnfId(), attach.vnf(), getContext().getSelf(),
                        settings);
                if (!same) {
                    if (previous != null) {
                        detach(registered.vnfId()); // the name's earlier actor: it is gone or replaced
                    }
                    getContext().watchWith(attach.vnf(), new VnfTerminated(registered.vnfId(), attach.vnf()));
                }
                vnfs.put(registered.vnfId(), new AttachedVnf(attach.vnfName(), attach.vnf(), module));
                survivors.vnfs.put(attach.vnfName(), attach.vnf());
                attach.replyTo().tell(new Attached(attach.vnfName(), registered.vnfId(), module));
            } else {
                attach.replyTo().tell(new Failed("attach " + attach.vnfName(), describe(reply, error)));
            }
        });
        return this;
    }

    private Behavior<Command> onDetach(Detach detach) {
        detach(detach.vnfId());
        return this;
    }

    /** A VNF that stops without detaching (or whose Detach was lost) is detached all the same. */
    private Behavior<Command> onVnfTerminated(VnfTerminated terminated) {
        AttachedVnf vnf = vnfs.get(terminated.vnfId());
        if (vnf != null && vnf.actor().equals(terminated.vnf())) {
            detach(terminated.vnfId());
        }
        return this;
    }

    /**
     * Ends a VNF's subscriptions (a SUB-remove for each state no other local VNF receives) and
     * releases its publish states. The next update numbers stay: a VNF that declares the state
     * again numbers on from them.
     */
    private void detach(int vnfId) {
        AttachedVnf vnf = vnfs.remove(vnfId);
        if (vnf == null) {
            return;
        }
        getContext().unwatch(vnf.actor());
        survivors.vnfs.remove(vnf.name(), vnf.actor());
        inboundDropped += vnf.intModule().inboundDropped();
        for (int state : directory.removeVnf(vnfId)) {
            leave(state);
        }
        updateRoutes();
        vnf.intModule().close();
    }

    private Behavior<Command> onDeclare(Declare declare) {
        if (!vnfs.containsKey(declare.vnfId())) {
            declare.replyTo().tell(new Failed("declare " + declare.stateName(), "VNF " + declare.vnfId() + " is not attached"));
            return this;
        }
        control(new DeclareState(declare.vnfId(), declare.stateName()), (reply, error) -> {
            if (!(reply instanceof StateDeclared declared)) {
                declare.replyTo().tell(new Failed("declare " + declare.stateName(), describe(reply, error)));
                return;
            }
            int state = declared.stateId();
            if (directory.declarePublisher(declare.vnfId(), state) != LocalDirectory.Declared.OK) {
                declare.replyTo().tell(new Failed("declare " + declare.stateName(), "another local VNF publishes it"));
                return;
            }
            // Number on from what the backlog already holds (a VNF that declares again after a restart).
            control(new LatestUpdateQuery(state), (latest, e) -> {
                long next = latest instanceof LatestUpdate l ? l.latestUpdate() + 1 : 0;
                nextUpdate.merge(state, next, Math::max);
                // Learn whether another server subscribes before the first publish (unknown: send).
                getContext().ask(ReplicaController.RemoteSubscribers.class, controller, settings.controlTimeout(),
                        replyTo -> new ReplicaController.PublisherJoined(state, settings.serverId(), remoteAdapter,
                                appendedAdapter, replyTo),
                        (remote, failure) -> new PublisherAnswer(state, remote,
                                () -> declare.replyTo().tell(new Declared(declare.stateName(), state))));
            });
        });
        return this;
    }

    private Behavior<Command> onLookup(Lookup lookup) {
        control(new LookupState(lookup.stateName()), (reply, error) -> lookup.replyTo().tell(
                reply instanceof StateFound found ? new Found(found.stateName(), found.stateId(), found.publisherVnfId())
                        : new Failed("lookup " + lookup.stateName(),
                        reply instanceof StateUnknown ? "no VNF declared the state" : describe(reply, error))));
        return this;
    }

    // ---- publishing

    private Behavior<Command> onPublish(Publish publish) {
        int state = publish.stateId();
        PublishResult.Refused refused = null;
        if (!vnfs.containsKey(publish.vnfId())) {
            // Sent before this module restarted: the VNF attaches again and declares anew.
            refused = new PublishResult.Refused(PublishResult.Reason.UNAVAILABLE,
                    "VNF " + publish.vnfId() + " is not attached (the middleware restarted)");
        } else if (!directory.mayPublish(publish.vnfId(), state)) {
            refused = new PublishResult.Refused(PublishResult.Reason.NOT_DECLARED,
                    "VNF " + publish.vnfId() + " did not declare state " + state);
        } else if (unconfirmed.size() >= settings.unconfirmedAppends()) {
            refused = new PublishResult.Refused(PublishResult.Reason.BACK_PRESSURED,
                    unconfirmed.size() + " updates wait for the backlog's confirmation");
        } else if (publish.value().length > segmenter.maxUpdateBytes()) {
            refused = new PublishResult.Refused(PublishResult.Reason.TOO_LARGE, "update of "
                    + publish.value().length + " bytes exceeds " + segmenter.maxUpdateBytes() + " at MTU " + settings.mtu());
        }
        if (refused != null) {
            publishesRefused++;
            publish.replyTo().tell(refused);
            return this;
        }
        byte[] value = publish.value();
        long update = nextUpdate.merge(state, 1L, Long::sum) - 1;
        List<Segment> segments = segmenter.split(state, publish.vnfId(), update, value);
        if (remoteSubscribers.getOrDefault(state, true)) {
            for (Segment segment : segments) {
                transport.send(frames.publish(segment)); // a dropped frame is counted; subscribers recover it
            }
        } else {
            keptLocal++; // only local VNFs receive it; the backlog still gets it (a subscriber may join later)
        }
        Delivery.Update delivery = new Delivery.Update(state, publish.vnfId(), update, value);
        for (int subscriber : directory.localSubscribers(state)) {
            AttachedVnf vnf = vnfs.get(subscriber);
            if (subscriber != publish.vnfId() && vnf != null) {
                vnf.intModule().deliver(delivery);
                localDeliveries++;
            }
        }
        if (settings.eagerAppends()) {
            sendAppends(appendBatches.add(segments));
            if (!appendBatches.isEmpty() && !timers.isTimerActive(Timer.FLUSH)) {
                timers.startSingleTimer(Timer.FLUSH, Timer.FLUSH, settings.tick());
            }
        }
        unconfirmed.put(appendKey(state, update), new PendingAppend(segments, System.nanoTime()));
        updatesPublished++;
        publish.replyTo().tell(new PublishResult.Published(state, update, segments.size()));
        return this;
    }

    private Behavior<Command> onAppended(WrappedAppended wrapped) {
        unconfirmed.remove(appendKey(wrapped.appended().stateId(), wrapped.appended().update()));
        return this;
    }

    /** Appends the backlog has not confirmed within the control timeout are sent again. */
    private Behavior<Command> onAppendsTimer() {
        long now = System.nanoTime();
        AppendBatches again = newAppendBatches();
        for (Map.Entry<Long, PendingAppend> entry : unconfirmed.entrySet()) {
            PendingAppend pending = entry.getValue();
            if (now - pending.sentAt() >= settings.controlTimeout().toNanos()) {
                sendAppends(again.add(pending.segments()));
                entry.setValue(new PendingAppend(pending.segments(), now));
            }
        }
        sendAppends(again.drain());
        return this;
    }

    /** The segments published since the last tick go to the backlog, one Append per state. */
    private Behavior<Command> onFlushTimer() {
        sendAppends(appendBatches.drain());
        return this;
    }

    private void sendAppends(List<List<Segment>> batches) {
        for (List<Segment> batch : batches) {
            controller.tell(new ReplicaController.Append(batch, appendedAdapter));
            segmentsAppended += batch.size();
        }
    }

    /** Batches that fill before the unconfirmed bound does, so small updates never wait for the flush tick. */
    private AppendBatches newAppendBatches() {
        return new AppendBatches(APPEND_BATCH_BYTES, Math.max(1, settings.unconfirmedAppends() / 4));
    }

    private static long appendKey(int state, long update) {
        return ((long) state << 42) ^ update;
    }

    // ---- subscribing

    private Behavior<Command> onSubscribe(Subscribe subscribe) {
        if (!vnfs.containsKey(subscribe.vnfId())) {
            subscribe.replyTo().tell(new Failed("subscribe " + subscribe.stateName(),
                    "VNF " + subscribe.vnfId() + " is not attached"));
            return this;
        }
        control(new LookupState(subscribe.stateName()), (reply, error) -> {
            if (reply instanceof StateFound found) {
                subscribeFound(subscribe, found);
            } else if (reply instanceof StateUnknown) {
                subscribe.replyTo().tell(new Failed("subscribe " + subscribe.stateName(), "no VNF declared the state"));
            } else {
                subscribe.replyTo().tell(new Failed("subscribe " + subscribe.stateName(), describe(reply, error)));
            }
        });
        return this;
    }

    private void subscribeFound(Subscribe subscribe, StateFound found) {
        int state = found.stateId();
        if (!vnfs.containsKey(subscribe.vnfId())) {
            return; // detached meanwhile
        }
        LocalDirectory.NetworkChange change = directory.subscribe(subscribe.vnfId(), state);
        Subscribed done = new Subscribed(found.stateName(), state, found.publisherVnfId());
        if (directory.publisherOf(state).isPresent()) {
            // Published here: every update reaches local subscribers without the network.
            updateRoutes();
            subscribe.replyTo().tell(done);
            return;
        }
        NetworkSubscription sub = network.get(state);
        if (change == LocalDirectory.NetworkChange.SUB_REGISTER || sub == null || sub.phase == Phase.REMOVING) {
            sub = new NetworkSubscription(found.publisherVnfId());
            network.put(state, sub);
            sub.waiting.add(subscribe);
            joinTree(state);
            sendSubscription(MessageKind.SUB_REGISTER, state);
        } else if (sub.phase == Phase.REGISTERING) {
            sub.waiting.add(subscribe);
        } else {
            updateRoutes();
            subscribe.replyTo().tell(done);
        }
    }

    private Behavior<Command> onUnsubscribe(Unsubscribe unsubscribe) {
        int state = unsubscribe.stateId();
        NetworkSubscription sub = network.get(state);
        if (sub != null) {
            sub.waiting.removeIf(waiting -> {
                boolean mine = waiting.vnfId() == unsubscribe.vnfId();
                if (mine) {
                    waiting.replyTo().tell(new Failed("subscribe " + waiting.stateName(), "unsubscribed meanwhile"));
                }
                return mine;
            });
        }
        if (directory.unsubscribe(unsubscribe.vnfId(), state) == LocalDirectory.NetworkChange.SUB_REMOVE) {
            leave(state);
        }
        updateRoutes();
        unsubscribe.replyTo().tell(new Unsubscribed(state));
        return this;
    }

    /** The last local subscriber left: leave the tree (if the server joined it) and stop receiving. */
    private void leave(int state) {
        NetworkSubscription sub = network.get(state);
        if (sub == null) {
            return;
        }
        for (Subscribe waiting : sub.waiting) {
            waiting.replyTo().tell(new Failed("subscribe " + waiting.stateName(), "unsubscribed before the switch acknowledged"));
        }
        sub.waiting.clear();
        sub.phase = Phase.REMOVING;
        feed(new ReceivePath.Forget(state));
        controller.tell(new ReplicaController.SubscriberLeft(state, settings.serverId()));
        sendSubscription(MessageKind.SUB_REMOVE, state);
    }

    private void sendSubscription(MessageKind kind, int state) {
        int sequence = subSequence;
        subSequence = (subSequence + 1) & StareHeader.MAX_UPDATE_NO;
        byte[] frame = frames.subscription(kind, state, sequence, settings.senderId());
        arq.sent(UPLINK, state, sequence, settings.senderId(), frame, System.nanoTime());
        transport.send(frame);
        scheduleArq();
    }

    private Behavior<Command> onSubAcked(SubAcked acked) {
        StareHeader header = acked.header();
        if (!arq.acknowledged(UPLINK, header.stateId(), header.updateNo(), header.vnfId())) {
            return this; // a duplicate or stale ack
        }
        int state = header.stateId();
        NetworkSubscription sub = network.get(state);
        if (sub == null) {
            return this;
        }
        if (sub.phase == Phase.REMOVING) {
            network.remove(state);
            leftTree(state);
        } else if (sub.phase == Phase.REGISTERING) {
            controller.tell(new ReplicaController.SubscriberJoined(state, settings.serverId(), truncationAdapter));
            // Updates up to the backlog's latest are history; the stream starts after them.
            control(new LatestUpdateQuery(state), (reply, error) -> activate(state, sub,
                    reply instanceof LatestUpdate latest ? latest.latestUpdate() + 1 : -1));
        }
        return this;
    }

    private void activate(int state, NetworkSubscription sub, long next) {
        if (network.get(state) != sub || sub.phase != Phase.REGISTERING) {
            return; // left meanwhile
        }
        sub.phase = Phase.ACTIVE;
        // A VNF subscribing again resumes where it stopped: the stream starts at the earliest such
        // point and the updates in between are recovered (a VNF drops what it already has).
        long resume = sub.waiting.stream().mapToLong(Subscribe::resumeFrom).filter(r -> r >= 0).min().orElse(next);
        feed(new ReceivePath.Activate(state, sub.publisherVnfId, resume));
        List<Subscribe> waiting = List.copyOf(sub.waiting);
        sub.waiting.clear();
        updateRoutes();
        for (Subscribe subscribe : waiting) {
            subscribe.replyTo().tell(new Subscribed(subscribe.stateName(), state, sub.publisherVnfId));
        }
    }

    /** The server is about to SUB-register: its transport joins the state's groups first, so the SUB-ack is heard. */
    private void joinTree(int state) {
        survivors.joined.add(state);
        transport.join(state);
    }

    private void leftTree(int state) {
        survivors.joined.remove(state);
        transport.leave(state);
    }

    /** After a restart: SUB-remove every tree the server joined before and no VNF subscribed to again. */
    private Behavior<Command> onOrphansTimer() {
        for (int state : List.copyOf(survivors.joined)) {
            if (network.containsKey(state)) {
                continue;
            }
            getContext().getLog().info("{}: no VNF subscribes to state {} since the restart; leaving its tree",
                    settings.serverId(), state);
            NetworkSubscription orphan = new NetworkSubscription(-1);
            orphan.phase = Phase.REMOVING;
            network.put(state, orphan);
            transport.join(state); // to hear the SUB-ack
            sendSubscription(MessageKind.SUB_REMOVE, state);
        }
        return this;
    }

    private Behavior<Command> onArqTimer() {
        SubRetransmissions.Due due = arq.poll(System.nanoTime());
        for (SubRetransmissions.Resend resend : due.resend()) {
            transport.send(resend.frame());
        }
        for (SubRetransmissions.Key abandoned : due.abandoned()) {
            abandon(abandoned.stateId());
        }
        scheduleArq();
        return this;
    }

    /** No SUB-ack after every retransmission: the subscribing VNFs are told, the subscription undone. */
    private void abandon(int state) {
        NetworkSubscription sub = network.remove(state);
        if (sub == null) {
            return;
        }
        leftTree(state);
        getContext().getLog().warn("{}: no SUB-ack for state {} after {} retransmissions", settings.serverId(), state,
                settings.arqLimit());
        if (sub.phase == Phase.REGISTERING) {
            String reason = "no SUB-ack from the switch after " + settings.arqLimit() + " retransmissions";
            for (Subscribe waiting : sub.waiting) {
                directory.unsubscribe(waiting.vnfId(), state);
                waiting.replyTo().tell(new Failed("subscribe " + waiting.stateName(), reason));
            }
            updateRoutes();
        }
    }

    private void scheduleArq() {
        OptionalLong deadline = arq.nextDeadline();
        if (deadline.isPresent()) {
            long delay = Math.max(0, deadline.getAsLong() - System.nanoTime());
            timers.startSingleTimer(Timer.ARQ, Timer.ARQ, Duration.ofNanos(delay));
        } else {
            timers.cancel(Timer.ARQ);
        }
    }

    /** Rebuilds the receive path's table of which INT modules get which state. */
    private void updateRoutes() {
        Map<Integer, List<IntModule>> table = new HashMap<>();
        for (int state : directory.subscribedStates()) {
            NetworkSubscription sub = network.get(state);
            boolean receiving = directory.publisherOf(state).isPresent() || (sub != null && sub.phase == Phase.ACTIVE);
            if (!receiving) {
                continue;
            }
            List<IntModule> modules = new ArrayList<>();
            for (int vnfId : directory.localSubscribers(state)) {
                AttachedVnf vnf = vnfs.get(vnfId);
                if (vnf != null && !waitingFor(sub, vnfId)) {
                    modules.add(vnf.intModule());
                }
            }
            table.put(state, List.copyOf(modules));
        }
        routes.replace(table);
    }

    private static boolean waitingFor(NetworkSubscription sub, int vnfId) {
        return sub != null && sub.waiting.stream().anyMatch(s -> s.vnfId() == vnfId);
    }

    // ---- recovery and truncation

    private Behavior<Command> onRecoveryNeeded(RecoveryNeeded needed) {
        RecoveryRequest request = needed.request();
        long id = ++recoverId;
        recoverRequests++;
        recoverPublisher.put(id, request.vnfId());
        control(new Recover(id, request.stateId(), settings.serverId(), request.missing()), (reply, error) -> {
            Integer publisher = recoverPublisher.remove(id);
            if (reply instanceof Recovered recovered && publisher != null) {
                feed(new ReceivePath.RecoveredInput(publisher, recovered));
            }
            // Otherwise the reassembler asks again after its retry interval, and gives up in the end.
        });
        return this;
    }

    private Behavior<Command> onLatestTimer() {
        for (Map.Entry<Integer, NetworkSubscription> entry : network.entrySet()) {
            if (entry.getValue().phase != Phase.ACTIVE) {
                continue;
            }
            int state = entry.getKey();
            int publisher = entry.getValue().publisherVnfId;
            control(new LatestUpdateQuery(state), (reply, error) -> {
                if (reply instanceof LatestUpdate latest) {
                    receivePath.offer(new ReceivePath.Latest(state, publisher, latest.latestUpdate()));
                }
            });
        }
        return this;
    }

    private Behavior<Command> onTruncationAsked(TruncationAsked asked) {
        receivePath.offer(new ReceivePath.Query(asked.query()));
        return this;
    }

    // ---- plumbing

    /**
     * Hands an input to the receive path without losing it: when its queue is full the input
     * waits here, in order, for the next FEED timer. (Periodic inputs, such as latest-update
     * answers and truncation queries, are offered directly: the next period repeats them.)
     */
    private void feed(ReceivePath.Input input) {
        if (unfed.isEmpty() && receivePath.offer(input)) {
            return;
        }
        unfed.addLast(input);
        if (!timers.isTimerActive(Timer.FEED)) {
            timers.startSingleTimer(Timer.FEED, Timer.FEED, settings.tick());
        }
    }

    private Behavior<Command> onFeedTimer() {
        while (!unfed.isEmpty() && receivePath.offer(unfed.peekFirst())) {
            unfed.removeFirst();
        }
        if (!unfed.isEmpty()) {
            timers.startSingleTimer(Timer.FEED, Timer.FEED, settings.tick());
        }
        return this;
    }

    private void control(ControlRequest request, BiConsumer<ControlReply, Throwable> then) {
        // Not getContext().ask: the Java DSL pipes its answer through a plain continuation of Scala's
        // CompletableFuture adapter, which costs a new thread per answer on 2 cores (see InlineExecutor),
        // and RECOVER sends one of these per gap.
        ActorRef<Command> self = getContext().getSelf();
        AskPattern.<ReplicaController.Command, ControlReply>ask(controller,
                        replyTo -> new ReplicaController.Control(request, replyTo), settings.controlTimeout(),
                        getContext().getSystem().scheduler())
                .whenCompleteAsync((reply, error) -> self.tell(new ControlAnswer(reply, error, then)),
                        InlineExecutor.INSTANCE);
    }

    private Behavior<Command> onControlAnswer(ControlAnswer answer) {
        answer.then().accept(answer.reply(), answer.error());
        return this;
    }

    private static String describe(ControlReply reply, Throwable error) {
        if (reply instanceof ControlFailure failure) {
            return failure.code() + ": " + failure.message();
        }
        return error != null ? "the replica controller did not answer: " + error.getMessage() : "unexpected " + reply;
    }

    private Behavior<Command> onGetStats(GetStats get) {
        get.replyTo().tell(new Stats(transport.counters(), receivePath.decodeErrors().total(),
                receivePath.publishFrames(), receivePath.delivered(), localDeliveries, updatesPublished,
                publishesRefused, recoverRequests, arq.counters(), unconfirmed.size(),
                transport.localAddress().toCompletableFuture().getNow(null), keptLocal, segmentsAppended,
                receivePath.recoveredSegments(), receivePath.unrecoverableUpdates(), receivePath.inactiveDropped(),
                receivePath.unexpected(), inboundDropped + vnfs.values().stream()
                        .mapToLong(vnf -> vnf.intModule().inboundDropped()).sum(),
                vnfs.values().stream().mapToInt(vnf -> vnf.intModule().inboundQueued()).sum(),
                vnfs.values().stream().mapToInt(vnf -> vnf.intModule().outboundQueued()).sum()));
        return this;
    }

    private Behavior<Command> onStop() {
        for (AttachedVnf vnf : vnfs.values()) {
            vnf.intModule().close();
            getContext().unwatch(vnf.actor());
        }
        receivePath.close();
        transport.close();
        return this;
    }
}
