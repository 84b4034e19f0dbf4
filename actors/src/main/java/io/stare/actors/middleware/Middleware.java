package io.stare.actors.middleware;

import io.stare.actors.arq.ArqCounters;
import io.stare.actors.controller.ReplicaController;
import io.stare.client.PublishResult;
import io.stare.client.UpdateHandler;
import io.stare.protocol.ErrorCode;
import io.stare.protocol.auth.PublishKey;
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
import io.stare.protocol.control.TruncationQuery;
import io.stare.protocol.control.VnfRegistered;
import io.stare.protocol.header.StareHeader;
import io.stare.protocol.segment.MissingUpdate;
import io.stare.protocol.segment.RecoveryRequest;
import io.stare.protocol.segment.Segmenter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.LongSupplier;
import java.util.stream.LongStream;
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

/**
 * Why above 400 lines: its protocol takes about 210 lines (140 of them public, what
 * VNFs, gateways, the ingest, the testkit and the benches are written against; the rest one named
 * message per answer of the controller and the main path), and the rest is one short handler per
 * message applying a decision of a plain class ({@link SubRegister}, {@link IntModules},
 * {@link LocalDirectory}, {@link ControlOutcomes}); handlers split over child actors would put
 * mailbox hops between state that one server's EXT module changes as one.
 *
 * <p>The EXT module of one server's middleware: the server's only endpoint of the replication scheme,
 * whatever the number of VNFs on it (the paper's Fig. 5).
 *
 * <ul>
 *   <li><b>SIG SEND / RECEIVE</b>: VNF registration, state declaration and lookup, RECOVER and the
 *       latest-update queries go to the replica controller as {@link ReplicaController.Control}
 *       requests; published updates are appended to its backlog (in batches per state, at least
 *       once per tick) and kept until it confirms them.</li>
 *   <li><b>Internal data structure</b>: a {@link LocalDirectory} decides who may publish and when
 *       the server joins or leaves a state's tree (one SUB-register / SUB-remove per server per
 *       state); {@link IntModules} holds the attached VNFs' INT modules and computes the main path's
 *       routes; {@link Survivors} is what a restart keeps. Each answer of the replica controller
 *       arrives as a message of its own, read by {@link ControlOutcomes}.</li>
 *   <li><b>SUB-* RESEND</b>: the {@link SubRegister} repeats a SUB message, with exponential
 *       backoff, until the first switch's SUB-ack; past the limit the subscribing VNFs are told.</li>
 *   <li><b>MAIN SEND / RECEIVE</b>: the {@link MainPath}, a data path of its own (one thread, the
 *       sockets of a {@link Transport}) that sends what VNFs publish (they write the
 *       {@link PublishLog} from their own threads), appends it to the backlog, and decodes,
 *       reassembles and delivers what arrives, never through this actor's mailbox. Only SUB-acks and
 *       recovery requests come back here; this actor reaches it with {@link MainPath.Input}s.</li>
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

    /**
     * A VNF attaches: the controller assigns its VNF ID, the middleware creates its INT module. A
     * name is bound to the middleware it first attached to; {@code move} moves it here from there
     * (otherwise another middleware's name is refused, {@code NOT_AUTHORIZED}).
     */
    public record Attach(String vnfName, ActorRef<Vnf.Command> vnf, boolean move, ActorRef<Reply> replyTo)
            implements Command {
        /** An attachment that does not move the VNF. */
        public Attach(String vnfName, ActorRef<Vnf.Command> vnf, ActorRef<Reply> replyTo) {
            this(vnfName, vnf, false, replyTo);
        }
    }

    /** A VNF leaves: its subscriptions end, its states are released, its INT module stops. */
    public record Detach(int vnfId) implements Command {
    }

    /** An attached VNF declares a state it will publish. */
    public record Declare(int vnfId, String stateName, ActorRef<Reply> replyTo) implements Command {
    }

    /**
     * An attached VNF publishes an update of a state it declared, through this actor: for code that
     * speaks the protocol. VNFs publish faster with {@link IntModule#tryPublish}, which needs no actor.
     */
    public record Publish(int vnfId, int stateId, byte[] value, ActorRef<PublishResult> replyTo) implements Command {
    }

    /**
     * An attached VNF subscribes to a state by name; answered once the subscription is in place.
     *
     * @param resumeFrom the first update the VNF has not received yet, when it subscribes again
     *     (after its middleware restarted): the stream starts there and what the VNF missed is
     *     recovered from the backlog; -1 for a new subscription, which starts after the newest
     *     update in the backlog
     * @param handler called by the main path with each update in place, or null: the updates go to
     *     the VNF's actor through its INT module's inbound queue
     */
    public record Subscribe(int vnfId, String stateName, long resumeFrom, UpdateHandler handler,
                            ActorRef<Reply> replyTo) implements Command {
        /** A new subscription for the VNF's actor, from the next update on. */
        public Subscribe(int vnfId, String stateName, ActorRef<Reply> replyTo) {
            this(vnfId, stateName, -1, null, replyTo);
        }

        /** A subscription for the VNF's actor, resuming at {@code resumeFrom}. */
        public Subscribe(int vnfId, String stateName, long resumeFrom, ActorRef<Reply> replyTo) {
            this(vnfId, stateName, resumeFrom, null, replyTo);
        }
    }

    /** An attached VNF unsubscribes; nothing more of the state reaches it once answered. */
    public record Unsubscribe(int vnfId, int stateId, ActorRef<Reply> replyTo) implements Command {
    }

    /** Looks a state up by name (for VNFs that only ask); answered with {@link Found} or {@link Failed}. */
    public record Lookup(String stateName, ActorRef<Reply> replyTo) implements Command {
    }

    /**
     * Lists the declared states whose names start with {@code prefix} (with a subscribe policy,
     * those VNF {@code vnfId} may subscribe to); answered with {@link Listed} or {@link Failed}.
     */
    public record ListStates(int vnfId, String prefix, ActorRef<Reply> replyTo) implements Command {
    }

    /** Asks for the counters. */
    public record GetStats(ActorRef<Stats> replyTo) implements Command {
    }

    /** From the main path: a SUB-ack from the first switch. */
    record SubAcked(StareHeader header) implements Command {
    }

    /** From the main path: the reassembler wants missing pieces from the backlog. */
    record RecoveryNeeded(RecoveryRequest request) implements Command {
    }

    /** From an INT module: what its full inbound queue turned away, to read again from the backlog. */
    record CatchUpNeeded(IntModule module, CatchUp.Read read) implements Command {
    }

    // The replica controller's answers, each a message of its own (reply null when the ask failed: error says why).

    /** RegisterVnf answered, for {@code attach}. */
    private record VnfRegistration(Attach attach, ControlReply reply, Throwable error) implements Command {
    }

    /** DeclareState answered, for {@code declare}. */
    private record StateDeclaration(Declare declare, ControlReply reply, Throwable error) implements Command {
    }

    /** The backlog's newest update of a state being declared: where its numbering goes on. */
    private record DeclaredNumbering(Declare declare, int stateId, ControlReply reply, Throwable error)
            implements Command {
    }

    /**
     * PublisherJoined answered ({@code remote} null if it was not): whether another server
     * subscribes, learnt before the first publish; then the declaration is answered.
     */
    private record PublisherJoinedAnswer(Declare declare, Publication publication,
                                         ReplicaController.RemoteSubscribers remote) implements Command {
    }

    /** LookupState answered, for a {@link Lookup}. */
    private record LookupAnswer(Lookup lookup, ControlReply reply, Throwable error) implements Command {
    }

    /** ListStates answered, for a {@link ListStates}. */
    private record ListAnswer(ListStates list, ControlReply reply, Throwable error) implements Command {
    }

    /** LookupState answered, for a {@link Subscribe}. */
    private record SubscribeLookup(Subscribe subscribe, ControlReply reply, Throwable error) implements Command {
    }

    /** The backlog's newest update of a state whose SUB-register was acknowledged: its stream starts after it. */
    private record ActivationLatest(SubRegister.Registration registration, ControlReply reply, Throwable error)
            implements Command {
    }

    /** A RECOVER for segments of {@code publisherVnfId}'s update answered. */
    private record RecoverAnswer(int stateId, int publisherVnfId, ControlReply reply, Throwable error)
            implements Command {
    }

    /** A catch-up read answered. */
    private record CatchUpAnswer(IntModule module, CatchUp.Read read, ControlReply reply, Throwable error)
            implements Command {
    }

    /** A catch-up read that got no answer, or brought nothing, is due again (also its timer's key). */
    private record CatchUpRetry(IntModule module, CatchUp.Read read) implements Command {
    }

    /** The periodic latest-update query of an active state answered. */
    private record LatestPolled(int stateId, int publisherVnfId, ControlReply reply, Throwable error)
            implements Command {
    }

    private record WrappedAppended(ReplicaController.Appended appended) implements Command {
    }

    private record TruncationAsked(TruncationQuery query) implements Command {
    }

    /** Whether another server subscribes to a state published here (pushed when it changes). */
    private record RemoteSubscribersChanged(ReplicaController.RemoteSubscribers remote) implements Command {
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
        ARQ, LATEST, FEED, ORPHANS, REFRESH
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

    /** The declared states whose names start with {@code prefix}, sorted; {@code complete}: all of them. */
    public record Listed(String prefix, List<String> stateNames, boolean complete) implements Reply {
    }

    /**
     * The request failed, permanently.
     *
     * @param request what was asked, for people ("declare ue-locations")
     * @param code why, for programs: the replica controller's own code when it refused
     * @param reason a human-readable explanation
     */
    public record Failed(String request, ErrorCode code, String reason) implements Reply {
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
     * @param unconfirmedAppends published updates the backlog has not confirmed yet (or not sent yet)
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
     * @param outboundQueued publishes waiting for the main path to send them (summed over VNFs)
     * @param handlerErrors exceptions thrown by inline update handlers (counted, never rethrown)
     * @param sentFromVnfThreads times a publishing VNF's thread sent the publish log itself because
     *     the main path slept (one wake-up of the main path spared each time)
     * @param publishLogBytes memory the publish log holds now (it grows with what waits for the
     *     backlog's confirmation, up to stare.middleware.publish-log, and shrinks as it is confirmed)
     * @param unauthenticated Publish segments of a state with a key whose tag was missing or did not
     *     verify (forged, corrupted, or replayed from an earlier wrap of the update number): dropped
     */
    public record Stats(Transport.Counters transport, long decodeErrors, long publishFramesReceived,
                        long deliveredFromNetwork, long localDeliveries, long updatesPublished,
                        long publishesRefused, long recoverRequests, ArqCounters arq,
                        int unconfirmedAppends, InetSocketAddress tunnelAddress, long keptLocal,
                        long segmentsAppended, long recoveredSegments, long unrecoverableUpdates,
                        long inactiveDropped, long unexpectedFrames, long inboundDropped, int inboundQueued,
                        int outboundQueued, long handlerErrors, long sentFromVnfThreads, long publishLogBytes,
                        long unauthenticated)
            implements NoSerializationVerificationNeeded {
    }

    /**
     * The most segment bytes one Append carries: well below the cluster transport's frame size
     * (stare.controller's maximum-frame-size), so an Append is never too large to cross nodes.
     */
    static final int APPEND_BATCH_BYTES = 128 * 1024;

    private final MiddlewareSettings settings;
    private final ActorRef<ReplicaController.Command> controller;
    private final TimerScheduler<Command> timers;
    private final MainPath mainPath;
    private final Transport transport;
    private final Routes routes = new Routes();
    private final Segmenter segmenter;
    private final LocalDirectory directory = new LocalDirectory();
    private final SubRegister subRegister;
    /** The Publish keys of the states subscribed here (null values: untagged), handed to the main path on activation. */
    private final Map<Integer, PublishKey> receiveKeys = new HashMap<>();
    private final ActorRef<ReplicaController.Appended> appendedAdapter;
    private final ActorRef<TruncationQuery> truncationAdapter;
    private final ActorRef<ReplicaController.RemoteSubscribers> remoteAdapter;

    private final Survivors survivors;
    private final IntModules vnfs = new IntModules();
    /** Inputs for the main path; what its queue refused is offered again in order on the next FEED timer. */
    private final MainPathFeed inputs;
    private long recoverId;
    private long recoverRequests;

    /**
     * The EXT module of one server, with the transport {@code settings} choose. If it fails, it
     * restarts (with backoff) and asks every VNF that was attached to attach again; the VNFs then
     * declare their states and subscribe again, resuming each stream where they left it.
     */
    public static Behavior<Command> create(MiddlewareSettings settings, ActorRef<ReplicaController.Command> controller) {
        return create(settings, controller, System::nanoTime);
    }

    /** As {@link #create(MiddlewareSettings, ActorRef)}, timing SUB-* RESEND by {@code nanoClock}. */
    static Behavior<Command> create(MiddlewareSettings settings, ActorRef<ReplicaController.Command> controller,
                                    LongSupplier nanoClock) {
        return Behaviors.setup(outer -> {
            Survivors survivors = new Survivors(); // outside the supervised behaviour: kept across restarts
            return Behaviors.supervise(Behaviors.<Command>setup(context -> Behaviors.withTimers(timers ->
                            new Middleware(context, timers, settings, controller, survivors, nanoClock))))
                    .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofMillis(100), Duration.ofSeconds(5), 0.2));
        });
    }

    private Middleware(ActorContext<Command> context, TimerScheduler<Command> timers, MiddlewareSettings settings,
                       ActorRef<ReplicaController.Command> controller, Survivors survivors, LongSupplier nanoClock) {
        super(context);
        this.settings = settings;
        this.survivors = survivors;
        this.controller = controller;
        this.timers = timers;
        this.segmenter = settings.segmenter();
        this.subRegister = new SubRegister(settings, nanoClock);
        this.appendedAdapter = context.messageAdapter(ReplicaController.Appended.class, WrappedAppended::new);
        this.truncationAdapter = context.messageAdapter(TruncationQuery.class, TruncationAsked::new);
        this.remoteAdapter = context.messageAdapter(ReplicaController.RemoteSubscribers.class,
                RemoteSubscribersChanged::new);
        PublishLog log = survivors.log(settings, segmenter, publishLogDirectory(context.getSystem().settings().config()));
        survivors.stopPreviousMainPath(context.getLog(), settings.serverId());
        try {
            this.mainPath = new MainPath(context.getSystem(), settings, log, survivors.publishKeys, routes,
                    context.getSelf(), controller, appendedAdapter);
        } catch (IOException e) {
            throw new IllegalStateException(settings.serverId() + ": cannot open the transport's sockets: "
                    + e.getMessage(), e);
        }
        survivors.mainPath(mainPath);
        this.inputs = new MainPathFeed(mainPath::offer);
        this.transport = mainPath.transport();
        if (!settings.subRefresh().isZero()) {
            timers.startTimerWithFixedDelay(Timer.REFRESH, Timer.REFRESH, settings.subRefresh());
        }
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
                .onMessage(ListStates.class, this::onListStates)
                .onMessage(ListAnswer.class, answer -> {
                    answer.list().replyTo().tell(ControlOutcomes.listed("list " + answer.list().prefix(),
                            answer.reply(), answer.error()));
                    return this;
                })
                .onMessage(GetStats.class, this::onGetStats)
                .onMessage(SubAcked.class, this::onSubAcked)
                .onMessage(RecoveryNeeded.class, this::onRecoveryNeeded)
                .onMessage(VnfRegistration.class, this::onVnfRegistration)
                .onMessage(StateDeclaration.class, this::onStateDeclaration)
                .onMessage(DeclaredNumbering.class, this::onDeclaredNumbering)
                .onMessage(PublisherJoinedAnswer.class, this::onPublisherJoined)
                .onMessage(LookupAnswer.class, answer -> {
                    answer.lookup().replyTo().tell(ControlOutcomes.lookedUp("lookup " + answer.lookup().stateName(),
                            answer.reply(), answer.error()));
                    return this;
                })
                .onMessage(SubscribeLookup.class, this::onSubscribeLookup)
                .onMessage(ActivationLatest.class, this::onActivationLatest)
                .onMessage(RecoverAnswer.class, this::onRecoverAnswer)
                .onMessage(CatchUpNeeded.class, this::onCatchUpNeeded)
                .onMessage(CatchUpAnswer.class, this::onCatchUpAnswer)
                .onMessage(CatchUpRetry.class, retry -> {
                    retry.module().retryCatchUp(retry.read());
                    return this;
                })
                .onMessage(LatestPolled.class, this::onLatestPolled)
                .onMessage(WrappedAppended.class, this::onAppended)
                .onMessage(TruncationAsked.class, this::onTruncationAsked)
                .onMessage(RemoteSubscribersChanged.class, changed -> {
                    feed(new MainPath.RemoteSubscribers(changed.remote().stateId(), changed.remote().any()));
                    return this;
                })
                .onMessage(VnfTerminated.class, this::onVnfTerminated)
                .onMessage(Crash.class, crash -> {
                    throw new IllegalStateException("crash requested: " + crash.reason());
                })
                .onMessageEquals(Timer.ARQ, this::onArqTimer)
                .onMessageEquals(Timer.LATEST, this::onLatestTimer)
                .onMessageEquals(Timer.REFRESH, () -> {
                    subRegister.refresh().forEach(frame -> feed(new MainPath.SendFrame(frame)));
                    return this;
                })
                .onMessageEquals(Timer.FEED, this::onFeedTimer)
                .onMessageEquals(Timer.ORPHANS, this::onOrphansTimer)
                .onSignal(PostStop.class, signal -> onStop())
                .onSignal(PreRestart.class, signal -> onStop())
                .build();
    }

    // ---- registration and declaration (SIG SEND / RECEIVE)

    private Behavior<Command> onAttach(Attach attach) {
        control(new RegisterVnf(attach.vnfName(), settings.serverId(), attach.move()), (reply, error) ->
                new VnfRegistration(attach, reply, error));
        return this;
    }

    private Behavior<Command> onVnfRegistration(VnfRegistration answer) {
        Attach attach = answer.attach();
        if (!(answer.reply() instanceof VnfRegistered registered)) {
            attach.replyTo().tell(ControlOutcomes.failed("attach " + attach.vnfName(), answer.reply(), answer.error()));
            return this;
        }
        IntModules.Attached previous = vnfs.get(registered.vnfId());
        ActorRef<Command> self = getContext().getSelf();
        boolean same = previous != null && previous.actor().equals(attach.vnf());
        IntModule module = same ? previous.intModule()
                : new IntModule(registered.vnfId(), attach.vnf(), settings.inboundQueue(),
                survivors.handlerErrors, survivors.refused, settings.reassembly().maxAttempts(),
                (intModule, read) -> self.tell(new CatchUpNeeded(intModule, read)));
        if (!same) {
            if (previous != null) {
                detach(registered.vnfId()); // the name's earlier actor: it is gone or replaced
            }
            getContext().watchWith(attach.vnf(), new VnfTerminated(registered.vnfId(), attach.vnf()));
        }
        vnfs.put(registered.vnfId(), new IntModules.Attached(attach.vnfName(), attach.vnf(), module));
        updateModules();
        survivors.vnfs.put(attach.vnfName(), attach.vnf());
        attach.replyTo().tell(new Attached(attach.vnfName(), registered.vnfId(), module));
        return this;
    }

    private Behavior<Command> onDetach(Detach detach) {
        detach(detach.vnfId());
        return this;
    }

    /** A VNF that stops without detaching (or whose Detach was lost) is detached all the same. */
    private Behavior<Command> onVnfTerminated(VnfTerminated terminated) {
        IntModules.Attached vnf = vnfs.get(terminated.vnfId());
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
        IntModules.Attached vnf = vnfs.remove(vnfId);
        if (vnf == null) {
            return;
        }
        getContext().unwatch(vnf.actor());
        survivors.vnfs.remove(vnf.name(), vnf.actor());
        for (int state : directory.removeVnf(vnfId)) {
            leave(state);
        }
        updateRoutes();
        updateModules();
        vnf.intModule().close();
    }

    private Behavior<Command> onDeclare(Declare declare) {
        if (!vnfs.attached(declare.vnfId())) {
            declare.replyTo().tell(new Failed("declare " + declare.stateName(), ErrorCode.NOT_REGISTERED,
                    "VNF " + declare.vnfId() + " is not attached"));
            return this;
        }
        control(new DeclareState(declare.vnfId(), declare.stateName()), (reply, error) ->
                new StateDeclaration(declare, reply, error));
        return this;
    }

    private Behavior<Command> onStateDeclaration(StateDeclaration answer) {
        Declare declare = answer.declare();
        if (!(answer.reply() instanceof StateDeclared declared)) {
            declare.replyTo().tell(ControlOutcomes.failed("declare " + declare.stateName(), answer.reply(),
                    answer.error()));
            return this;
        }
        int state = declared.stateId();
        if (directory.declarePublisher(declare.vnfId(), state) != LocalDirectory.Declared.OK) {
            declare.replyTo().tell(new Failed("declare " + declare.stateName(), ErrorCode.NOT_PUBLISHER,
                    "another local VNF publishes it"));
            return this;
        }
        if (declared.key() == null) {
            survivors.publishKeys.remove(state);
        } else {
            survivors.publishKeys.put(state, declared.key());
        }
        mainPath.publishKey(state, declared.key());
        // Number on from what the backlog already holds (a VNF that declares again after a restart).
        control(new LatestUpdateQuery(state), (latest, error) -> new DeclaredNumbering(declare, state, latest, error));
        return this;
    }

    private Behavior<Command> onDeclaredNumbering(DeclaredNumbering answer) {
        Declare declare = answer.declare();
        int state = answer.stateId();
        Long next = ControlOutcomes.nextNumber(answer.reply(), survivors.publications.containsKey(state),
                survivors.numberFloor(state));
        if (next == null) {
            // The VNF declares again (a busy backlog soon answers).
            declare.replyTo().tell(new Failed("declare " + declare.stateName(),
                    ControlOutcomes.codeOf(answer.reply(), answer.error()), "could not learn state " + state
                    + "'s newest update from the backlog, so its numbering cannot go on; declare again ("
                    + ControlOutcomes.describe(answer.reply(), answer.error()) + ")"));
            return this;
        }
        if (!vnfs.attached(declare.vnfId())) {
            declare.replyTo().tell(detachedMeanwhile(declare));
            return this;
        }
        Publication publication = survivors.publications.computeIfAbsent(state, s -> new Publication(s, next,
                survivors.log(), segmenter.segmentPayload(), segmenter.maxUpdateBytes(), survivors.published,
                survivors.refused));
        publication.numberFrom(next);
        // Learn whether another server subscribes before the first publish (unknown: send).
        getContext().ask(ReplicaController.RemoteSubscribers.class, controller, settings.controlTimeout(),
                replyTo -> new ReplicaController.PublisherJoined(state, settings.serverId(), remoteAdapter,
                        appendedAdapter, replyTo),
                (remote, failure) -> new PublisherJoinedAnswer(declare, publication, remote));
        return this;
    }

    private Behavior<Command> onPublisherJoined(PublisherJoinedAnswer answer) {
        Publication publication = answer.publication();
        if (answer.remote() != null) {
            feed(new MainPath.RemoteSubscribers(publication.stateId, answer.remote().any()));
        }
        Declare declare = answer.declare();
        IntModules.Attached still = vnfs.get(declare.vnfId());
        if (still == null) {
            declare.replyTo().tell(detachedMeanwhile(declare));
            return this;
        }
        publication.open(still.intModule(), mainPath, settings.outboundQueue());
        still.intModule().declared(publication);
        declare.replyTo().tell(new Declared(declare.stateName(), publication.stateId));
        return this;
    }

    /** stare.middleware.publish-log-dir, or null (empty: the log stays on the heap). */
    private static java.nio.file.Path publishLogDirectory(com.typesafe.config.Config config) {
        String directory = config.getString("stare.middleware.publish-log-dir").trim();
        return directory.isEmpty() ? null : java.nio.file.Path.of(directory);
    }

    private static Failed detachedMeanwhile(Declare declare) {
        return new Failed("declare " + declare.stateName(), ErrorCode.NOT_REGISTERED, "the VNF detached meanwhile");
    }

    private Behavior<Command> onLookup(Lookup lookup) {
        control(new LookupState(lookup.stateName()), (reply, error) -> new LookupAnswer(lookup, reply, error));
        return this;
    }

    private Behavior<Command> onListStates(ListStates list) {
        IntModules.Attached vnf = vnfs.get(list.vnfId());
        if (vnf == null) {
            list.replyTo().tell(new Failed("list " + list.prefix(), ErrorCode.NOT_REGISTERED,
                    "VNF " + list.vnfId() + " is not attached here"));
            return this;
        }
        control(new io.stare.protocol.control.ListStates(list.prefix(), vnf.name()),
                (reply, error) -> new ListAnswer(list, reply, error));
        return this;
    }

    // ---- publishing (the hot path does not come here: VNFs write the publish log themselves)

    private Behavior<Command> onPublish(Publish publish) {
        IntModules.Attached vnf = vnfs.get(publish.vnfId());
        if (vnf == null) {
            // Sent before this module restarted: the VNF attaches again and declares anew.
            survivors.refused.increment();
            publish.replyTo().tell(new PublishResult.Refused(PublishResult.Reason.UNAVAILABLE,
                    "VNF " + publish.vnfId() + " is not attached (the middleware restarted)"));
            return this;
        }
        IntModule module = vnf.intModule();
        long code = module.tryPublish(publish.stateId(), publish.value(), 0, publish.value().length);
        publish.replyTo().tell(PublishResult.of(publish.stateId(), code,
                code >= 0 ? module.segmentsOf(publish.stateId(), publish.value().length) : 0));
        return this;
    }

    /** The backlog holds these updates: the main path releases them from the publish log. */
    private Behavior<Command> onAppended(WrappedAppended wrapped) {
        ReplicaController.Appended appended = wrapped.appended();
        feed(new MainPath.Confirmed(appended.stateId(), appended.first(), appended.last()));
        return this;
    }

    // ---- subscribing

    private Behavior<Command> onSubscribe(Subscribe subscribe) {
        if (!vnfs.attached(subscribe.vnfId())) {
            subscribe.replyTo().tell(new Failed("subscribe " + subscribe.stateName(), ErrorCode.NOT_REGISTERED,
                    "VNF " + subscribe.vnfId() + " is not attached"));
            return this;
        }
        // The VNF's name goes with it: the controller's subscribe policy decides by names.
        control(new LookupState(subscribe.stateName(), vnfs.get(subscribe.vnfId()).name()), (reply, error) ->
                new SubscribeLookup(subscribe, reply, error));
        return this;
    }

    private Behavior<Command> onSubscribeLookup(SubscribeLookup answer) {
        Subscribe subscribe = answer.subscribe();
        if (answer.reply() instanceof StateFound found) {
            subscribeFound(subscribe, found);
        } else {
            subscribe.replyTo().tell(ControlOutcomes.lookedUp("subscribe " + subscribe.stateName(), answer.reply(),
                    answer.error()));
        }
        return this;
    }

    private void subscribeFound(Subscribe subscribe, StateFound found) {
        int state = found.stateId();
        if (!vnfs.attached(subscribe.vnfId())) {
            return; // detached meanwhile
        }
        LocalDirectory.NetworkChange change = directory.subscribe(subscribe.vnfId(), state);
        // The handler is in place before the state is routed to the VNF, so no update misses it.
        vnfs.get(subscribe.vnfId()).intModule().handle(state, subscribe.handler());
        Subscribed done = new Subscribed(found.stateName(), state, found.publisherVnfId());
        if (directory.publisherOf(state).isPresent()) {
            // Published here: every update reaches local subscribers without the network.
            updateRoutes();
            subscribe.replyTo().tell(done);
            return;
        }
        receiveKeys.put(state, found.key()); // null: the controller does not authenticate Publish segments
        SubRegister.Join join = subRegister.subscribe(state, found.publisherVnfId(), subscribe,
                change == LocalDirectory.NetworkChange.SUB_REGISTER);
        if (join instanceof SubRegister.Register register) {
            joinTree(state);
            send(register.frame());
        } else if (join instanceof SubRegister.AlreadyActive) {
            updateRoutes();
            subscribe.replyTo().tell(done);
        } // else waiting: answered with the others once the SUB-register is acknowledged
    }

    private Behavior<Command> onUnsubscribe(Unsubscribe unsubscribe) {
        int state = unsubscribe.stateId();
        for (Subscribe waiting : subRegister.withdraw(state, unsubscribe.vnfId())) {
            waiting.replyTo().tell(new Failed("subscribe " + waiting.stateName(), ErrorCode.BAD_REQUEST,
                    "unsubscribed meanwhile"));
        }
        if (directory.unsubscribe(unsubscribe.vnfId(), state) == LocalDirectory.NetworkChange.SUB_REMOVE) {
            leave(state);
        }
        updateRoutes();
        IntModules.Attached vnf = vnfs.get(unsubscribe.vnfId());
        if (vnf != null) {
            vnf.intModule().handle(state, null);
        }
        // Answered once the main path has seen the new routes: nothing of the state reaches the VNF after.
        ActorRef<Reply> replyTo = unsubscribe.replyTo();
        mainPath.barrier().whenComplete((done, error) -> replyTo.tell(new Unsubscribed(state)));
        return this;
    }

    /** The last local subscriber left: leave the tree (if the server joined it) and stop receiving. */
    private void leave(int state) {
        SubRegister.Leave leave = subRegister.leave(state);
        if (leave == null) {
            return;
        }
        for (Subscribe waiting : leave.waiting()) {
            waiting.replyTo().tell(new Failed("subscribe " + waiting.stateName(), ErrorCode.BAD_REQUEST,
                    "unsubscribed before the switch acknowledged"));
        }
        feed(new MainPath.Forget(state));
        controller.tell(new ReplicaController.SubscriberLeft(state, settings.serverId()));
        send(leave.frame());
    }

    /** Sends a SUB message the SUB register just numbered, and keeps its timer on the next retransmission. */
    private void send(byte[] subFrame) {
        feed(new MainPath.SendFrame(subFrame));
        scheduleArq();
    }

    private Behavior<Command> onSubAcked(SubAcked acked) {
        int state = acked.header().stateId();
        switch (subRegister.acked(acked.header())) {
            case NOTHING -> {
                // a duplicate or stale ack
            }
            case REMOVED -> leftTree(state);
            case REGISTERED -> {
                controller.tell(new ReplicaController.SubscriberJoined(state, settings.serverId(), truncationAdapter));
                // Updates up to the backlog's latest are history; the stream starts after them.
                SubRegister.Registration registration = subRegister.registration(state);
                control(new LatestUpdateQuery(state), (reply, error) -> new ActivationLatest(registration, reply, error));
            }
        }
        return this;
    }

    private Behavior<Command> onActivationLatest(ActivationLatest answer) {
        SubRegister.Activated activated = subRegister.activate(answer.registration(),
                ControlOutcomes.afterLatest(answer.reply()));
        if (activated == null) {
            return this; // left meanwhile
        }
        feed(new MainPath.Activate(activated.stateId(), activated.publisherVnfId(), activated.resumeFrom(),
                receiveKeys.get(activated.stateId())));
        updateRoutes();
        for (Subscribe subscribe : activated.subscribed()) {
            subscribe.replyTo().tell(new Subscribed(subscribe.stateName(), activated.stateId(),
                    activated.publisherVnfId()));
        }
        return this;
    }

    /** The server is about to SUB-register: its transport joins the state's groups first, so the SUB-ack is heard. */
    private void joinTree(int state) {
        survivors.joined.add(state);
        transport.join(state);
    }

    private void leftTree(int state) {
        survivors.joined.remove(state);
        receiveKeys.remove(state);
        transport.leave(state);
    }

    /** After a restart: SUB-remove every tree the server joined before and no VNF subscribed to again. */
    private Behavior<Command> onOrphansTimer() {
        for (int state : List.copyOf(survivors.joined)) {
            byte[] remove = subRegister.leaveOrphan(state);
            if (remove == null) {
                continue;
            }
            getContext().getLog().info("{}: no VNF subscribes to state {} since the restart; leaving its tree",
                    settings.serverId(), state);
            transport.join(state); // to hear the SUB-ack
            send(remove);
        }
        return this;
    }

    private Behavior<Command> onArqTimer() {
        SubRegister.Due due = subRegister.poll();
        for (byte[] resend : due.resend()) {
            feed(new MainPath.SendFrame(resend));
        }
        for (SubRegister.Abandoned abandoned : due.abandoned()) {
            abandon(abandoned);
        }
        scheduleArq();
        return this;
    }

    /** No SUB-ack after every retransmission: the subscribing VNFs are told, the subscription undone. */
    private void abandon(SubRegister.Abandoned abandoned) {
        int state = abandoned.stateId();
        leftTree(state);
        getContext().getLog().warn("{}: no SUB-ack for state {} after {} retransmissions", settings.serverId(), state,
                settings.arqLimit());
        if (abandoned.registering()) {
            String reason = "no SUB-ack from the switch after " + settings.arqLimit() + " retransmissions";
            for (Subscribe waiting : abandoned.waiting()) {
                directory.unsubscribe(waiting.vnfId(), state);
                waiting.replyTo().tell(new Failed("subscribe " + waiting.stateName(), ErrorCode.UNAVAILABLE, reason));
            }
            updateRoutes();
        }
    }

    private void scheduleArq() {
        subRegister.nextDelay().ifPresentOrElse(
                delay -> timers.startSingleTimer(Timer.ARQ, Timer.ARQ, Duration.ofNanos(delay)),
                () -> timers.cancel(Timer.ARQ));
    }

    /** Rebuilds the main path's table of which INT modules get which state. */
    private void updateRoutes() {
        routes.replace(vnfs.routes(directory, subRegister));
    }

    /** Tells the main path which INT module serves each attached VNF (it counts their unsent publishes). */
    private void updateModules() {
        mainPath.attached(vnfs.modulesByVnf());
    }

    // ---- recovery and truncation

    private Behavior<Command> onRecoveryNeeded(RecoveryNeeded needed) {
        RecoveryRequest request = needed.request();
        recoverRequests++;
        control(new Recover(++recoverId, request.stateId(), settings.serverId(), request.missing()), (reply, error) ->
                new RecoverAnswer(request.stateId(), request.vnfId(), reply, error));
        return this;
    }

    private Behavior<Command> onRecoverAnswer(RecoverAnswer answer) {
        if (answer.reply() instanceof Recovered recovered) {
            feed(new MainPath.RecoveredInput(answer.publisherVnfId(), recovered));
        } else if (ControlOutcomes.unanswered(answer.reply(), answer.error())) {
            // A node down, a shard moving: ask again at the retry interval, not counting towards giving up.
            feed(new MainPath.Unanswered(answer.stateId(), answer.publisherVnfId()));
        }
        // Otherwise the reassembler asks again after its retry interval, and gives up in the end.
        return this;
    }

    private Behavior<Command> onCatchUpNeeded(CatchUpNeeded needed) {
        CatchUp.Read read = needed.read();
        List<MissingUpdate> missing = LongStream.rangeClosed(read.first(), read.last())
                .mapToObj(MissingUpdate::whole).toList();
        control(new Recover(++recoverId, read.stateId(), settings.serverId(), missing), (reply, error) ->
                new CatchUpAnswer(needed.module(), read, reply, error));
        return this;
    }

    private Behavior<Command> onCatchUpAnswer(CatchUpAnswer answer) {
        boolean again = !(answer.reply() instanceof Recovered recovered) || answer.module().caughtUp(answer.read(), recovered);
        if (again) { // unanswered, refused, or the backlog does not hold the oldest update (yet)
            timers.startSingleTimer(new CatchUpRetry(answer.module(), answer.read()),
                    Duration.ofMillis(settings.reassembly().retryMillis()));
        }
        return this;
    }

    private Behavior<Command> onLatestTimer() {
        for (SubRegister.Active active : subRegister.actives()) {
            control(new LatestUpdateQuery(active.stateId()), (reply, error) ->
                    new LatestPolled(active.stateId(), active.publisherVnfId(), reply, error));
        }
        return this;
    }

    private Behavior<Command> onLatestPolled(LatestPolled answer) {
        if (answer.reply() instanceof LatestUpdate latest) {
            mainPath.offer(new MainPath.Latest(answer.stateId(), answer.publisherVnfId(), latest.latestUpdate()));
        }
        return this;
    }

    private Behavior<Command> onTruncationAsked(TruncationAsked asked) {
        mainPath.offer(new MainPath.Query(asked.query()));
        return this;
    }

    // ---- plumbing

    /** Hands an input to the main path without losing it (see {@link MainPathFeed}). */
    private void feed(MainPath.Input input) {
        if (inputs.feed(input) && !timers.isTimerActive(Timer.FEED)) {
            timers.startSingleTimer(Timer.FEED, Timer.FEED, settings.tick());
        }
    }

    private Behavior<Command> onFeedTimer() {
        if (inputs.retry()) {
            timers.startSingleTimer(Timer.FEED, Timer.FEED, settings.tick());
        }
        return this;
    }

    /** Asks the replica controller; its answer (or the failure to get one) comes back as the message {@code answer} makes. */
    private void control(ControlRequest request, BiFunction<ControlReply, Throwable, Command> answer) {
        // Not getContext().ask: the Java DSL pipes its answer through a plain continuation of Scala's
        // CompletableFuture adapter, which costs a new thread per answer on 2 cores (see InlineExecutor),
        // and RECOVER sends one of these per gap.
        ActorRef<Command> self = getContext().getSelf();
        AskPattern.<ReplicaController.Command, ControlReply>ask(controller,
                        replyTo -> new ReplicaController.Control(request, replyTo), settings.controlTimeout(),
                        getContext().getSystem().scheduler())
                .whenCompleteAsync((reply, error) -> self.tell(answer.apply(reply, error)), InlineExecutor.INSTANCE);
    }

    private Behavior<Command> onGetStats(GetStats get) {
        MainPath.Counters c = mainPath.counters;
        PublishLog log = survivors.log();
        get.replyTo().tell(new Stats(transport.counters(), c.decodeErrors.total(), c.publishFrames.sum(),
                c.delivered.sum(), c.localDeliveries.sum(), survivors.published.sum(), survivors.refused.sum(),
                recoverRequests, subRegister.counters(), (int) log.unconfirmedUpdates(), transport.localAddress(),
                c.keptLocal.sum(), c.segmentsAppended.sum(), c.recoveredSegments.sum(), c.unrecoverableUpdates.sum(),
                c.inactiveDropped.sum(), c.unexpected.sum(), vnfs.inboundDropped(), vnfs.inboundQueued(),
                vnfs.outboundQueued(), survivors.handlerErrors.sum(), c.sentFromVnfThreads.sum(), log.heldBytes(),
                c.unauthenticated.sum()));
        return this;
    }

    private Behavior<Command> onStop() {
        for (IntModules.Attached vnf : vnfs.all()) {
            vnf.intModule().close();
            getContext().unwatch(vnf.actor());
        }
        // The publish log's file is let go once the main path no longer reads it: a middleware started
        // again in this JVM takes it over.
        mainPath.close().whenComplete((done, error) -> survivors.closeLog());
        return this;
    }
}
