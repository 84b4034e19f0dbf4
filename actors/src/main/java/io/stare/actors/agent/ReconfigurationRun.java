package io.stare.actors.agent;

import io.grpc.Status;
import io.stare.p4.pipeline.CpuHeaders;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import p4.v1.PacketOut;

/**
 * One State4 reconfiguration of a register-mode switch (one {@link SwitchAgent.Reconfigure}): a
 * child of the {@link StreamSession} whose stream it needs, since its fences are packet-outs and
 * their confirmations packet-ins. It drives the steps {@link Reconfiguration} describes (and
 * keeps the bookkeeping in), answers with a {@link ReconfigurationReport} and stops. The session
 * feeds it the state changes the switch clones and every REGISTER_VALUES packet-in; it hands those
 * it does not use to the in-band register access.
 *
 * <p>If its session ends first the run stops with it, and its report says so.
 */
final class ReconfigurationRun {

    /** What the session tells a run. */
    sealed interface Command {
    }

    /** A cell change the switch reported while cloning (STATE_CHANGED or SUB_PROPAGATED). */
    record Cloned(int stateId, int port, boolean register, long nanos) implements Command {
    }

    /** A REGISTER_VALUES packet-in, in stream order with the clones. */
    record RegisterValues(CpuHeaders.PacketIn header, byte[] payload, long nanos) implements Command {
    }

    /** The session has the run's result: stop (sent after the packet-ins it forwarded). */
    enum Stop implements Command { INSTANCE }

    // The steps before COMMIT run as futures piped back to the run.
    private record Snapshot(RegisterAccess access, long[] cells) implements Command {
    }

    private record Copied(int round) implements Command {
    }

    private record Committed(Duration commitTime) implements Command {
    }

    private enum Finished implements Command { INSTANCE }

    private record Failed(String step, Throwable cause) implements Command {
    }

    private enum Timeout implements Command { INSTANCE }

    private enum FenceTick implements Command { INSTANCE }

    /** Where the run is; the steps before COMMIT run as piped futures. */
    private enum Phase { COPYING, AWAIT_COMMIT_FENCE, FENCING, CLEARING }

    private static final Object TIMEOUT_TIMER = "timeout";
    private static final Object FENCE_TIMER = "fence";
    /**
     * Settle time of the post-COMMIT fences: longer than a packet-in can lag behind one the switch
     * produced after it (see {@link Reconfiguration}).
     */
    private static final Duration SETTLE = Duration.ofMillis(50);
    /** Replay rounds before COMMIT at most; the fences repair what the last one missed. */
    private static final int MAX_REPLAY_ROUNDS = 4;
    /** Cells changed since the last replay below which the run commits at once. */
    private static final int QUIET_REPLAY = 8;

    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final AgentSettings settings;
    private final SwitchAgent.Reconfigure request;
    private final ActorRef<StreamSession.Command> session;
    private final ActorRef<StreamSession.Report> agent;
    private final SwitchRpc running;
    private final SwitchRpc target;
    private final InBandRegisterAccess inBand;
    private final LongSupplier nanos;
    private final Reconfiguration reconf;
    private Phase phase = Phase.COPYING;
    private RegisterAccess access;
    private Duration commitTime = Duration.ZERO;
    private boolean reported;

    private ReconfigurationRun(ActorContext<Command> context, TimerScheduler<Command> timers, AgentSettings settings,
                               SwitchAgent.Reconfigure request, StreamSession.Link stream, LongSupplier nanos) {
        this.context = context;
        this.timers = timers;
        this.settings = settings;
        this.request = request;
        this.session = stream.session();
        this.agent = stream.agent();
        this.running = stream.rpc();
        this.target = stream.rpc().withEntities(P4Entities.of(settings.mode(), request.capacity()));
        this.inBand = stream.inBand();
        this.nanos = nanos;
        this.reconf = new Reconfiguration(request.strategy(), running.entities().stateCapacity(), request.capacity(),
                nanos.getAsLong(), SETTLE.toNanos());
    }

