package io.stare.actors.agent;

import io.grpc.Status;
import io.stare.actors.arq.SubRetransmissions;
import io.stare.p4.entity.PacketInCodec;
import io.stare.p4.pipeline.CpuHeaders;
import io.stare.p4.pipeline.EmbeddedController;
import io.stare.p4.program.StareProgram;
import io.stare.p4.runtime.Uint128s;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.tls.TlsDirectory;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
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
 * One StreamChannel session of a {@link SwitchAgent}, and everything that rides on it: it opens the
 * stream, takes part in arbitration (claiming a role left without a primary), and while primary
 * sets the switch up ({@link SwitchRpc#setUp}) and serves its CPU port: packet-ins, packet-outs,
 * the embedded {@link InstallQueue}, and the {@link ReconfigurationRun} of a State4
 * reconfiguration. What outlives the stream (masks, the embedded controller, the ARQ, counters)
 * is the agent's: the session reports to it with {@link Report}s and asks it for what it knows.
 *
 * <p>The session dies with its stream (or a failed set-up), after a last {@link Ended}. gRPC
 * callbacks only turn responses into messages to the session, so those of a dead session go to
 * dead letters.
 *
 * <p>Why above 400 lines: about 190 of them are its two protocols (what the agent and gRPC tell it,
 * what it reports to the agent), one record each; the handlers apply the decisions of plain classes
 * ({@link InstallQueue}, {@link SwitchRpc}, {@link P4Entities}) in a few lines each, and the stream,
 * arbitration and set-up share the one session state that dies with the stream.
 */
final class StreamSession {

    /** Where the session is in arbitration and set-up. */
    enum Phase {
        ARBITRATING, BACKUP, SETTING_UP, READY;

        boolean primary() {
            return this == SETTING_UP || this == READY;
        }
    }

    /** The session's protocol. */
    sealed interface Command {
    }

    /** The agent's answer to {@link SetUpWanted}: the subscription state it knows, to restore. */
    record SetUp(SortedMap<Integer, Long> known) implements Command {
    }

    /** Embedded mode: the controller's decisions on a {@link Punted} packet-in, to install in order. */
    record Install(EmbeddedController.Act act, long receivedNanos) implements Command {
    }

    /** ARQ retransmissions, sent while the session is the ready primary. */
    record Repeat(List<PacketOut> packets) implements Command {
    }

    /** Packet-outs of the reconfiguration run. */
    record Send(List<PacketOut> packets) implements Command {
    }

    /** A {@link SwitchAgent.Reconfigure} for this session to run or refuse. */
    record Reconfigure(SwitchAgent.Reconfigure request) implements Command {
    }

    /** A {@link SwitchAgent.UseRegisters} to run with this session's register access. */
    record UseRegisters(SwitchAgent.UseRegisters request) implements Command {
    }

    /** From the run: the new pipeline runs; {@code rpc} speaks its program. */
    record PipelineCommitted(SwitchRpc rpc) implements Command {
    }

    /** From the run: its result ({@code exact}: the new table, if done); stop forwarding to it. */
    record RunEnded(ReconfigurationReport report, Optional<SortedMap<Integer, Long>> exact, boolean committed)
            implements Command {
    }

    private record StreamReceived(StreamMessageResponse response) implements Command {
    }

    private record StreamEnded(String reason) implements Command {
    }

    private record SetupDone(SwitchRpc.SetupResult result) implements Command {
    }

    private record SetupFailed(Throwable cause) implements Command {
    }

    private record InstallDone(InstallQueue.Install install, Optional<Throwable> failure) implements Command {
    }

    /** What a session tells its agent. */
    sealed interface Report {
    }

    /** The session moved to {@code phase}. */
    record PhaseChanged(Phase phase) implements Report {
    }

    /** The session claimed {@code electionId} for a role without a primary. */
    record Claimed(BigInteger electionId) implements Report {
    }

    /** Primary now: answer with {@link SetUp}. */
    enum SetUpWanted implements Report { INSTANCE }

    /** The switch is set up (the session becomes ready right after). */
    record SetUpDone(SwitchRpc.SetupResult result) implements Report {
    }

    /** Register mode: the switch reported {@code stateId}'s new port mask. */
    record Learned(int stateId, long mask) implements Report {
    }

    /** SUB messages the switch propagated to tree neighbours: for the ARQ. */
    record Forwarded(List<SubRetransmissions.Copy> copies) implements Report {
    }

    /** A neighbour's SUB-ack came in by {@code port}. */
    record Acked(int port, int stateId, int updateNo, int vnfId) implements Report {
    }

    /**
     * Embedded mode: a SUB_PUNT for the controller, received at {@code receivedNanos} (the install
     * time counts from there); answered with {@link Install}.
     */
    record Punted(CpuHeaders.PacketIn header, byte[] payload, long receivedNanos) implements Report {
    }

    /** Embedded mode: an installation was acknowledged {@code took} after its packet-in. */
    record Installed(Duration took) implements Report {
    }

    /** A reconfiguration committed: the switch now runs {@code entities}' program. */
    record PipelineChanged(P4Entities entities) implements Report {
    }

    /** A reconfiguration run started. */
    enum Reconfiguring implements Report { INSTANCE }

    /**
     * A reconfiguration run ended; {@code aborted} if its session ended under it (no failure of
     * its own).
     */
    record Reconfigured(ReconfigurationReport report, Optional<SortedMap<Integer, Long>> exact, boolean aborted)
            implements Report {
    }

    /** A failure the session saw and carried on from. */
    record ErrorSeen(String error) implements Report {
    }

    /** The session's last report: it stops. */
    record Ended(String error, boolean setupFailed) implements Report {
    }

    /** What a {@link ReconfigurationRun} uses of its session. */
    record Link(ActorRef<Command> session, ActorRef<Report> agent, SwitchRpc rpc, InBandRegisterAccess inBand) {
    }

    /** Where the session is; replaced, never changed in place. */
    private record State(Phase phase, SwitchRpc rpc, Optional<ActorRef<ReconfigurationRun.Command>> run,
                         boolean awaitingSetUp) {
        State in(Phase next) {
            return new State(next, rpc, run, awaitingSetUp);
        }

        State with(SwitchRpc other) {
            return new State(phase, other, run, awaitingSetUp);
        }

        State with(Optional<ActorRef<ReconfigurationRun.Command>> other) {
            return new State(phase, rpc, other, awaitingSetUp);
        }

        State awaiting(boolean setUp) {
            return new State(phase, rpc, run, setUp);
        }
    }

    private static final int REQUEST_BUFFER = 1024;

    private final ActorContext<Command> context;
    private final AgentSettings settings;
    private final ActorRef<Report> agent;
    private final LongSupplier nanos;
    private final int portCount;
    private final P4RuntimeClient client;
    private final BoundedSourceQueue<StreamMessageRequest> requests;
    private final InBandRegisterAccess inBand;
    private final InstallQueue installs;
    private int runs;

    private StreamSession(ActorContext<Command> context, AgentSettings settings, ActorRef<Report> agent,
                          LongSupplier nanos, int portCount, P4RuntimeClient client,
                          BoundedSourceQueue<StreamMessageRequest> requests) {
        this.context = context;
        this.settings = settings;
        this.agent = agent;
        this.nanos = nanos;
        this.portCount = portCount;
        this.client = client;
        this.requests = requests;
        this.inBand = new InBandRegisterAccess(packet -> QueueOfferResult.enqueued().equals(
                requests.offer(StreamMessageRequest.newBuilder().setPacket(packet).build())),
                settings.state4().inBandWindow(), settings.rpcTimeout());
        this.installs = new InstallQueue(nanos);
    }

    /**
     * A session that connects at once and arbitrates with {@code electionId}.
     *
     * @param settings the agent's configuration (its configured election ID is what it adds when
     *     claiming)
     * @param entities the program the agent speaks now
     * @param portCount the switch's data ports
     * @param agent where reports go
     */
    static Behavior<Command> create(AgentSettings settings, BigInteger electionId, P4Entities entities, int portCount,
                                    ActorRef<Report> agent, LongSupplier nanos) {
        return Behaviors.setup(context -> {
            GrpcClientSettings grpc;
            try {
                grpc = clientSettings(settings, context.getSystem());
            } catch (IllegalArgumentException unreadable) {
                agent.tell(new Ended(unreadable.getMessage(), false)); // tried again with the reconnection backoff
                return Behaviors.stopped();
            }
            P4RuntimeClient client = P4RuntimeClient.create(grpc, context.getSystem());
            Materializer materializer = Materializer.createMaterializer(context);
            // The stream channel runs on the system's materializer, not this actor's: when the session
            // stops, the requests' completion still reaches the switch as the end of the stream (a
            // stopping agent, which the switch logs as news) instead of a cancelled call (trouble).
            Materializer streams = Materializer.matFromSystem(context.getSystem());
            Pair<BoundedSourceQueue<StreamMessageRequest>, Source<StreamMessageRequest, NotUsed>> requests =
                    Source.<StreamMessageRequest>queue(REQUEST_BUFFER).preMaterialize(streams);
            ActorRef<Command> self = context.getSelf();
            CompletionStage<Done> done = client.streamChannel(requests.second())
                    .runWith(Sink.foreach(response -> self.tell(new StreamReceived(response))), streams);
            context.pipeToSelf(done, (ok, failure) -> new StreamEnded(
                    failure == null ? "the switch closed the stream" : SwitchRpc.describe(failure)));
            AgentSettings current = settings.withElectionId(electionId);
            requests.first().offer(StreamMessageRequest.newBuilder()
                    .setArbitration(SwitchRpc.arbitration(current)).build());
            StreamSession session = new StreamSession(context, settings, agent, nanos, portCount, client,
                    requests.first());
            SwitchRpc rpc = new SwitchRpc(client, current, entities, materializer);
            return session.session(new State(Phase.ARBITRATING, rpc, Optional.empty(), false));
        });
    }

    /**
     * Plain text, or TLS 1.3 with the agent's certificate, the switch's checked against the CA and
     * the address dialled. The directory is read at every connection: a rotated certificate needs no restart.
     *
     * @throws IllegalArgumentException if the TLS directory cannot be read
     */
    static GrpcClientSettings clientSettings(AgentSettings settings, ActorSystem<?> system) {
        GrpcClientSettings grpc = GrpcClientSettings.connectToServiceAt(settings.host(), settings.port(), system);
        if (settings.tlsDirectory().isEmpty()) {
            return grpc.withTls(false);
        }
        return grpc.withTls(true).withSslContext(TlsDirectory.load(Path.of(settings.tlsDirectory()), "P4Runtime TLS"));
    }

    private Behavior<Command> session(State s) {
        return Behaviors.receive(Command.class)
                .onMessage(StreamReceived.class, m -> onStreamMessage(s, m.response()))
                .onMessage(StreamEnded.class, m -> end("stream ended: " + m.reason(), false))
                .onMessage(SetUp.class, m -> onSetUp(s, m))
                .onMessage(SetupDone.class, m -> s.phase() == Phase.SETTING_UP ? onSetupDone(s, m.result())
                        : Behaviors.same())
                .onMessage(SetupFailed.class, m -> s.phase() == Phase.SETTING_UP
                        ? end("set-up failed: " + SwitchRpc.describe(m.cause()), true) : Behaviors.same())
                .onMessage(Install.class, m -> onInstall(s, m))
                .onMessage(InstallDone.class, m -> onInstallDone(s, m))
                .onMessage(Repeat.class, m -> {
                    if (s.phase() == Phase.READY) {
                        m.packets().forEach(this::send);
                    }
                    return Behaviors.same();
                })
                .onMessage(Send.class, m -> {
                    m.packets().forEach(this::send);
                    return Behaviors.same();
                })
                .onMessage(Reconfigure.class, m -> onReconfigure(s, m.request()))
                .onMessage(UseRegisters.class, m -> onUseRegisters(s, m.request()))
                .onMessage(PipelineCommitted.class, m -> {
                    agent.tell(new PipelineChanged(m.rpc().entities()));
                    return session(s.with(m.rpc()));
                })
                .onMessage(RunEnded.class, m -> onRunEnded(s, m))
                .onSignal(PostStop.class, stop -> onStop())
                .build();
    }

    /** The session's last report; the stream, the client and a running reconfiguration end with it. */
    private Behavior<Command> end(String error, boolean setupFailed) {
        agent.tell(new Ended(error, setupFailed));
        return Behaviors.stopped();
    }

    private Behavior<Command> onStop() {
        inBand.failAll("the session ended");
        try {
            requests.complete();
        } catch (IllegalStateException alreadyDone) {
            // The stream had failed already.
        }
        client.close();
        return Behaviors.same();
    }

    /** Moves to {@code next}, telling the agent if the phase changes. */
    private Behavior<Command> become(State before, State next) {
        if (next.phase() != before.phase()) {
            agent.tell(new PhaseChanged(next.phase()));
        }
        return session(next);
    }

    // ---- the stream ------------------------------------------------------------------------------

    private Behavior<Command> onStreamMessage(State s, StreamMessageResponse response) {
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
                            .ifPresent(p -> inBand.onRegisterValues(p.header(), p.payload()));
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
                agent.tell(new ErrorSeen(error));
                return Behaviors.same();
            }
            default -> {
                return Behaviors.same();
            }
        }
    }

    private Behavior<Command> onArbitration(State s, MasterArbitrationUpdate update) {
        boolean primary = update.getStatus().getCode() == Status.Code.OK.value();
        if (s.phase() == Phase.ARBITRATING) {
            context.getLog().info("{}: connected as {}", settings.target(), primary ? "primary" : "backup");
        }
        if (!primary && update.getStatus().getCode() == Status.Code.NOT_FOUND.value() && update.hasElectionId()) {
            return claim(s, Uint128s.toBigInteger(update.getElectionId()));
        }
        if (primary && !s.phase().primary()) {
            return startSetup(s);
        }
        if (!primary && s.phase().primary()) {
            // The new primary repeats nothing it did not see; what this agent propagated is
            // dropped with its role (the agent forgets its ARQ on this phase change).
            context.getLog().info("{}: no longer primary", settings.target());
            installs.clear();
        }
        return become(s, primary ? s : s.in(Phase.BACKUP));
    }

    /**
     * The role has no primary (it left, or lowered its ID) and the switch will promote nobody whose
     * ID is below the highest it has seen. Every backup claims {@code highest + its configured ID}:
     * distinct claims, so the backup with the highest configured ID ends up primary, as before the
     * primary left.
     */
    private Behavior<Command> claim(State s, BigInteger highestSeen) {
        BigInteger claimed = highestSeen.add(settings.electionId());
        if (claimed.bitLength() > 128) {
            context.getLog().warn("{}: no primary, and no election ID above {} is left to claim", settings.target(),
                    highestSeen);
            return become(s, s.in(Phase.BACKUP));
        }
        context.getLog().info("{}: no primary; claiming election ID {} (highest seen {} + own {})", settings.target(),
                claimed, highestSeen, settings.electionId());
        AgentSettings current = settings.withElectionId(claimed);
        requests.offer(StreamMessageRequest.newBuilder().setArbitration(SwitchRpc.arbitration(current)).build());
        agent.tell(new Claimed(claimed));
        return become(s, s.with(s.rpc().withSettings(current)).in(Phase.BACKUP));
    }

    // ---- set-up ----------------------------------------------------------------------------------

    /** As a new primary: ask the agent what it knows, then set the switch up with it. */
    private Behavior<Command> startSetup(State s) {
        context.getLog().info("{}: primary; setting the switch up", settings.target());
        Behavior<Command> next = become(s, s.in(Phase.SETTING_UP).awaiting(true));
        agent.tell(SetUpWanted.INSTANCE);
        return next;
    }

    private Behavior<Command> onSetUp(State s, SetUp m) {
        if (s.phase() != Phase.SETTING_UP || !s.awaitingSetUp()) {
            return Behaviors.same(); // the role changed since the agent was asked
        }
        context.pipeToSelf(s.rpc().setUp(m.known(), inBand), (result, failure) -> failure == null
                ? new SetupDone(result) : new SetupFailed(failure));
        return session(s.awaiting(false));
    }

    private Behavior<Command> onSetupDone(State set, SwitchRpc.SetupResult result) {
        State s = set;
        if (result.entities() != s.rpc().entities()) {
            // The switch runs a larger build (an earlier reconfiguration): carry on with it.
            context.getLog().info("{}: the switch runs the {}-state build; adopting it", settings.target(),
                    result.entities().stateCapacity());
            s = s.with(s.rpc().withEntities(result.entities()));
        }
        context.getLog().info("{}: {} the switch; {} states with subscribers", settings.target(),
                result.pushed() ? "pushed the pipeline to" : "adopted", result.masks().size());
        agent.tell(new SetUpDone(result));
        if (settings.mode() == StareProgram.Mode.REGISTER && settings.state4().keepCloneFlag()) {
            // Best effort: without it the agent learns only the changes that propagate.
            ReconfigurationRun.chooseAccess(settings, s.rpc(), inBand)
                    .thenCompose(access -> access.setCloneFlag(true)).whenComplete((ok, failure) -> {
                        if (failure != null) {
                            context.getSystem().log().warn("{}: could not set clone_flag: {}", settings.target(),
                                    SwitchRpc.describe(failure));
                        }
                    });
        }
        return become(set, s.in(Phase.READY)); // the agent resumes the ARQ paused while it was away
    }

    // ---- packet-ins ------------------------------------------------------------------------------

    private void onPacketIn(State s, PacketInCodec.Received packet) {
        CpuHeaders.PacketIn header = packet.header();
        switch (header.reason()) {
            case SUB_PUNT -> agent.tell(new Punted(header, packet.payload(), nanos.getAsLong()));
            case SUB_PROPAGATED -> onSubPropagated(s, packet);
            case STATE_CHANGED -> {
                agent.tell(new Learned((int) header.index(), header.value()));
                clone(s, packet);
            }
            case SUB_ACK -> SubFrames.header(packet.payload()).ifPresent(ack -> agent.tell(
                    new Acked(header.ingressPort(), ack.stateId(), ack.updateNo(), ack.vnfId())));
            case REGISTER_VALUES -> s.run().ifPresentOrElse(
                    run -> run.tell(new ReconfigurationRun.RegisterValues(header, packet.payload(), nanos.getAsLong())),
                    () -> inBand.onRegisterValues(header, packet.payload()));
        }
    }

    /** A state change the switch reported: fed to a running reconfiguration. */
    private void clone(State s, PacketInCodec.Received packet) {
        CpuHeaders.PacketIn header = packet.header();
        if (s.run().isEmpty() || header.ingressPort() >= portCount) {
            return;
        }
        SubFrames.header(packet.payload()).filter(SubFrames::isSubscription).ifPresent(stare ->
                s.run().get().tell(new ReconfigurationRun.Cloned((int) header.index(), header.ingressPort(),
                        stare.kind() == MessageKind.SUB_REGISTER, nanos.getAsLong())));
    }

    /** Register mode: the switch propagated a SUB message; its copies go to the ARQ. */
    private void onSubPropagated(State s, PacketInCodec.Received packet) {
        CpuHeaders.PacketIn header = packet.header();
        int state = (int) header.index();
        agent.tell(new Learned(state, header.value()));
        clone(s, packet);
        List<SubRetransmissions.Copy> copies = SubFrames.propagated(header, packet.payload(), portCount,
                settings.treePorts());
        if (!copies.isEmpty()) {
            agent.tell(new Forwarded(copies));
        }
    }

    // ---- embedded mode ---------------------------------------------------------------------------

    private Behavior<Command> onInstall(State s, Install m) {
        if (s.phase() == Phase.READY) { // otherwise dropped: the sender got no SUB-ack and retries
            installs.add(m.act(), m.receivedNanos()).ifPresent(install -> write(s.rpc(), install));
        }
        return Behaviors.same();
    }

    /** Writes one installation's decisions, one Write each, in order. */
    private void write(SwitchRpc rpc, InstallQueue.Install install) {
        CompletionStage<Integer> chain = CompletableFuture.completedFuture(0);
        for (Update update : InstallQueue.writes(rpc.entities(), install.act())) {
            chain = chain.thenCompose(n -> rpc.write(List.of(update)));
        }
        context.pipeToSelf(chain, (n, failure) -> new InstallDone(install, Optional.ofNullable(failure)));
    }

    private Behavior<Command> onInstallDone(State s, InstallDone done) {
        if (s.phase() != Phase.READY || !installs.isUnderWay(done.install())) {
            return Behaviors.same(); // dropped while it was written
        }
        if (done.failure().isPresent()) {
            // The controller is now ahead of the switch: set up again, which reads the switch's
            // table back and rebuilds the controller from it. Pending SUB messages are retried by
            // their senders, who got no SUB-ack.
            String error = "rule installation failed: " + SwitchRpc.describe(done.failure().get());
            context.getLog().warn("{}: {}", settings.target(), error);
            agent.tell(new ErrorSeen(error));
            installs.clear();
            return startSetup(s);
        }
        InstallQueue.Completion completion = installs.completed();
        for (EmbeddedController.Transmit t : completion.packetOuts()) {
            send(P4Entities.forward(t.port(), t.frame()));
        }
        agent.tell(new Installed(completion.took()));
        if (!completion.propagated().isEmpty()) {
            agent.tell(new Forwarded(completion.propagated()));
        }
        installs.next().ifPresent(install -> write(s.rpc(), install));
        return Behaviors.same();
    }

    // ---- reconfiguration and register access -----------------------------------------------------

    private Behavior<Command> onReconfigure(State s, SwitchAgent.Reconfigure r) {
        int capacity = s.rpc().entities().stateCapacity();
        if (settings.mode() != StareProgram.Mode.REGISTER) {
            return refuse(r, capacity, "only the register program has a state table to reconfigure");
        }
        if (s.phase() != Phase.READY) {
            return refuse(r, capacity, "not the ready primary");
        }
        if (s.run().isPresent()) {
            return refuse(r, capacity, "a reconfiguration is already under way");
        }
        try {
            P4Entities.of(StareProgram.Mode.REGISTER, r.capacity());
        } catch (IllegalArgumentException e) {
            return refuse(r, capacity, e.getMessage());
        }
        ActorRef<ReconfigurationRun.Command> run = context.spawn(ReconfigurationRun.create(settings, r,
                new Link(context.getSelf(), agent, s.rpc(), inBand), nanos), "reconfiguration-" + ++runs);
        agent.tell(Reconfiguring.INSTANCE);
        return session(s.with(Optional.of(run)));
    }

    private Behavior<Command> refuse(SwitchAgent.Reconfigure r, int capacity, String why) {
        if (r.replyTo() != null) {
            r.replyTo().tell(ReconfigurationRun.refused(r, capacity, why));
        }
        return Behaviors.same();
    }

    private Behavior<Command> onRunEnded(State s, RunEnded m) {
        s.run().ifPresent(run -> run.tell(ReconfigurationRun.Stop.INSTANCE));
        agent.tell(new Reconfigured(m.report(), m.exact(), false));
        State next = s.with(Optional.empty());
        if (m.report().failure().isPresent() && m.committed()) {
            // The new pipeline may be missing changes: set it up again from what the agent knows.
            installs.clear();
            return startSetup(next);
        }
        return session(next);
    }

    private Behavior<Command> onUseRegisters(State s, SwitchAgent.UseRegisters u) {
        RegisterAccess access = u.kind() == RegisterAccess.Kind.IN_BAND ? inBand : new P4RuntimeRegisterAccess(s.rpc());
        u.job().apply(access).whenComplete((value, failure) -> u.replyTo().tell(
                failure != null ? failure : value == null ? Done.getInstance() : value));
        return Behaviors.same();
    }

    private void send(PacketOut packet) {
        QueueOfferResult result = requests.offer(StreamMessageRequest.newBuilder().setPacket(packet).build());
        if (!QueueOfferResult.enqueued().equals(result)) {
            context.getLog().warn("{}: packet-out not sent: {}", settings.target(), result);
        }
    }
}
