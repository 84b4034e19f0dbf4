package io.stare.actors.agent;

import io.stare.actors.arq.SubRetransmissions;
import io.stare.p4.pipeline.EmbeddedController;
import io.stare.p4.program.StareProgram;
import io.stare.p4.program.StarePrograms;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import p4.v1.PacketOut;

/**
 * The control plane of one switch, over P4Runtime (the same code against BMv2 and the software
 * switch). The agent supervises one {@link StreamSession} at a time, which opens the StreamChannel,
 * arbitrates, sets the switch up as primary and serves its CPU port; when the session ends (switch
 * restarted, connection lost, set-up failed) the agent opens the next one after a
 * {@link ReconnectBackoff bounded exponential backoff}. What outlives a session is the agent's:
 *
 * <ul>
 *   <li><b>Knowledge of the switch</b>, which a new primary session restores: register mode, each
 *       state's port mask, learned from SUB_PROPAGATED and STATE_CHANGED packet-ins; embedded mode,
 *       the {@link EmbeddedController}, which decides on SUB_PUNT packet-ins (the session installs
 *       its decisions in order, make before break, and acks only then).</li>
 *   <li><b>The switch-to-switch ARQ</b> ({@link SubRetransmissions}): a propagated SUB message is
 *       repeated on its tree port until the neighbour's SUB-ack comes back, or the limit is hit.
 *       Its entries are kept across a reconnection and paused while no session is ready, because
 *       no one else would repeat them; they are dropped with the primary role.</li>
 *   <li><b>Counters, the last error and the last reconfiguration</b>, answered as the
 *       {@link AgentView}.</li>
 * </ul>
 *
 * A State4 reconfiguration ({@link Reconfigure}) runs as a {@link ReconfigurationRun} under the
 * session. The agent never blocks.
 *
 * <p>Why above 400 lines: its public protocol and the session's reports take about a third; the
 * rest is one short handler per report, applying the decisions of {@link SubRetransmissions},
 * {@link ReconnectBackoff} and the {@code EmbeddedController}, which outlive any one session.
 */
public final class SwitchAgent extends AbstractBehavior<SwitchAgent.Command> {

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

    private record FromSession(StreamSession.Report report) implements Command {
    }

    /** The session stopped; after its {@link StreamSession.Ended}, unless it failed. */
    private record SessionStopped(ActorRef<StreamSession.Command> session) implements Command {
    }

    private static final Object ARQ_TIMER = "arq";
    private static final Object CONNECT_TIMER = "connect";

    private final TimerScheduler<Command> timers;
    private final AgentSettings settings;
    private final LongSupplier nanos;
    private final ActorRef<StreamSession.Report> reports;
    private final ReconnectBackoff backoff;
    private final int portCount;
    /**
     * The election ID this agent arbitrates and writes with: the configured one, raised when a
     * session claims a role left without a primary.
     */
    private BigInteger electionId;
    /** The program the switch runs (a larger register build after a reconfiguration). */
    private P4Entities entities;
    /** Register mode: per state, the port mask last read or learned from packet-ins. */
    private final SortedMap<Integer, Long> masks = new TreeMap<>();
    /** Embedded mode: the local controller (null in register mode). */
    private EmbeddedController controller;
    private final SubRetransmissions arq;
    private AgentView.InstallTimes installTimes = AgentView.InstallTimes.NONE;
    private int baseRules;
    private int pipelinePushes;
    private int reconnects;
    private boolean everConnected;
    private Optional<String> lastError = Optional.empty();
    private long errors;
    private boolean reconfiguring;
    private Optional<ReconfigurationReport> lastReconfiguration = Optional.empty();
    /** A capacity automatic growth failed to reach: not tried again automatically. */
    private int growthFailedTo;
    /** The current session and its phase; null between sessions. */
    private ActorRef<StreamSession.Command> session;
    private StreamSession.Phase phase;
    private int sessions;

    private SwitchAgent(ActorContext<Command> context, TimerScheduler<Command> timers, AgentSettings settings,
                        LongSupplier nanos) {
        super(context);
        this.timers = timers;
        this.settings = settings;
        this.nanos = nanos;
        this.reports = context.messageAdapter(StreamSession.Report.class, FromSession::new);
        this.backoff = new ReconnectBackoff(settings.reconnectMin(), settings.reconnectMax());
        this.electionId = settings.electionId();
        this.entities = P4Entities.of(settings.mode());
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
        return create(settings, System::nanoTime);
    }