    /**
     * A run from the switch's current program to {@code request.capacity()} (checked by the
     * caller: {@link P4Entities#of} accepts it).
     */
    static Behavior<Command> create(AgentSettings settings, SwitchAgent.Reconfigure request,
                                    StreamSession.Link stream, LongSupplier nanos) {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
            ReconfigurationRun run = new ReconfigurationRun(context, timers, settings, request, stream, nanos);
            context.getLog().info("{}: reconfiguring ({}) from capacity {} to {}", settings.target(),
                    request.strategy(), run.running.entities().stateCapacity(), request.capacity());
            return run.start();
        }));
    }

    /** The report of a request refused before any run started. */
    static ReconfigurationReport refused(SwitchAgent.Reconfigure r, int capacity, String why) {
        return new ReconfigurationReport(r.strategy(), RegisterAccess.Kind.P4RUNTIME, capacity, r.capacity(), 0, 0, 0,
                0, Duration.ZERO, Duration.ZERO, Optional.of(why));
    }

    /** The configured access; {@code auto} probes P4Runtime and falls back on UNIMPLEMENTED (BMv2). */
    static CompletionStage<RegisterAccess> chooseAccess(AgentSettings settings, SwitchRpc rpc,
                                                        InBandRegisterAccess inBand) {
        P4RuntimeRegisterAccess p4Runtime = new P4RuntimeRegisterAccess(rpc);
        return switch (settings.state4().registerAccess()) {
            case P4RUNTIME -> CompletableFuture.completedFuture(p4Runtime);
            case IN_BAND -> CompletableFuture.completedFuture(inBand);
            case AUTO -> p4Runtime.read(0, 1).handle((cells, failure) -> {
                if (failure == null) {
                    return (RegisterAccess) p4Runtime;
                }
                if (Status.fromThrowable(failure).getCode() == Status.Code.UNIMPLEMENTED) {
                    return inBand;
                }
                throw new CompletionException(failure);
            });
        };
    }

    // ---- the steps ----------------------------------------------------------------------------

    /** Clone on (State4), then read every cell. */
    private Behavior<Command> start() {
        timers.startSingleTimer(TIMEOUT_TIMER, Timeout.INSTANCE, settings.rpcTimeout().multipliedBy(6));
        boolean clone = reconf.strategy() == Reconfiguration.Strategy.STATE4;
        int capacity = running.entities().stateCapacity();
        CompletionStage<Snapshot> snapshot = chooseAccess(settings, running, inBand).thenCompose(chosen -> {
            CompletionStage<Void> flag = clone ? chosen.setCloneFlag(true) : CompletableFuture.completedFuture(null);
            return flag.thenCompose(done -> chosen.read(0, capacity)).thenApply(cells -> new Snapshot(chosen, cells));
        });
        context.pipeToSelf(snapshot, (m, failure) -> failure == null ? m : new Failed("reading the state", failure));
        return running();
    }

    private Behavior<Command> running() {
        return Behaviors.receive(Command.class)
                .onMessage(Cloned.class, this::onCloned)
                .onMessage(RegisterValues.class, this::onRegisterValues)
                .onMessage(Snapshot.class, this::onSnapshot)
                .onMessage(Copied.class, this::onCopied)
                .onMessage(Committed.class, this::onCommitted)
                .onMessageEquals(FenceTick.INSTANCE, () -> {
                    sendFences();
                    return Behaviors.same();
                })
                .onMessageEquals(Finished.INSTANCE, () -> finish(Optional.empty()))
                .onMessage(Failed.class, m -> fail(m.step() + ": " + SwitchRpc.describe(m.cause())))
                .onMessageEquals(Timeout.INSTANCE, () -> fail("timed out in phase " + phase))
                .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
                .onSignal(PostStop.class, stop -> onStop())
                .build();
    }

    private Behavior<Command> onCloned(Cloned m) {
        reconf.onClone(m.stateId(), m.port(), m.register(), m.nanos());
        return Behaviors.same();
    }

    /** Saves the new pipeline and copies the base entities and (where writes reach it) the cells into it. */
    private Behavior<Command> onSnapshot(Snapshot m) {
        access = m.access();
        reconf.snapshot(m.cells());
        boolean clone = reconf.strategy() == Reconfiguration.Strategy.STATE4;
        CompletionStage<?> copied;
        if (access.reachesSavedPipeline()) {
            SortedMap<Integer, Long> cells = reconf.copyPlan();
            RegisterAccess saved = new P4RuntimeRegisterAccess(target);
            copied = target.save().thenCompose(ok -> target.installBase(false)).thenCompose(n -> saved.write(cells))
                    // The new pipeline clones from its first packet, so nothing between COMMIT and
                    // the commit fence goes unseen.
                    .thenCompose(n -> clone ? saved.setCloneFlag(true) : CompletableFuture.completedFuture(null));
        } else {
            reconf.copyAfterCommit();
            // The in-band path is BMv2's, whose replication engine outlives the pipeline change:
            // the old groups are removed first, or the new ones would double every copy.
            copied = running.deleteMaskGroups().thenCompose(n -> target.save())
                    .thenCompose(ok -> target.installBase(false));
        }
        context.pipeToSelf(copied, (ok, failure) -> failure == null ? new Copied(0)
                : new Failed("saving the new pipeline", failure));
        return Behaviors.same();
    }

    /** Replays the changes cloned since the last write (look-ahead), then COMMITs once they are few. */
    private Behavior<Command> onCopied(Copied m) {
        boolean replay = reconf.strategy() == Reconfiguration.Strategy.STATE4 && access.reachesSavedPipeline();
        SortedMap<Integer, Long> plan = replay ? reconf.replayPlan() : new TreeMap<>();
        RegisterAccess saved = new P4RuntimeRegisterAccess(target);
        CompletionStage<Integer> written = plan.isEmpty() ? CompletableFuture.completedFuture(0) : saved.write(plan);
        if (plan.size() > QUIET_REPLAY && m.round() < MAX_REPLAY_ROUNDS) {
            context.pipeToSelf(written, (n, failure) -> failure == null ? new Copied(m.round() + 1)
                    : new Failed("replaying cloned changes", failure));
            return Behaviors.same();
        }
        CompletionStage<Duration> committed = written.thenCompose(n -> {
            long sent = nanos.getAsLong();
            return target.commit().thenApply(ok -> Duration.ofNanos(nanos.getAsLong() - sent));
        });
        context.pipeToSelf(committed, (took, failure) -> failure == null ? new Committed(took)
                : new Failed("COMMIT", failure));
        return Behaviors.same();
    }

    /** The new pipeline runs: the session now speaks its program; repair what COMMIT overtook. */
    private Behavior<Command> onCommitted(Committed m) {
        commitTime = m.commitTime();
        phase = Phase.AWAIT_COMMIT_FENCE;
        session.tell(new StreamSession.PipelineCommitted(target));
        if (reconf.strategy() != Reconfiguration.Strategy.STATE4) {
            return finish(Optional.empty());
        }
        if (!access.reachesSavedPipeline()) {
            send(InBandRegisterAccess.cloneFlagPacket(true));
        }
        // The commit fence: its answer comes from the new pipeline, after every old packet-in.
        send(InBandRegisterAccess.readPacket(0, 1));
        return Behaviors.same();
    }

    private Behavior<Command> onRegisterValues(RegisterValues m) {
        CpuHeaders.PacketIn header = m.header();
        byte[] payload = m.payload();
        if (phase == Phase.AWAIT_COMMIT_FENCE && header.index() == 0 && header.count() == 1) {
            // Answered by the new pipeline: every packet-in of the old one came before it.
            reconf.startFences(m.nanos());
            phase = Phase.FENCING;
            timers.startTimerWithFixedDelay(FENCE_TIMER, FenceTick.INSTANCE, SETTLE.dividedBy(2));
            sendFences();
        } else if (phase == Phase.FENCING && header.count() == 1 && payload.length >= 4
                && reconf.onFenceConfirmed((int) header.index(),
                        Integer.toUnsignedLong(ByteBuffer.wrap(payload).getInt(0)), m.nanos())) {
            sendFences();
        } else {
            inBand.onRegisterValues(header, payload);
        }
        return Behaviors.same();
    }

    /** Sends fence writes while the window allows; clears the flag once all are confirmed. */
    private void sendFences() {
        Optional<Map.Entry<Integer, Long>> fence;
        while ((fence = reconf.nextFence(settings.state4().inBandWindow())).isPresent()) {
            send(InBandRegisterAccess.writePacket(fence.get().getKey(), fence.get().getValue()));
        }
        if (phase == Phase.FENCING && reconf.fencesDone(nanos.getAsLong())) {
            phase = Phase.CLEARING;
            timers.cancel(FENCE_TIMER);
            if (settings.state4().keepCloneFlag()) {
                context.getSelf().tell(Finished.INSTANCE); // the new pipeline keeps cloning
                return;
            }
            RegisterAccess clearing = access.kind() == RegisterAccess.Kind.IN_BAND ? inBand
                    : new P4RuntimeRegisterAccess(target);
            context.pipeToSelf(clearing.setCloneFlag(false), (ok, failure) -> failure == null
                    ? Finished.INSTANCE : new Failed("clearing clone_flag", failure));
        }
    }

    private Behavior<Command> fail(String why) {
        context.getLog().warn("{}: reconfiguration failed: {}", settings.target(), why);
        boolean committed = phase != Phase.COPYING;
        if (!settings.state4().keepCloneFlag()) {
            // Best effort: stop cloning on whichever pipeline runs now (in-band if P4Runtime cannot).
            new P4RuntimeRegisterAccess(committed ? target : running).setCloneFlag(false).exceptionally(e -> {
                inBand.setCloneFlag(false);
                return null;
            });
        }
        return finish(Optional.of(why));
    }

    /**
     * Reports the result; the session answers with {@link Stop} once it forwards nothing more.
     * Done, the agent's knowledge becomes the exact table (the naive way: what it copied).
     */
    private Behavior<Command> finish(Optional<String> failure) {
        ReconfigurationReport report = report(failure);
        session.tell(new StreamSession.RunEnded(report, failure.isEmpty() ? Optional.of(reconf.values())
                : Optional.empty(), phase != Phase.COPYING));
        return ended();
    }

    /** Reported: REGISTER_VALUES still forwarded go to the in-band access until {@link Stop}. */
    private Behavior<Command> ended() {
        timers.cancelAll();
        return Behaviors.receive(Command.class)
                .onMessage(RegisterValues.class, m -> {
                    inBand.onRegisterValues(m.header(), m.payload());
                    return Behaviors.same();
                })
                .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
                .build();
    }

    /** Stopped before reporting: its session ended. */
    private Behavior<Command> onStop() {
        if (!reported) {
            ReconfigurationReport report = report(Optional.of("the session ended during the reconfiguration"));
            agent.tell(new StreamSession.Reconfigured(report, Optional.empty(), true));
        }
        return Behaviors.same();
    }

    private ReconfigurationReport report(Optional<String> failure) {
        reported = true;
        ReconfigurationReport report = reconf.report(access == null ? RegisterAccess.Kind.P4RUNTIME : access.kind(),
                commitTime, nanos.getAsLong(), failure);
        context.getLog().info("{}: reconfiguration {}: {}", settings.target(), failure.isEmpty() ? "done" : "failed",
                report);
        if (request.replyTo() != null) {
            request.replyTo().tell(report);
        }
        return report;
    }

    private void send(PacketOut packet) {
        session.tell(new StreamSession.Send(List.of(packet)));
    }
}
