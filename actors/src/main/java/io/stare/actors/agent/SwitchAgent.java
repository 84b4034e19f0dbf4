package io.stare.actors.agent;

import io.grpc.Status;
import io.stare.p4.entity.PacketInCodec;
import io.stare.p4.pipeline.CpuHeaders;
import io.stare.p4.pipeline.EmbeddedController;
import io.stare.p4.pipeline.PortMask;
import io.stare.p4.pipeline.Propagation;
import io.stare.p4.program.StareProgram;
import io.stare.p4.program.StarePrograms;
import io.stare.p4.runtime.Uint128s;
import io.stare.protocol.address.MessageKind;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import io.stare.protocol.header.StareHeader;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.grpc.GrpcClientSettings;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import p4.v1.MasterArbitrationUpdate;
import p4.v1.P4RuntimeClient;
import p4.v1.PacketOut;
import p4.v1.StreamMessageRequest;
import p4.v1.StreamMessageResponse;
import p4.v1.Update;

/**
 * The control plane of one switch, over P4Runtime (the same code against BMv2 and the software
 * switch). The agent keeps a StreamChannel open, takes part in arbitration, and while it is the
 * primary controller it sets the switch up and serves its CPU port:
 *
 * <ul>
 *   <li><b>Session</b> (functional style, one behaviour per phase): {@link #waiting} for the next
 *       connection attempt, then {@link #session} with the stream open. When the stream ends
 *       (switch restarted, connection lost) the agent reconnects with bounded exponential backoff
 *       and arbitrates again.</li>
 *   <li><b>Set-up</b> as primary ({@link SwitchRpc#setUp}): push the pipeline and the base
 *       entities, then restore the subscription state the agent knows; or, if the switch already
 *       runs the program (a backup taking over, a lost connection), adopt and read back its state.</li>
 *   <li><b>Register mode</b>: SUB_PROPAGATED and STATE_CHANGED packet-ins tell the agent each
 *       state's new port mask; SUB_PROPAGATED also starts the switch-to-switch ARQ.</li>
 *   <li><b>Embedded mode</b>: SUB_PUNT packet-ins go to the {@link EmbeddedController}; its table
 *       and group decisions are written one at a time, in order (make before break), and only then
 *       are its SUB-ack and propagated copies sent as packet-outs, so a subscriber is never acked
 *       before its rule exists.</li>
 *   <li><b>ARQ</b> ({@link SubRetransmissions}): a propagated SUB message is repeated on its tree
 *       port until the neighbour's SUB-ack (a SUB_ACK packet-in) comes back, or the limit is hit.</li>
 * </ul>
 *
 * gRPC callbacks only turn responses into messages to this actor (tagged with the session's
 * epoch, so those of an earlier session are ignored); the actor never blocks.
 */
public final class SwitchAgent {

    /** The agent's protocol. */
    public sealed interface Command {
    }

    /** Asks for the agent's {@link AgentView}. */
    public record GetView(ActorRef<AgentView> replyTo) implements Command {
    }

    /**
     * Register mode: move the switch to the register program compiled for {@code capacity} states
     * (one of {@link io.stare.p4.program.StarePrograms#REGISTER_CAPACITIES}; the current capacity
     * re-pushes the program) without losing subscription state, while traffic goes on
     * ({@link Reconfiguration} describes the protocol). Answered with the report; a failed one
     * carries its reason.
     *
     * @param replyTo who gets the report; null for none
     */
    public record Reconfigure(int capacity, Reconfiguration.Strategy strategy, ActorRef<ReconfigurationReport> replyTo)
            implements Command {
    }

    /**
     * Runs {@code job} with this session's register access of {@code kind} and tells its outcome
     * (the value, {@link Done} for none, or the Throwable) to {@code replyTo}: for tests of
     * {@link RegisterAccess}.
     */
    record UseRegisters(RegisterAccess.Kind kind, java.util.function.Function<RegisterAccess, CompletionStage<?>> job,
                        ActorRef<Object> replyTo) implements Command {
    }

    private enum Connect implements Command { INSTANCE }

    private enum ArqTick implements Command { INSTANCE }

    private enum FenceTick implements Command { INSTANCE }

    private record StreamReceived(int epoch, StreamMessageResponse response) implements Command {
    }

    private record StreamEnded(int epoch, String reason) implements Command {
    }

    private record SetupDone(int epoch, SwitchRpc.SetupResult result) implements Command {
    }

    private record SetupFailed(int epoch, Throwable cause) implements Command {
    }

    private record InstallDone(int epoch, Install install, Optional<Throwable> failure) implements Command {
    }

    // State4 steps, each the outcome of asynchronous calls piped back to the actor.
    private record ReconfSnapshot(int epoch, RegisterAccess access, long[] cells) implements Command {
    }

    private record ReconfCopied(int epoch, int round) implements Command {
    }

    private record ReconfCommitted(int epoch, Duration commitTime) implements Command {
    }

    private record ReconfFinished(int epoch) implements Command {
    }

    private record ReconfFailed(int epoch, String step, Throwable cause) implements Command {
    }

    private record ReconfTimeout(int id) implements Command {
    }

    /** Embedded mode: one SUB_PUNT's decisions, waiting for or under installation. */
    private record Install(EmbeddedController.Act act, long receivedNanos) {
    }

    /** Where an open session is in arbitration and set-up. */
    private enum Phase { ARBITRATING, BACKUP, SETTING_UP, READY }