    /** An agent whose ARQ, install times and reconfigurations run on the {@code nanos} clock. */
    static Behavior<Command> create(AgentSettings settings, LongSupplier nanos) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            context.getLog().info("agent for {} (device {}, election ID {}, {} mode) starting", settings.target(),
                    settings.deviceId(), settings.electionId(), settings.mode());
            SwitchAgent agent = new SwitchAgent(context, timers, settings, nanos);
            agent.connect();
            return agent;
        }));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
                .onMessageEquals(Connect.INSTANCE, this::connect)
                .onMessage(GetView.class, this::onGetView)
                .onMessage(Reconfigure.class, this::onReconfigure)
                .onMessage(UseRegisters.class, this::onUseRegisters)
                .onMessageEquals(ArqTick.INSTANCE, this::onArqTick)
                .onMessage(FromSession.class, m -> onReport(m.report()))
                .onMessage(SessionStopped.class, this::onSessionStopped)
                .build();
    }

    // ---- sessions --------------------------------------------------------------------------------

    private Behavior<Command> connect() {
        session = getContext().spawn(StreamSession.create(settings, electionId, entities, portCount, reports, nanos),
                "session-" + ++sessions);
        getContext().watchWith(session, new SessionStopped(session));
        phase = StreamSession.Phase.ARBITRATING;
        return this;
    }

    /** Ended sessions have told their end already; one that stopped without it failed. */
    private Behavior<Command> onSessionStopped(SessionStopped m) {
        if (m.session().equals(session)) {
            return onEnded(new StreamSession.Ended("stream ended: the session stopped unexpectedly", false));
        }
        return this;
    }

    private Behavior<Command> onEnded(StreamSession.Ended m) {
        if (m.setupFailed()) {
            getContext().getLog().warn("{}: {}", settings.target(), m.error());
        } else {
            getContext().getLog().info("{}: {}", settings.target(), m.error());
        }
        recordError(m.error());
        session = null;
        phase = null;
        timers.cancel(ARQ_TIMER);
        Duration delay = m.setupFailed() ? backoff.setupFailed() : backoff.streamEnded();
        timers.startSingleTimer(CONNECT_TIMER, Connect.INSTANCE, delay);
        return this;
    }

    private Behavior<Command> onReport(StreamSession.Report report) {
        if (report instanceof StreamSession.PhaseChanged m) {
            onPhaseChanged(m.phase());
        } else if (report instanceof StreamSession.Claimed m) {
            electionId = m.electionId();
        } else if (report instanceof StreamSession.SetUpWanted) {
            session.tell(new StreamSession.SetUp(known()));
        } else if (report instanceof StreamSession.SetUpDone m) {
            onSetUpDone(m.result());
        } else if (report instanceof StreamSession.Learned m) {
            learn(m.stateId(), m.mask());
            maybeGrow(m.stateId());
        } else if (report instanceof StreamSession.Forwarded m) {
            long now = nanos.getAsLong();
            m.copies().forEach(copy -> arq.sent(copy, now));
            scheduleArq();
        } else if (report instanceof StreamSession.Acked m) {
            if (arq.acknowledged(m.port(), m.stateId(), m.updateNo(), m.vnfId())) {
                scheduleArq();
            }
        } else if (report instanceof StreamSession.Punted m) {
            onPunted(m);
        } else if (report instanceof StreamSession.Installed m) {
            installTimes = installTimes.plus(m.took());
        } else if (report instanceof StreamSession.PipelineChanged m) {
            entities = m.entities();
            pipelinePushes++;
        } else if (report instanceof StreamSession.Reconfiguring) {
            reconfiguring = true;
        } else if (report instanceof StreamSession.Reconfigured m) {
            onReconfigured(m);
        } else if (report instanceof StreamSession.ErrorSeen m) {
            recordError(m.error());
        } else if (report instanceof StreamSession.Ended m) {
            return onEnded(m);
        }
        return this;
    }

    private void onPhaseChanged(StreamSession.Phase next) {
        StreamSession.Phase before = phase;
        phase = next;
        if (before == StreamSession.Phase.ARBITRATING) { // the switch answered: the connection works
            backoff.arbitrated();
            if (everConnected) {
                reconnects++;
            }
            everConnected = true;
        }
        if (next != StreamSession.Phase.READY) {
            timers.cancel(ARQ_TIMER); // paused while not serving
        }
        if (before != null && before.primary() && next == StreamSession.Phase.BACKUP) {
            // The new primary repeats nothing it did not see; what this agent propagated is
            // dropped with its role (the subscribers' own ARQ covers their first hop only).
            arq.clear();
        }
        if (next == StreamSession.Phase.READY) {
            scheduleArq(); // resumes repetitions paused while the agent was away
        }
    }

    /** What a new primary restores. */
    private SortedMap<Integer, Long> known() {
        return settings.mode() == StareProgram.Mode.REGISTER ? new TreeMap<>(masks) : new TreeMap<>(controller.masks());
    }

    private void onSetUpDone(SwitchRpc.SetupResult result) {
        backoff.setUp();
        if (result.pushed()) {
            pipelinePushes++;
        }
        entities = result.entities();
        baseRules = result.baseRules();
        if (settings.mode() == StareProgram.Mode.REGISTER) {
            masks.clear();
            masks.putAll(result.masks());
        } else if (!result.pushed()) {
            controller = EmbeddedRebuild.rebuild(portCount, settings.treePorts(), entities.stateTableSize(),
                    result.masks());
        }
    }

    // ---- knowledge -------------------------------------------------------------------------------

    private void learn(int stateId, long mask) {
        if (mask == 0) {
            masks.remove(stateId);
        } else {
            masks.put(stateId, mask);
        }
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
        if (growAt <= 0 || reconfiguring || state < growAt * capacity) {
            return;
        }
        StarePrograms.REGISTER_CAPACITIES.stream().filter(c -> c > capacity).findFirst()
                .filter(next -> next != growthFailedTo)
                .ifPresent(next -> {
                    getContext().getLog().info("{}: state {} is at {}% of the capacity {}; growing to {}",
                            settings.target(), state, (int) (100.0 * state / capacity), capacity, next);
                    getContext().getSelf().tell(new Reconfigure(next, Reconfiguration.Strategy.STATE4, null));
                });
    }

    /** Embedded mode: the controller decides; the session installs. */
    private void onPunted(StreamSession.Punted m) {
        if (controller == null) {
            return;
        }
        EmbeddedController.Reaction reaction = controller.onPacketIn(m.header(), m.payload());
        if (reaction instanceof EmbeddedController.Act act) {
            session.tell(new StreamSession.Install(act, m.receivedNanos()));
        } else {
            getContext().getLog().debug("{}: SUB_PUNT ignored: {}", settings.target(),
                    ((EmbeddedController.Ignore) reaction).reason());
        }
    }

    // ---- reconfiguration and register access ---------------------------------------------------

    private Behavior<Command> onReconfigure(Reconfigure r) {
        if (session != null) {
            session.tell(new StreamSession.Reconfigure(r));
        } else if (r.replyTo() != null) {
            r.replyTo().tell(ReconfigurationRun.refused(r, entities.stateCapacity(), "not connected"));
        }
        return this;
    }

    private void onReconfigured(StreamSession.Reconfigured m) {
        reconfiguring = false;
        lastReconfiguration = Optional.of(m.report());
        // Done: the agent's knowledge becomes the exact table (the naive way: what it copied).
        m.exact().ifPresent(exact -> {
            masks.clear();
            masks.putAll(exact);
        });
        if (!m.aborted() && m.report().failure().isPresent()) {
            recordError("reconfiguration failed: " + m.report().failure().get());
            growthFailedTo = m.report().toCapacity();
        }
    }

    private Behavior<Command> onUseRegisters(UseRegisters u) {
        if (session != null) { // without a session there is no register access: no answer
            session.tell(new StreamSession.UseRegisters(u));
        }
        return this;
    }

    // ---- ARQ -------------------------------------------------------------------------------------

    private Behavior<Command> onArqTick() {
        if (phase != StreamSession.Phase.READY) {
            return this;
        }
        SubRetransmissions.Due due = arq.poll(nanos.getAsLong());
        if (!due.resend().isEmpty()) {
            session.tell(new StreamSession.Repeat(due.resend().stream()
                    .map(resend -> P4Entities.forward(resend.port(), resend.frame())).toList()));
        }
        for (SubRetransmissions.Key key : due.abandoned()) {
            String error = "no SUB-ack from the neighbour on port " + key.port() + " for state " + key.stateId()
                    + " after " + settings.arqLimit() + " retransmissions";
            getContext().getLog().warn("{}: {}", settings.target(), error);
            recordError(error);
        }
        scheduleArq();
        return this;
    }

    /** Keeps one timer at the earliest ARQ deadline. */
    private void scheduleArq() {
        OptionalLong next = arq.nextDeadline();
        if (next.isEmpty()) {
            timers.cancel(ARQ_TIMER);
        } else {
            long delay = Math.max(0, next.getAsLong() - nanos.getAsLong());
            timers.startSingleTimer(ARQ_TIMER, ArqTick.INSTANCE, Duration.ofNanos(delay));
        }
    }

    // ---- the view --------------------------------------------------------------------------------

    private Behavior<Command> onGetView(GetView get) {
        boolean register = settings.mode() == StareProgram.Mode.REGISTER;
        SortedMap<Integer, Long> subscriptions = register ? masks : controller.masks();
        int rules = register ? baseRules
                : subscriptions.size() + (int) subscriptions.values().stream().distinct().count();
        get.replyTo().tell(new AgentView(settings.target(), settings.mode(),
                phase != null && phase != StreamSession.Phase.ARBITRATING, phase != null && phase.primary(),
                phase == StreamSession.Phase.READY, pipelinePushes, rules, subscriptions, installTimes,
                arq.counters(), reconnects, lastError, register ? entities.stateCapacity() : 0, reconfiguring,
                lastReconfiguration, errors));
        return this;
    }

    /** A failure the agent saw: kept as the view's last error and counted. */
    private void recordError(String error) {
        lastError = Optional.of(error);
        errors++;
    }
}
