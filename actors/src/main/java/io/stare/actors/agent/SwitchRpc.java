package io.stare.actors.agent;

import io.grpc.Status;
import io.stare.p4.program.StareProgram;
import io.stare.p4.program.StarePrograms;
import io.stare.p4.runtime.Uint128s;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import p4.v1.Entity;
import p4.v1.GetForwardingPipelineConfigRequest;
import p4.v1.GetForwardingPipelineConfigResponse;
import p4.v1.MasterArbitrationUpdate;
import p4.v1.P4RuntimeClient;
import p4.v1.ReadRequest;
import p4.v1.ReadResponse;
import p4.v1.Role;
import p4.v1.SetForwardingPipelineConfigRequest;
import p4.v1.Update;
import p4.v1.WriteRequest;

/**
 * The unary P4Runtime calls of one agent session (Write, Read, pipeline config), each bounded by
 * the RPC timeout, and the set-up sequence a new primary runs. Every method returns a
 * {@link CompletionStage} and touches no actor state: the {@link StreamSession} or
 * {@link ReconfigurationRun} pipes the outcome to itself.
 */
final class SwitchRpc {

    /**
     * What the set-up found and did.
     *
     * @param pushed whether the pipeline was pushed (the switch ran no pipeline, or another one);
     *     false when the switch already ran this program and its state was adopted
     * @param baseRules multicast groups, clone sessions and tree-port entries in place
     * @param masks per state, the subscriber port mask the switch now has: read from it when
     *     adopted, restored into it when pushed
     */
    /** What set-up did; {@code entities} is the program the switch runs now (a larger one if adopted). */
    record SetupResult(boolean pushed, int baseRules, SortedMap<Integer, Long> masks, P4Entities entities) {
        SetupResult {
            masks = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(masks));
        }
    }

    private final P4RuntimeClient client;
    private final AgentSettings settings;
    private final P4Entities entities;
    private final Materializer materializer;
    private final Duration timeout;

    SwitchRpc(P4RuntimeClient client, AgentSettings settings, P4Entities entities, Materializer materializer) {
        this.client = client;
        this.settings = settings;
        this.entities = entities;
        this.materializer = materializer;
        this.timeout = settings.rpcTimeout();
    }

    /** The same session's calls with other settings (a claimed election ID). */
    SwitchRpc withSettings(AgentSettings other) {
        return new SwitchRpc(client, other, entities, materializer);
    }

    /** The same session's calls for another program (a State4 reconfiguration's target). */
    SwitchRpc withEntities(P4Entities other) {
        return new SwitchRpc(client, settings, other, materializer);
    }

    P4Entities entities() {
        return entities;
    }

    /** A failure as the agent reports it: the cause's class and message, unwrapped from the future. */
    static String describe(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        String message = cause.getMessage();
        String described = cause.getClass().getSimpleName() + (message == null ? "" : ": " + message.lines()
                .findFirst().orElse(""));
        // gRPC says only "UNAVAILABLE: io exception" when a TLS handshake fails: say why.
        for (Throwable inner = cause.getCause(); inner != null; inner = inner.getCause()) {
            if (inner instanceof javax.net.ssl.SSLException tls) {
                return described + " (TLS: " + tls.getMessage() + ")";
            }
        }
        return described;
    }

    /** The arbitration update this agent opens its stream with. */
    static MasterArbitrationUpdate arbitration(AgentSettings settings) {
        MasterArbitrationUpdate.Builder update = MasterArbitrationUpdate.newBuilder()
                .setDeviceId(settings.deviceId()).setElectionId(Uint128s.toProto(settings.electionId()));
        if (!settings.role().isEmpty()) {
            update.setRole(Role.newBuilder().setName(settings.role()));
        }
        return update.build();
    }

    /** One Write of {@code updates} as this agent (nothing to do for none). */
    CompletionStage<Integer> write(List<Update> updates) {
        if (updates.isEmpty()) {
            return CompletableFuture.completedFuture(0);
        }
        WriteRequest request = WriteRequest.newBuilder().setDeviceId(settings.deviceId()).setRole(settings.role())
                .setElectionId(Uint128s.toProto(settings.electionId())).addAllUpdates(updates).build();
        return bounded(client.write(request)).thenApply(response -> updates.size());
    }

    /** Every entity matching {@code filter}. */
    CompletionStage<List<Entity>> read(Entity filter) {
        return read(List.of(filter));
    }

    /** Every entity matching any of {@code filters}, in one Read. */
    CompletionStage<List<Entity>> read(List<Entity> filters) {
        ReadRequest request = ReadRequest.newBuilder().setDeviceId(settings.deviceId()).setRole(settings.role())
                .addAllEntities(filters).build();
        return bounded(client.read(request).runWith(Sink.<ReadResponse>seq(), materializer))
                .thenApply(responses -> responses.stream().flatMap(r -> r.getEntitiesList().stream()).toList());
    }

    /**
     * Makes the switch run this agent's program with the state the agent knows:
     * <ol>
     *   <li>if the switch already runs exactly this program (same cookie), adopt it: keep its
     *       state, add whatever base entity is missing, and read its subscription state back;</li>
     *   <li>otherwise push the pipeline (VERIFY_AND_COMMIT), install the base entities and restore
     *       {@code known} (register mode: {@code state_ports} cells; embedded mode: the
     *       {@code state_forwarding} entries and their groups).</li>
     * </ol>
     * Base entities: register mode, the 2^P - 1 port-mask groups, clone session 100 to the CPU and
     * the tree ports; embedded mode, none (its groups follow the entries).
     */
    CompletionStage<SetupResult> setUp(SortedMap<Integer, Long> known) {
        return setUp(known, null);
    }

    /**
     * {@link #setUp(SortedMap)}, register mode reading and restoring {@code state_ports} through
     * the register access {@code stare.agent.state4.register-access} chooses: P4Runtime, or
     * {@code inBand} (packet-outs on this session's stream; BMv2, whose P4Runtime server answers
     * UNIMPLEMENTED to register entities) when so configured or, with {@code auto}, on UNIMPLEMENTED.
     *
     * @param inBand this session's in-band access; null for P4Runtime only
     */
    CompletionStage<SetupResult> setUp(SortedMap<Integer, Long> known, RegisterAccess inBand) {
        GetForwardingPipelineConfigRequest get = GetForwardingPipelineConfigRequest.newBuilder()
                .setDeviceId(settings.deviceId())
                .setResponseType(GetForwardingPipelineConfigRequest.ResponseType.COOKIE_ONLY).build();
        return runningConfig(get).thenCompose(response -> {
            Optional<P4Entities> running = response.getConfig().hasCookie()
                    ? adoptable(response.getConfig().getCookie().getCookie())
                    : Optional.empty();
            if (running.isPresent()) {
                SwitchRpc adopted = withEntities(running.get());
                return adopted.installBase(true).thenCompose(baseRules -> adopted.readMasks(inBand)
                        .thenApply(masks -> new SetupResult(false, baseRules, masks, running.get())));
            }
            return push().thenCompose(pushed -> installBase(false))
                    .thenCompose(baseRules -> restore(known, inBand)
                            .thenApply(written -> new SetupResult(true, baseRules, known, entities)));
        });
    }

    /**
     * The program a switch running {@code cookie} runs, if the agent may adopt it: its own, or in
     * register mode a larger-capacity build of it (left by a State4 reconfiguration, which a new
     * primary must not undo).
     */
    private Optional<P4Entities> adoptable(long cookie) {
        if (cookie == entities.cookie()) {
            return Optional.of(entities);
        }
        if (settings.mode() != StareProgram.Mode.REGISTER) {
            return Optional.empty();
        }
        return StarePrograms.REGISTER_CAPACITIES.stream()
                .filter(capacity -> capacity > entities.stateCapacity())
                .map(capacity -> P4Entities.of(StareProgram.Mode.REGISTER, capacity))
                .filter(larger -> larger.cookie() == cookie)
                .findFirst();
    }

    /**
     * The switch's running config (cookie only). A switch that runs no pipeline yet answers an
     * empty config (the software switch) or FAILED_PRECONDITION (BMv2: "No forwarding pipeline
     * config set for this device"); both mean: push.
     */
    private CompletionStage<GetForwardingPipelineConfigResponse> runningConfig(GetForwardingPipelineConfigRequest get) {
        return bounded(client.getForwardingPipelineConfig(get)).exceptionally(failure -> {
            if (Status.fromThrowable(failure).getCode() == Status.Code.FAILED_PRECONDITION) {
                return GetForwardingPipelineConfigResponse.getDefaultInstance();
            }
            throw failure instanceof CompletionException completion ? completion : new CompletionException(failure);
        });
    }

    private CompletionStage<?> push() {
        return pipelineConfig(SetForwardingPipelineConfigRequest.Action.VERIFY_AND_COMMIT);
    }

    /**
     * VERIFY_AND_SAVE of this RPC's program: the switch keeps forwarding with the installed
     * pipeline while Reads and Writes go to the saved one until {@link #commit()}.
     */
    CompletionStage<?> save() {
        return pipelineConfig(SetForwardingPipelineConfigRequest.Action.VERIFY_AND_SAVE);
    }

    /** COMMIT: installs the saved pipeline with what was written to it. */
    CompletionStage<?> commit() {
        return bounded(client.setForwardingPipelineConfig(SetForwardingPipelineConfigRequest.newBuilder()
                .setDeviceId(settings.deviceId()).setRole(settings.role())
                .setElectionId(Uint128s.toProto(settings.electionId()))
                .setAction(SetForwardingPipelineConfigRequest.Action.COMMIT).build()));
    }

    private CompletionStage<?> pipelineConfig(SetForwardingPipelineConfigRequest.Action action) {
        return bounded(client.setForwardingPipelineConfig(SetForwardingPipelineConfigRequest.newBuilder()
                .setDeviceId(settings.deviceId()).setRole(settings.role())
                .setElectionId(Uint128s.toProto(settings.electionId()))
                .setAction(action).setConfig(entities.pipelineConfig()).build()));
    }

    /**
     * The base entities; when adopting, only those the switch lacks are inserted. After a
     * VERIFY_AND_SAVE they go to the saved pipeline (State4 reconfiguration).
     */
    /**
     * Deletes the port-mask multicast groups from the running pipeline. BMv2 keeps its replication
     * engine across a pipeline change while its P4Runtime layer forgets the groups, so groups
     * inserted into the new pipeline would replicate next to the old ones; they go first.
     */
    CompletionStage<Integer> deleteMaskGroups() {
        int groupCount = (1 << entities.statePortsWidth()) - 1;
        List<Update> updates = new ArrayList<>();
        for (int g = 1; g <= groupCount; g++) {
            updates.add(update(Update.Type.DELETE, P4Entities.multicastGroup(g, g)));
        }
        return write(updates);
    }

    CompletionStage<Integer> installBase(boolean adopt) {
        if (settings.mode() != StareProgram.Mode.REGISTER) {
            return CompletableFuture.completedFuture(0);
        }
        int ports = entities.statePortsWidth();
        int groupCount = (1 << ports) - 1;
        CompletionStage<List<Entity>> existingGroups = adopt ? read(P4Entities.multicastGroupsFilter())
                : CompletableFuture.completedFuture(List.of());
        CompletionStage<List<Entity>> existingClones = adopt ? read(P4Entities.cloneSessionsFilter())
                : CompletableFuture.completedFuture(List.of());
        return existingGroups.thenCombine(existingClones, (groups, clones) -> {
            Map<Integer, Integer> present = P4Entities.multicastGroupSizes(groups);
            List<Update> updates = new ArrayList<>();
            updates.add(update(Update.Type.MODIFY, entities.treePorts(settings.treePorts())));
            for (int g = 1; g <= groupCount; g++) {
                if (!present.containsKey(g)) {
                    updates.add(update(Update.Type.INSERT, P4Entities.multicastGroup(g, g)));
                }
            }
            boolean hasClone = clones.stream().anyMatch(e -> e.getPacketReplicationEngineEntry().getCloneSessionEntry()
                    .getSessionId() == P4Entities.CPU_CLONE_SESSION);
            if (!hasClone) {
                updates.add(update(Update.Type.INSERT, P4Entities.cpuCloneSession()));
            }
            return updates;
        }).thenCompose(this::write).thenApply(written -> groupCount + 2);
    }

    private CompletionStage<SortedMap<Integer, Long>> readMasks(RegisterAccess inBand) {
        if (settings.mode() == StareProgram.Mode.REGISTER) {
            int capacity = entities.stateCapacity();
            return withRegisterAccess(inBand, () -> read(entities.statePortsFilter()).thenApply(entities::statePortsCells),
                    access -> access.read(0, capacity).thenApply(cells -> {
                        SortedMap<Integer, Long> masks = new TreeMap<>();
                        for (int state = 0; state < cells.length; state++) {
                            if (cells[state] != 0) {
                                masks.put(state, cells[state]);
                            }
                        }
                        return masks;
                    }));
        }
        return read(entities.stateForwardingFilter()).thenApply(found -> {
            SortedMap<Integer, Long> masks = new TreeMap<>();
            // Embedded groups are port masks: the group id of an entry is its subscriber mask.
            entities.stateForwardingEntries(found).forEach((state, group) -> masks.put(state, (long) group));
            return masks;
        });
    }

    private CompletionStage<Integer> restore(SortedMap<Integer, Long> known, RegisterAccess inBand) {
        List<Update> updates = new ArrayList<>();
        if (settings.mode() == StareProgram.Mode.REGISTER) {
            known.forEach((state, mask) -> updates.add(update(Update.Type.MODIFY, entities.statePortsCell(state, mask))));
        } else {
            known.values().stream().distinct().sorted().forEach(mask ->
                    updates.add(update(Update.Type.INSERT, P4Entities.multicastGroup((int) (long) mask, mask))));
            // Groups first: an entry never points at a missing group.
            List<Update> entries = new ArrayList<>();
            known.forEach((state, mask) -> entries.add(update(Update.Type.INSERT,
                    entities.stateForwarding(state, (int) (long) mask))));
            return write(updates).thenCompose(groups -> write(entries).thenApply(n -> groups + n));
        }
        return known.isEmpty() ? CompletableFuture.completedFuture(0)
                : withRegisterAccess(inBand, () -> write(updates), access -> access.write(known));
    }

    /**
     * Register mode's {@code state_ports} access as configured: {@code viaP4Runtime}, or
     * {@code viaInBand} with {@code inBand} (in-band only, or {@code auto} when a Read of a cell is
     * UNIMPLEMENTED).
     */
    private <T> CompletionStage<T> withRegisterAccess(RegisterAccess inBand,
                                                      java.util.function.Supplier<CompletionStage<T>> viaP4Runtime,
                                                      java.util.function.Function<RegisterAccess, CompletionStage<T>> viaInBand) {
        RegisterAccess.Choice choice = inBand == null ? RegisterAccess.Choice.P4RUNTIME
                : settings.state4().registerAccess();
        return switch (choice) {
            case P4RUNTIME -> viaP4Runtime.get();
            case IN_BAND -> viaInBand.apply(inBand);
            // Probed with a one-cell Read: a Write's UNIMPLEMENTED hides in its per-update details.
            case AUTO -> read(entities.statePortsCellFilter(0)).handle((cell, failure) -> failure == null
                    ? viaP4Runtime.get()
                    : Status.fromThrowable(failure).getCode() == Status.Code.UNIMPLEMENTED
                    ? viaInBand.apply(inBand)
                    : CompletableFuture.<T>failedFuture(failure)).thenCompose(stage -> stage);
        };
    }

    static Update update(Update.Type type, Entity entity) {
        return Update.newBuilder().setType(type).setEntity(entity).build();
    }

    private <T> CompletionStage<T> bounded(CompletionStage<T> call) {
        return call.toCompletableFuture().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