    /** One StreamChannel and what rides on it; replaced, never changed in place. */
    private record Session(int epoch, P4RuntimeClient client, SwitchRpc rpc,
                           BoundedSourceQueue<StreamMessageRequest> requests, Phase phase,
                           InBandRegisterAccess inBand) {
        Session in(Phase next) {
            return new Session(epoch, client, rpc, requests, next, inBand);
        }

        Session with(SwitchRpc other) {
            return new Session(epoch, client, other, requests, phase, inBand);
        }

        boolean primary() {
            return phase == Phase.SETTING_UP || phase == Phase.READY;
        }
    }

    private static final int REQUEST_BUFFER = 1024;
    private static final Object ARQ_TIMER = "arq";
    private static final Object CONNECT_TIMER = "connect";
    private static final Object RECONF_TIMER = "reconfiguration";
    private static final Object FENCE_TIMER = "fence";
    /**
     * Settle time of the post-COMMIT fences: longer than a packet-in can lag behind one the switch
     * produced after it (see {@link Reconfiguration}).
     */
    private static final Duration SETTLE = Duration.ofMillis(50);
    /** Replay rounds before COMMIT at most; the fences repair what the last one missed. */
    private static final int MAX_REPLAY_ROUNDS = 4;
    /** Cells changed since the last replay below which the agent commits at once. */
    private static final int QUIET_REPLAY = 8;

    /** Where a State4 reconfiguration is; the steps before COMMIT run as piped futures. */
    private enum ReconfPhase { COPYING, AWAIT_COMMIT_FENCE, FENCING, CLEARING }

    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final AgentSettings settings;
    /**
     * The election ID this agent arbitrates and writes with: the configured one, raised when it
     * claims a role left without a primary (P4Runtime promotes nobody; see {@link #claim}).
     */
    private BigInteger electionId;
    private P4Entities entities;
    /** Set-ups failed in a row: the reconnection backoff grows with them. */
    private int setupFailures;
    private final Materializer materializer;
    private final int portCount;

    // What the agent knows of its switch; it outlives sessions so that a reconnect can restore it.
    /** Register mode: per state, the port mask last read or learned from packet-ins. */
    private final SortedMap<Integer, Long> masks = new TreeMap<>();
    /** Embedded mode: the local controller (null in register mode). */
    private EmbeddedController controller;
    private final SubRetransmissions arq;
    private final Deque<Install> installs = new ArrayDeque<>();
    private boolean installing;
    private AgentView.InstallTimes installTimes = AgentView.InstallTimes.NONE;
    private int baseRules;
    private int pipelinePushes;
    private int reconnects;
    private boolean everConnected;
    /** Tags each session's messages, so that those of an earlier session are recognised. */
    private int nextEpoch;
    private Optional<String> lastError = Optional.empty();
    private long errors;
    // State4 reconfiguration: at most one at a time.
    private Reconfiguration reconf;
    private ReconfPhase reconfPhase;
    private RegisterAccess reconfAccess;
    private SwitchRpc reconfRpc;
    private ActorRef<ReconfigurationReport> reconfReply;
    private Duration commitTime = Duration.ZERO;
    private int reconfIds;
    private Optional<ReconfigurationReport> lastReconfiguration = Optional.empty();
    /** A capacity automatic growth failed to reach: not tried again automatically. */
    private int growthFailedTo;

    private SwitchAgent(ActorContext<Command> context, TimerScheduler<Command> timers, AgentSettings settings) {
        this.context = context;
        this.timers = timers;
        this.settings = settings;
        this.electionId = settings.electionId();
        this.entities = P4Entities.of(settings.mode());
        this.materializer = Materializer.createMaterializer(context);
        this.arq = new SubRetransmissions(settings.arqTimeout(), settings.arqMaxTimeout(), settings.arqLimit());
        if (settings.mode() == StareProgram.Mode.REGISTER) {
            this.portCount = entities.statePortsWidth();
        } else {
            this.portCount = settings.embeddedPorts();
            this.controller = new EmbeddedController(portCount, settings.treePorts(), entities.stateTableSize());
        }
    }

    /** An agent for one switch; it connects at once. */
    public static Behavior<Command> create(AgentSettings settings) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            SwitchAgent agent = new SwitchAgent(context, timers, settings);
            context.getLog().info("agent for {} (device {}, election ID {}, {} mode) starting", settings.target(),
                    settings.deviceId(), settings.electionId(), settings.mode());
            return agent.connect(0);
        }));
    }

    // ---- waiting to connect ----------------------------------------------------------------

    /** No stream: the next attempt is {@code attempt} (its delay is already scheduled). */
    private Behavior<Command> waiting(int attempt) {
        return Behaviors.receive(Command.class)
                .onMessageEquals(Connect.INSTANCE, () -> connect(attempt))
                .onMessage(GetView.class, get -> replyView(get, null))
                .onMessage(Reconfigure.class, r -> refuse(r, "not connected"))
                // Messages of an ended session, and timers of its ARQ: nothing to do without a stream.
                .onAnyMessage(other -> Behaviors.same())
                .build();
    }

    private Behavior<Command> connect(int attempt) {
        int epoch = nextEpoch++;
        P4RuntimeClient client = P4RuntimeClient.create(GrpcClientSettings
                .connectToServiceAt(settings.host(), settings.port(), context.getSystem()).withTls(false),
                context.getSystem());
        Pair<BoundedSourceQueue<StreamMessageRequest>, Source<StreamMessageRequest, NotUsed>> requests =
                Source.<StreamMessageRequest>queue(REQUEST_BUFFER).preMaterialize(materializer);
        ActorRef<Command> self = context.getSelf();
        CompletionStage<Done> done = client.streamChannel(requests.second())
                .runWith(Sink.foreach(response -> self.tell(new StreamReceived(epoch, response))), materializer);
        context.pipeToSelf(done, (ok, failure) -> new StreamEnded(epoch,
                failure == null ? "the switch closed the stream" : describe(failure)));
        AgentSettings current = settings.withElectionId(electionId);
        requests.first().offer(StreamMessageRequest.newBuilder().setArbitration(SwitchRpc.arbitration(current)).build());
        SwitchRpc rpc = new SwitchRpc(client, current, entities, materializer);
        BoundedSourceQueue<StreamMessageRequest> queue = requests.first();
        InBandRegisterAccess inBand = new InBandRegisterAccess(packet -> QueueOfferResult.enqueued().equals(
                queue.offer(StreamMessageRequest.newBuilder().setPacket(packet).build())),
                settings.state4().inBandWindow(), settings.rpcTimeout());
        return session(new Session(epoch, client, rpc, queue, Phase.ARBITRATING, inBand), attempt);
    }

    // ---- session ---------------------------------------------------------------------------

    private Behavior<Command> session(Session s, int attempt) {
        return Behaviors.receive(Command.class)
                .onMessage(StreamReceived.class, m -> m.epoch() == s.epoch(), m -> onStreamMessage(s, m.response()))
                .onMessage(StreamEnded.class, m -> m.epoch() == s.epoch(), m -> onStreamEnded(s, attempt, m.reason()))
                .onMessage(SetupDone.class, m -> m.epoch() == s.epoch() && s.phase() == Phase.SETTING_UP,
                        m -> onSetupDone(s, m.result()))
                .onMessage(SetupFailed.class, m -> m.epoch() == s.epoch() && s.phase() == Phase.SETTING_UP,
                        m -> onSetupFailed(s, attempt, m.cause()))
                .onMessage(InstallDone.class, m -> m.epoch() == s.epoch() && s.phase() == Phase.READY,
                        m -> onInstallDone(s, m))
                .onMessageEquals(ArqTick.INSTANCE, () -> onArqTick(s))
                .onMessage(GetView.class, get -> replyView(get, s))
                .onMessage(Reconfigure.class, r -> onReconfigure(s, r))
                .onMessage(UseRegisters.class, u -> onUseRegisters(s, u))
                .onMessage(ReconfSnapshot.class, m -> m.epoch() == s.epoch() && reconf != null,
                        m -> onReconfSnapshot(s, m))
                .onMessage(ReconfCopied.class, m -> m.epoch() == s.epoch() && reconf != null, m -> onReconfCopied(s, m))
                .onMessage(ReconfCommitted.class, m -> m.epoch() == s.epoch() && reconf != null,
                        m -> onReconfCommitted(s, m))
                .onMessage(ReconfFinished.class, m -> m.epoch() == s.epoch() && reconf != null,
                        m -> onReconfFinished(s))
                .onMessage(ReconfFailed.class, m -> m.epoch() == s.epoch() && reconf != null,
                        m -> failReconfiguration(s, m.step() + ": " + describe(m.cause())))
                .onMessageEquals(FenceTick.INSTANCE, () -> {
                    if (reconf != null) {
                        sendFences(s);
                    }
                    return Behaviors.same();
                })
                .onMessage(ReconfTimeout.class, m -> m.id() == reconfIds && reconf != null,
                        m -> failReconfiguration(s, "timed out in phase " + reconfPhase))
                .onAnyMessage(stale -> Behaviors.same()) // from an earlier session
                .onSignal(PostStop.class, stop -> {
                    close(s);
                    return Behaviors.same();
                })
                .build();
    }

    private Behavior<Command> onStreamMessage(Session s, StreamMessageResponse response) {
        switch (response.getUpdateCase()) {
            case ARBITRATION -> {
                return onArbitration(s, response.getArbitration());
            }
            case PACKET -> {
                if (s.phase() == Phase.READY) {
                    P4Entities.packetIn(response.getPacket()).ifPresentOrElse(p -> onPacketIn(s, p),
                            () -> context.getLog().warn("{}: undecodable packet-in dropped", settings.target()));
                } else if (s.phase() == Phase.SETTING_UP) {
                    // The set-up may read or restore the state in-band (BMv2): only register answers.
                    P4Entities.packetIn(response.getPacket())
                            .filter(p -> p.header().reason() == CpuHeaders.Reason.REGISTER_VALUES)
                            .ifPresent(p -> s.inBand().onRegisterValues(p.header(), p.payload()));
                } else {
                    // Before the set-up is done the agent's knowledge is not the switch's yet; the
                    // senders of SUB messages retransmit, so the packet-in will come again.
                    context.getLog().debug("{}: packet-in before set-up dropped", settings.target());
                }
                return Behaviors.same();
            }
            case ERROR -> {
                String error = "stream error " + Status.Code.values()[Math.max(0, Math.min(
                        Status.Code.values().length - 1, response.getError().getCanonicalCode()))]
                        + ": " + response.getError().getMessage();
                context.getLog().warn("{}: {}", settings.target(), error);
                recordError(error);
                return Behaviors.same();
            }
            default -> {
                return Behaviors.same();
            }
        }
    }

    private Behavior<Command> onArbitration(Session s, MasterArbitrationUpdate update) {
        boolean primary = update.getStatus().getCode() == Status.Code.OK.value();
        if (s.phase() == Phase.ARBITRATING) {
            if (everConnected) {
                reconnects++;
            }
            everConnected = true;
            context.getLog().info("{}: connected as {}", settings.target(), primary ? "primary" : "backup");
        }
        if (!primary && update.getStatus().getCode() == Status.Code.NOT_FOUND.value() && update.hasElectionId()) {
            return claim(s, Uint128s.toBigInteger(update.getElectionId()));
        }
        if (primary && !s.primary()) {
            return startSetup(s.in(Phase.SETTING_UP));
        }
        if (!primary && s.primary()) {
            // The new primary repeats nothing it did not see; what this agent propagated is
            // dropped with its role (the subscribers' own ARQ covers their first hop only).
            context.getLog().info("{}: no longer primary", settings.target());
            stopServing();
            clearArq();
        }
        return session(primary ? s : s.in(Phase.BACKUP), 0);
    }

    /**
     * The role has no primary (it left, or lowered its ID) and the switch will promote nobody whose
     * ID is below the highest it has seen. Every backup claims {@code highest + its configured ID}:
     * distinct claims, so the backup with the highest configured ID ends up primary, as before the
     * primary left.
     */
    private Behavior<Command> claim(Session s, BigInteger highestSeen) {
        BigInteger claimed = highestSeen.add(settings.electionId());
        if (claimed.bitLength() > 128) {
            context.getLog().warn("{}: no primary, and no election ID above {} is left to claim", settings.target(),
                    highestSeen);
            return session(s.in(Phase.BACKUP), 0);
        }
        context.getLog().info("{}: no primary; claiming election ID {} (highest seen {} + own {})", settings.target(),
                claimed, highestSeen, settings.electionId());
        electionId = claimed;
        AgentSettings current = settings.withElectionId(claimed);
        s.requests().offer(StreamMessageRequest.newBuilder().setArbitration(SwitchRpc.arbitration(current)).build());
        return session(s.with(s.rpc().withSettings(current)).in(Phase.BACKUP), 0);
    }

    /** As a new primary: set the switch up with what the agent knows, then serve it. */
    private Behavior<Command> startSetup(Session s) {
        context.getLog().info("{}: primary; setting the switch up", settings.target());
        SortedMap<Integer, Long> known = settings.mode() == StareProgram.Mode.REGISTER
                ? new TreeMap<>(masks) : new TreeMap<>(controller.masks());
        context.pipeToSelf(s.rpc().setUp(known, s.inBand()), (result, failure) -> failure == null
                ? new SetupDone(s.epoch(), result) : new SetupFailed(s.epoch(), failure));
        return session(s, 0);
    }

    private Behavior<Command> onSetupDone(Session set, SwitchRpc.SetupResult result) {
        Session s = set;
        setupFailures = 0;
        if (result.pushed()) {
            pipelinePushes++;
        }
        if (result.entities() != entities) {
            // The switch runs a larger build (an earlier reconfiguration): carry on with it.
            context.getLog().info("{}: the switch runs the {}-state build; adopting it", settings.target(),
                    result.entities().stateCapacity());
            entities = result.entities();
            s = s.with(s.rpc().withEntities(entities));
        }
        baseRules = result.baseRules();
        if (settings.mode() == StareProgram.Mode.REGISTER) {
            masks.clear();
            masks.putAll(result.masks());
        } else if (!result.pushed()) {
            controller = EmbeddedRebuild.rebuild(portCount, settings.treePorts(), entities.stateTableSize(),
                    result.masks());
        }
        context.getLog().info("{}: {} the switch; {} states with subscribers", settings.target(),
                result.pushed() ? "pushed the pipeline to" : "adopted", result.masks().size());
        scheduleArq(); // resumes repetitions paused while the agent was away
        if (settings.mode() == StareProgram.Mode.REGISTER && settings.state4().keepCloneFlag()) {
            // Best effort: without it the agent learns only the changes that propagate.
            chooseAccess(s).thenCompose(access -> access.setCloneFlag(true)).whenComplete((ok, failure) -> {
                if (failure != null) {
                    context.getSystem().log().warn("{}: could not set clone_flag: {}", settings.target(),
                            describe(failure));
                }
            });
        }
        return session(s.in(Phase.READY), 0);
    }

    private Behavior<Command> onSetupFailed(Session s, int attempt, Throwable cause) {
        // Arbitration succeeds again at once, so the backoff must count failed set-ups, not attempts.
        setupFailures++;
        String error = "set-up failed: " + describe(cause);
        context.getLog().warn("{}: {}", settings.target(), error);
        recordError(error);
        return restart(s, Math.max(attempt, setupFailures - 1));
    }

    private Behavior<Command> onStreamEnded(Session s, int attempt, String reason) {
        context.getLog().info("{}: stream ended: {}", settings.target(), reason);
        recordError("stream ended: " + reason);
        return restart(s, attempt);
    }

    /** Ends the session and schedules the next connection attempt. */
    private Behavior<Command> restart(Session s, int attempt) {
        close(s);
        stopServing();
        Duration delay = settings.reconnectDelay(attempt);
        timers.startSingleTimer(CONNECT_TIMER, Connect.INSTANCE, delay);
        return waiting(attempt + 1);
    }

    private void close(Session s) {
        s.inBand().failAll("the session ended");
        if (reconf != null) {
            abortReconfiguration(Optional.of("the session ended during the reconfiguration"));
        }
        try {
            s.requests().complete();
        } catch (IllegalStateException alreadyDone) {
            // The stream had failed already.
        }
        s.client().close();
    }

    /**
     * No session, or not primary any more: drop the queued rule installations (their senders got
     * no SUB-ack and will retry). Outstanding ARQ entries are kept across a reconnection, paused
     * until the agent is ready again, because no one else would repeat them.
     */
    private void stopServing() {
        installs.clear();
        installing = false;
        timers.cancel(ARQ_TIMER);
    }

    private void clearArq() {
        arq.clear();
        timers.cancel(ARQ_TIMER);
    }

    // ---- packet-ins --------------------------------------------------------------------------

    private void onPacketIn(Session s, PacketInCodec.Received packet) {
        CpuHeaders.PacketIn header = packet.header();
        switch (header.reason()) {
            case SUB_PUNT -> onSubPunt(s, packet);
            case SUB_PROPAGATED -> onSubPropagated(s, packet);
            case STATE_CHANGED -> {
                learn((int) header.index(), header.value());
                onStateChange(s, packet);
            }
            case SUB_ACK -> onSubAck(packet);
            case REGISTER_VALUES -> onRegisterValues(s, packet);
        }
    }

    /**
     * A state change the switch reported (STATE_CHANGED, or SUB_PROPAGATED): feeds a running
     * reconfiguration, and may start an automatic growth.
     */
    private void onStateChange(Session s, PacketInCodec.Received packet) {
        CpuHeaders.PacketIn header = packet.header();
        int state = (int) header.index();
        if (reconf != null && header.ingressPort() < portCount) {
            SubFrames.header(packet.payload()).filter(SubFrames::isSubscription).ifPresent(stare ->
                    reconf.onClone(state, header.ingressPort(), stare.kind() == MessageKind.SUB_REGISTER,
                            System.nanoTime()));
        }
        maybeGrow(state);
    }

    /**
     * Automatic growth: a change at or above {@code growAt} of the capacity means the table is about
     * to run out (states are allocated upwards by the replica controller), so the agent moves to the
     * next larger shipped capacity before a state lands beyond it and is dropped as
     * STATE_OUT_OF_RANGE.
     */
    private void maybeGrow(int state) {
        double growAt = settings.state4().growAt();
        int capacity = entities.stateCapacity();
        if (growAt <= 0 || reconf != null || state < growAt * capacity) {
            return;
        }
        StarePrograms.REGISTER_CAPACITIES.stream().filter(c -> c > capacity).findFirst()
                .filter(next -> next != growthFailedTo)
                .ifPresent(next -> {
                    context.getLog().info("{}: state {} is at {}% of the capacity {}; growing to {}", settings.target(),
                            state, (int) (100.0 * state / capacity), capacity, next);
                    context.getSelf().tell(new Reconfigure(next, Reconfiguration.Strategy.STATE4, null));
                });
    }

    private void onRegisterValues(Session s, PacketInCodec.Received packet) {
        CpuHeaders.PacketIn header = packet.header();
        byte[] payload = packet.payload();
        if (reconf != null && reconfPhase == ReconfPhase.AWAIT_COMMIT_FENCE && header.index() == 0
                && header.count() == 1) {
            // Answered by the new pipeline: every packet-in of the old one came before it.
            reconf.startFences(System.nanoTime());
            reconfPhase = ReconfPhase.FENCING;
            timers.startTimerWithFixedDelay(FENCE_TIMER, FenceTick.INSTANCE, SETTLE.dividedBy(2));
            sendFences(s);
            return;
        }
        if (reconf != null && reconfPhase == ReconfPhase.FENCING && header.count() == 1 && payload.length >= 4
                && reconf.onFenceConfirmed((int) header.index(), Integer.toUnsignedLong(ByteBuffer.wrap(payload).getInt(0)),
                System.nanoTime())) {
            sendFences(s);
            return;
        }
        s.inBand().onRegisterValues(header, payload);
    }

    private void learn(int stateId, long mask) {
        if (mask == 0) {
            masks.remove(stateId);
        } else {
            masks.put(stateId, mask);
        }
    }

    /**
     * Register mode: the switch propagated a SUB message. {@code value} is the state's new mask,
     * so the old one is {@code new ^ bit(ingress)} and the propagation follows from the rule; the
     * copies the switch sent are the received frame with its TTL decremented.
     */
    private void onSubPropagated(Session s, PacketInCodec.Received packet) {
        CpuHeaders.PacketIn header = packet.header();
        int state = (int) header.index();
        learn(state, header.value());
        onStateChange(s, packet);
        Optional<StareHeader> stare = SubFrames.header(packet.payload());
        if (stare.isEmpty() || !SubFrames.isSubscription(stare.get()) || header.ingressPort() >= portCount) {
            return;
        }
        long old = header.value() ^ PortMask.bit(header.ingressPort());
        long propagation = Propagation.propagate(stare.get().kind(), old, header.ingressPort(), settings.treePorts(),
                PortMask.all(portCount));
        byte[] forwarded = SubFrames.forwarded(packet.payload());
        long now = System.nanoTime();
        for (int port : PortMask.ports(propagation)) {
            arq.sent(port, state, stare.get().updateNo(), stare.get().vnfId(), forwarded, now);
        }
        scheduleArq();
    }

    private void onSubAck(PacketInCodec.Received packet) {
        SubFrames.header(packet.payload()).ifPresent(ack -> {
            if (arq.acknowledged(packet.header().ingressPort(), ack.stateId(), ack.updateNo(), ack.vnfId())) {
                scheduleArq();
            }
        });
    }

    // ---- embedded mode ----------------------------------------------------------------------

    private void onSubPunt(Session s, PacketInCodec.Received packet) {
        if (controller == null) {
            return;
        }
        EmbeddedController.Reaction reaction = controller.onPacketIn(packet.header(), packet.payload());
        if (reaction instanceof EmbeddedController.Act act) {
            installs.add(new Install(act, System.nanoTime()));
            installNext(s);
        } else {
            context.getLog().debug("{}: SUB_PUNT ignored: {}", settings.target(),
                    ((EmbeddedController.Ignore) reaction).reason());
        }
    }

    /** Starts writing the next installation's decisions, one Write each, in order. */
    private void installNext(Session s) {
        if (installing || installs.isEmpty()) {
            return;
        }
        installing = true;
        Install install = installs.peek();
        CompletionStage<Integer> chain = CompletableFuture.completedFuture(0);
        for (EmbeddedController.Decision decision : install.act().decisions()) {
            Optional<Update> update = toUpdate(decision);
            if (update.isPresent()) {
                chain = chain.thenCompose(n -> s.rpc().write(List.of(update.get())));
            }
        }
        context.pipeToSelf(chain, (n, failure) -> new InstallDone(s.epoch(), install, Optional.ofNullable(failure)));
    }

    private Optional<Update> toUpdate(EmbeddedController.Decision decision) {
        if (decision instanceof EmbeddedController.InsertGroup g) {
            return Optional.of(SwitchRpc.update(Update.Type.INSERT, P4Entities.multicastGroup(g.groupId(), g.groupId())));
        } else if (decision instanceof EmbeddedController.DeleteGroup g) {
            return Optional.of(SwitchRpc.update(Update.Type.DELETE, P4Entities.multicastGroup(g.groupId(), 0)));
        } else if (decision instanceof EmbeddedController.InsertEntry e) {
            return Optional.of(SwitchRpc.update(Update.Type.INSERT, entities.stateForwarding(e.stateId(), e.groupId())));
        } else if (decision instanceof EmbeddedController.ModifyEntry e) {
            return Optional.of(SwitchRpc.update(Update.Type.MODIFY, entities.stateForwarding(e.stateId(), e.groupId())));
        } else if (decision instanceof EmbeddedController.DeleteEntry e) {
            return Optional.of(SwitchRpc.update(Update.Type.DELETE, entities.stateForwardingDelete(e.stateId())));
        }
        return Optional.empty(); // a Transmit: sent once the writes are acknowledged
    }

    private Behavior<Command> onInstallDone(Session s, InstallDone done) {
        installing = false;
        installs.poll();
        if (done.failure().isPresent()) {
            // The controller is now ahead of the switch: set up again, which reads the switch's
            // table back and rebuilds the controller from it. Pending SUB messages are retried by
            // their senders, who got no SUB-ack.
            String error = "rule installation failed: " + describe(done.failure().get());
            context.getLog().warn("{}: {}", settings.target(), error);
            recordError(error);
            stopServing();
            return startSetup(s.in(Phase.SETTING_UP));
        }
        EmbeddedController.Act act = done.install().act();
        installTimes = installTimes.plus(Duration.ofNanos(System.nanoTime() - done.install().receivedNanos()));
        long now = System.nanoTime();
        Optional<StareHeader> stare = Optional.empty();
        for (EmbeddedController.Decision decision : act.decisions()) {
            if (decision instanceof EmbeddedController.Transmit t) {
                send(s, P4Entities.forward(t.port(), t.frame()));
                if (t.port() != act.ingressPort()) {
                    if (stare.isEmpty()) {
                        stare = SubFrames.header(t.frame());
                    }
                    stare.ifPresent(h -> arq.sent(t.port(), act.stateId(), h.updateNo(), h.vnfId(), t.frame(), now));
                }
            }
        }
        scheduleArq();
        installNext(s);
        return Behaviors.same();
    }

    // ---- State4 reconfiguration ----------------------------------------------------------------

    private Behavior<Command> refuse(Reconfigure r, String why) {
        if (r.replyTo() != null) {
            r.replyTo().tell(new ReconfigurationReport(r.strategy(), RegisterAccess.Kind.P4RUNTIME,
                    entities.stateCapacity(), r.capacity(), 0, 0, 0, 0, Duration.ZERO, Duration.ZERO, Optional.of(why)));
        }
        return Behaviors.same();
    }

    private Behavior<Command> onReconfigure(Session s, Reconfigure r) {
        if (settings.mode() != StareProgram.Mode.REGISTER) {
            return refuse(r, "only the register program has a state table to reconfigure");
        }
        if (s.phase() != Phase.READY) {
            return refuse(r, "not the ready primary");
        }
        if (reconf != null) {
            return refuse(r, "a reconfiguration is already under way");
        }
        P4Entities target;
        try {
            target = P4Entities.of(StareProgram.Mode.REGISTER, r.capacity());
        } catch (IllegalArgumentException e) {
            return refuse(r, e.getMessage());
        }
        context.getLog().info("{}: reconfiguring ({}) from capacity {} to {}", settings.target(), r.strategy(),
                entities.stateCapacity(), r.capacity());
        reconf = new Reconfiguration(r.strategy(), entities.stateCapacity(), r.capacity(), System.nanoTime(),
                SETTLE.toNanos());
        reconfPhase = ReconfPhase.COPYING;
        reconfReply = r.replyTo();
        reconfRpc = s.rpc().withEntities(target);
        commitTime = Duration.ZERO;
        timers.startSingleTimer(RECONF_TIMER, new ReconfTimeout(++reconfIds), settings.rpcTimeout().multipliedBy(6));
        boolean clone = r.strategy() == Reconfiguration.Strategy.STATE4;
        int capacity = entities.stateCapacity();
        CompletionStage<ReconfSnapshot> snapshot = chooseAccess(s).thenCompose(access -> {
            CompletionStage<Void> flag = clone ? access.setCloneFlag(true) : CompletableFuture.completedFuture(null);
            return flag.thenCompose(done -> access.read(0, capacity))
                    .thenApply(cells -> new ReconfSnapshot(s.epoch(), access, cells));
        });
        context.pipeToSelf(snapshot, (m, failure) -> failure == null ? m
                : new ReconfFailed(s.epoch(), "reading the state", failure));
        return Behaviors.same();
    }

    /** The configured access; {@code auto} probes P4Runtime and falls back on UNIMPLEMENTED (BMv2). */
    private CompletionStage<RegisterAccess> chooseAccess(Session s) {
        P4RuntimeRegisterAccess p4Runtime = new P4RuntimeRegisterAccess(s.rpc());
        return switch (settings.state4().registerAccess()) {
            case P4RUNTIME -> CompletableFuture.completedFuture(p4Runtime);
            case IN_BAND -> CompletableFuture.completedFuture(s.inBand());
            case AUTO -> p4Runtime.read(0, 1).handle((cells, failure) -> {
                if (failure == null) {
                    return (RegisterAccess) p4Runtime;
                }
                if (Status.fromThrowable(failure).getCode() == Status.Code.UNIMPLEMENTED) {
                    return s.inBand();
                }
                throw new CompletionException(failure);
            });
        };
    }

    /** Saves the new pipeline and copies the base entities and (where writes reach it) the cells into it. */
    private Behavior<Command> onReconfSnapshot(Session s, ReconfSnapshot m) {
        reconfAccess = m.access();
        reconf.snapshot(m.cells());
        boolean clone = reconf.strategy() == Reconfiguration.Strategy.STATE4;
        SwitchRpc rpc = reconfRpc;
        CompletionStage<?> copied;
        if (reconfAccess.reachesSavedPipeline()) {
            SortedMap<Integer, Long> cells = reconf.copyPlan();
            RegisterAccess saved = new P4RuntimeRegisterAccess(rpc);
            copied = rpc.save().thenCompose(ok -> rpc.installBase(false)).thenCompose(n -> saved.write(cells))
                    // The new pipeline clones from its first packet, so nothing between COMMIT and
                    // the commit fence goes unseen.
                    .thenCompose(n -> clone ? saved.setCloneFlag(true) : CompletableFuture.completedFuture(null));
        } else {
            reconf.copyAfterCommit();
            // The in-band path is BMv2's, whose replication engine outlives the pipeline change:
            // the old groups are removed first, or the new ones would double every copy.
            copied = s.rpc().deleteMaskGroups().thenCompose(n -> rpc.save()).thenCompose(ok -> rpc.installBase(false));
        }
        context.pipeToSelf(copied, (ok, failure) -> failure == null ? new ReconfCopied(s.epoch(), 0)
                : new ReconfFailed(s.epoch(), "saving the new pipeline", failure));
        return Behaviors.same();
    }

    /** Replays the changes cloned since the last write (look-ahead), then COMMITs once they are few. */
    private Behavior<Command> onReconfCopied(Session s, ReconfCopied m) {
        boolean replay = reconf.strategy() == Reconfiguration.Strategy.STATE4 && reconfAccess.reachesSavedPipeline();
        SortedMap<Integer, Long> plan = replay ? reconf.replayPlan() : new TreeMap<>();
        RegisterAccess saved = new P4RuntimeRegisterAccess(reconfRpc);
        CompletionStage<Integer> written = plan.isEmpty() ? CompletableFuture.completedFuture(0) : saved.write(plan);
        if (plan.size() > QUIET_REPLAY && m.round() < MAX_REPLAY_ROUNDS) {
            context.pipeToSelf(written, (n, failure) -> failure == null ? new ReconfCopied(s.epoch(), m.round() + 1)
                    : new ReconfFailed(s.epoch(), "replaying cloned changes", failure));
            return Behaviors.same();
        }
        SwitchRpc rpc = reconfRpc;
        CompletionStage<Duration> committed = written.thenCompose(n -> {
            long sent = System.nanoTime();
            return rpc.commit().thenApply(ok -> Duration.ofNanos(System.nanoTime() - sent));
        });
        context.pipeToSelf(committed, (took, failure) -> failure == null ? new ReconfCommitted(s.epoch(), took)
                : new ReconfFailed(s.epoch(), "COMMIT", failure));
        return Behaviors.same();
    }

    /** The new pipeline runs: the agent now speaks its program; repair what COMMIT overtook. */
    private Behavior<Command> onReconfCommitted(Session s, ReconfCommitted m) {
        commitTime = m.commitTime();
        entities = reconfRpc.entities();
        Session next = s.with(reconfRpc);
        pipelinePushes++;
        if (reconf.strategy() != Reconfiguration.Strategy.STATE4) {
            finishReconfiguration(Optional.empty());
            return session(next, 0);
        }
        if (!reconfAccess.reachesSavedPipeline()) {
            send(next, InBandRegisterAccess.cloneFlagPacket(true));
        }
        // The commit fence: its answer comes from the new pipeline, after every old packet-in.
        reconfPhase = ReconfPhase.AWAIT_COMMIT_FENCE;
        send(next, InBandRegisterAccess.readPacket(0, 1));
        return session(next, 0);
    }

    /** Sends fence writes while the window allows; clears the flag once all are confirmed. */
    private void sendFences(Session s) {
        Optional<java.util.Map.Entry<Integer, Long>> fence;
        while ((fence = reconf.nextFence(settings.state4().inBandWindow())).isPresent()) {
            send(s, InBandRegisterAccess.writePacket(fence.get().getKey(), fence.get().getValue()));
        }
        if (reconfPhase == ReconfPhase.FENCING && reconf.fencesDone(System.nanoTime())) {
            reconfPhase = ReconfPhase.CLEARING;
            timers.cancel(FENCE_TIMER);
            if (settings.state4().keepCloneFlag()) {
                context.getSelf().tell(new ReconfFinished(s.epoch())); // the new pipeline keeps cloning
                return;
            }
            RegisterAccess access = reconfAccess.kind() == RegisterAccess.Kind.IN_BAND ? s.inBand()
                    : new P4RuntimeRegisterAccess(s.rpc());
            context.pipeToSelf(access.setCloneFlag(false), (ok, failure) -> failure == null
                    ? new ReconfFinished(s.epoch()) : new ReconfFailed(s.epoch(), "clearing clone_flag", failure));
        }
    }

    private Behavior<Command> onReconfFinished(Session s) {
        finishReconfiguration(Optional.empty());
        return Behaviors.same();
    }

    private void finishReconfiguration(Optional<String> failure) {
        // The agent's knowledge becomes the exact table (the naive way: what it copied).
        masks.clear();
        masks.putAll(reconf.values());
        abortReconfiguration(failure);
    }

    private Behavior<Command> failReconfiguration(Session s, String why) {
        context.getLog().warn("{}: reconfiguration failed: {}", settings.target(), why);
        recordError("reconfiguration failed: " + why);
        growthFailedTo = reconf.toCapacity();
        boolean committed = reconfPhase != ReconfPhase.COPYING;
        abortReconfiguration(Optional.of(why));
        if (!settings.state4().keepCloneFlag()) {
            // Best effort: stop cloning on whichever pipeline runs now (in-band if P4Runtime cannot).
            new P4RuntimeRegisterAccess(s.rpc()).setCloneFlag(false).exceptionally(e -> {
                s.inBand().setCloneFlag(false);
                return null;
            });
        }
        if (committed) {
            // The new pipeline may be missing changes: set it up again from what the agent knows.
            stopServing();
            return startSetup(s.in(Phase.SETTING_UP));
        }
        return Behaviors.same();
    }

    /** Ends the running reconfiguration, reporting it. */
    private void abortReconfiguration(Optional<String> failure) {
        ReconfigurationReport report = reconf.report(reconfAccess == null ? RegisterAccess.Kind.P4RUNTIME
                : reconfAccess.kind(), commitTime, System.nanoTime(), failure);
        lastReconfiguration = Optional.of(report);
        context.getLog().info("{}: reconfiguration {}: {}", settings.target(), failure.isEmpty() ? "done" : "failed",
                report);
        if (reconfReply != null) {
            reconfReply.tell(report);
        }
        timers.cancel(RECONF_TIMER);
        timers.cancel(FENCE_TIMER);
        reconf = null;
        reconfPhase = null;
        reconfAccess = null;
        reconfRpc = null;
        reconfReply = null;
    }

    private Behavior<Command> onUseRegisters(Session s, UseRegisters u) {
        RegisterAccess access = u.kind() == RegisterAccess.Kind.IN_BAND ? s.inBand() : new P4RuntimeRegisterAccess(s.rpc());
        u.job().apply(access).whenComplete((value, failure) -> u.replyTo().tell(
                failure != null ? failure : value == null ? Done.getInstance() : value));
        return Behaviors.same();
    }

    // ---- ARQ -------------------------------------------------------------------------------

    private Behavior<Command> onArqTick(Session s) {
        if (s.phase() != Phase.READY) {
            return Behaviors.same();
        }
        SubRetransmissions.Due due = arq.poll(System.nanoTime());
        for (SubRetransmissions.Resend resend : due.resend()) {
            send(s, P4Entities.forward(resend.port(), resend.frame()));
        }
        for (SubRetransmissions.Key key : due.abandoned()) {
            String error = "no SUB-ack from the neighbour on port " + key.port() + " for state " + key.stateId()
                    + " after " + settings.arqLimit() + " retransmissions";
            context.getLog().warn("{}: {}", settings.target(), error);
            recordError(error);
        }
        scheduleArq();
        return Behaviors.same();
    }

    /** Keeps one timer at the earliest ARQ deadline. */
    private void scheduleArq() {
        OptionalLong next = arq.nextDeadline();
        if (next.isEmpty()) {
            timers.cancel(ARQ_TIMER);
        } else {
            long delay = Math.max(0, next.getAsLong() - System.nanoTime());
            timers.startSingleTimer(ARQ_TIMER, ArqTick.INSTANCE, Duration.ofNanos(delay));
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    private void send(Session s, PacketOut packet) {
        QueueOfferResult result = s.requests().offer(StreamMessageRequest.newBuilder().setPacket(packet).build());
        if (!QueueOfferResult.enqueued().equals(result)) {
            context.getLog().warn("{}: packet-out not sent: {}", settings.target(), result);
        }
    }

    private Behavior<Command> replyView(GetView get, Session s) {
        boolean connected = s != null && s.phase() != Phase.ARBITRATING;
        SortedMap<Integer, Long> subscriptions = settings.mode() == StareProgram.Mode.REGISTER
                ? masks : controller.masks();
        int rules = settings.mode() == StareProgram.Mode.REGISTER ? baseRules
                : subscriptions.size() + (int) subscriptions.values().stream().distinct().count();
        get.replyTo().tell(new AgentView(settings.target(), settings.mode(), connected, s != null && s.primary(),
                s != null && s.phase() == Phase.READY, pipelinePushes, rules, subscriptions, installTimes,
                arq.counters(), reconnects, lastError,
                settings.mode() == StareProgram.Mode.REGISTER ? entities.stateCapacity() : 0, reconf != null,
                lastReconfiguration, errors));
        return Behaviors.same();
    }

    /** A failure the agent saw: kept as the view's last error and counted. */
    private void recordError(String error) {
        lastError = Optional.of(error);
        errors++;
    }

    private static String describe(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        String message = cause.getMessage();
        return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
