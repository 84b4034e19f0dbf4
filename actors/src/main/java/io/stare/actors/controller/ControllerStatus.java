package io.stare.actors.controller;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.ActorSelection;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.pattern.Patterns;

/**
 * A snapshot of a running replica controller cluster, taken from any member of it (the
 * {@code stare controller status} command joins as a member that hosts nothing):
 * <ul>
 *   <li>the members, from this node's view of the membership, and which controller node is the
 *       oldest (the host of the {@link IdRegistry} singleton and of the shard coordinator);</li>
 *   <li>per controller node, its {@link StateBacklog} shards and the entities (backlogs) alive in
 *       them;</li>
 *   <li>how many VNF and state IDs the registry has assigned;</li>
 *   <li>the figures of the first {@code limit} states' backlogs (state IDs are assigned densely
 *       from 0), largest first.</li>
 * </ul>
 *
 * <p>Shard distribution: every controller node's own shard region
 * ({@code /system/sharding/StateBacklog} at its address) is asked {@code GetShardRegionStats}
 * directly, one ask per node. {@code GetClusterShardingStats} through this node's sharding would
 * need this node to host shards or its proxy to have registered with the coordinator (a fresh
 * proxy answers empty), and it folds a node that does not answer into an empty one; asking each
 * region tells "no shards" from "no answer".
 *
 * <p>Every ask is bounded by the timeout and runs concurrently with the others. A part that does
 * not answer is reported as unanswered ({@link Report#complete()} is then false); the rest of the
 * report stands. Asking a backlog's figures starts its entity if it was passivated (it recovers
 * from the journal); it changes nothing.
 */
public final class ControllerStatus {

    private ControllerStatus() {
    }

    /**
     * One cluster member as this node sees it.
     *
     * @param address its address, {@code pekko://stare@host:port}
     * @param roles its roles (without Pekko's {@code dc-} data-center role)
     * @param status Joining, Up, Leaving, Exiting, Down...
     * @param reachable whether this node's failure detector (or the gossip) considers it reachable
     * @param controller whether it hosts backlogs (has the controller role)
     * @param oldestController whether it is the oldest controller node: the ID registry runs there
     * @param self whether this is the node that took the snapshot
     */
    public record MemberInfo(String address, List<String> roles, String status, boolean reachable, boolean controller,
                             boolean oldestController, boolean self) {
    }

    /**
     * One controller node's shards.
     *
     * @param address the node
     * @param entitiesPerShard shard ID to the number of backlogs alive in it; empty if it did not answer
     * @param failedShards shards that did not answer their region in time
     * @param problem why there are no figures ({@code Optional.empty()} when it answered)
     */
    public record NodeShards(String address, Map<String, Integer> entitiesPerShard, Set<String> failedShards,
                             Optional<String> problem) {

        public int shards() {
            return entitiesPerShard.size();
        }

        public int entities() {
            return entitiesPerShard.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    /**
     * The whole snapshot.
     *
     * @param self this node's address
     * @param members every member, controller nodes first, oldest first
     * @param shards the shards per controller node, in the members' order
     * @param registry the registry's counts, empty if it did not answer
     * @param registryProblem why there are no counts
     * @param backlogs the backlogs that answered, most bytes first
     * @param backlogsAsked how many state IDs were asked (0..backlogsAsked-1)
     * @param backlogsUnanswered the state IDs among them that did not answer
     */
    public record Report(String self, List<MemberInfo> members, List<NodeShards> shards,
                         Optional<IdRegistry.Status> registry, Optional<String> registryProblem,
                         List<StateBacklog.Status> backlogs, int backlogsAsked, List<Integer> backlogsUnanswered) {

        /** Whether every part answered. */
        public boolean complete() {
            return registry.isPresent() && backlogsUnanswered.isEmpty()
                    && shards.stream().allMatch(n -> n.problem().isEmpty() && n.failedShards().isEmpty());
        }
    }

    /**
     * Takes the snapshot.
     *
     * @param system a member of the cluster (Up, so that its view of the membership is current)
     * @param router this node's router ({@link ControllerCluster#start})
     * @param limit the most backlogs to ask (state IDs 0..limit-1)
     * @param timeout the bound on each ask; the whole snapshot takes about twice that at most
     */
    public static CompletionStage<Report> collect(ActorSystem<?> system, ActorRef<ReplicaController.Command> router,
                                                  int limit, Duration timeout) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative: " + limit);
        }
        String role = system.settings().config().getString("stare.controller.role");
        List<MemberInfo> members = members(system, role);
        List<CompletableFuture<NodeShards>> shardAsks = new ArrayList<>();
        for (MemberInfo member : members) {
            if (member.controller()) {
                shardAsks.add(shards(system, member.address(), timeout));
            }
        }
        CompletableFuture<Optional<IdRegistry.Status>> registry = AskPattern.<ReplicaController.Command,
                        IdRegistry.Status>ask(router, ReplicaController.GetRegistryStatus::new, timeout,
                        system.scheduler())
                .toCompletableFuture()
                .handle((status, error) -> Optional.ofNullable(status));
        CompletableFuture<List<Optional<StateBacklog.Status>>> backlogs = registry.thenCompose(counts -> {
            int asked = counts.map(c -> Math.min(c.states(), limit)).orElse(0);
            List<CompletableFuture<Optional<StateBacklog.Status>>> asks = new ArrayList<>();
            for (int id = 0; id < asked; id++) {
                int stateId = id;
                asks.add(AskPattern.<ReplicaController.Command, StateBacklog.Status>ask(router,
                                replyTo -> new ReplicaController.GetBacklogStatus(stateId, replyTo), timeout,
                                system.scheduler())
                        .toCompletableFuture()
                        .handle((status, error) -> Optional.ofNullable(status)));
            }
            return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
                    .thenApply(done -> asks.stream().map(CompletableFuture::join).toList());
        });
        // Everything joined below is complete first: the continuation never blocks a thread.
        CompletableFuture<?> all = CompletableFuture.allOf(
                CompletableFuture.allOf(shardAsks.toArray(CompletableFuture[]::new)), backlogs, registry);
        return all.thenApply(done -> {
            List<StateBacklog.Status> answered = new ArrayList<>();
            List<Integer> unanswered = new ArrayList<>();
            List<Optional<StateBacklog.Status>> results = backlogs.join();
            for (int id = 0; id < results.size(); id++) {
                if (results.get(id).isPresent()) {
                    answered.add(results.get(id).get());
                } else {
                    unanswered.add(id);
                }
            }
            answered.sort(Comparator.comparingLong(StateBacklog.Status::bytes).reversed()
                    .thenComparingInt(StateBacklog.Status::stateId));
            Optional<IdRegistry.Status> counts = registry.join();
            return new Report(Cluster.get(system).selfMember().address().toString(), members,
                    shardAsks.stream().map(CompletableFuture::join).toList(), counts,
                    counts.isPresent() ? Optional.empty()
                            : Optional.of("the ID registry did not answer within " + seconds(timeout)
                            + " (no controller node, or the registry is moving)"),
                    answered, results.size(), unanswered);
        });
    }

    /** The members as {@code system} sees them: controller nodes first, each group oldest first. */
    static List<MemberInfo> members(ActorSystem<?> system, String controllerRole) {
        Cluster cluster = Cluster.get(system);
        ClusterEvent.CurrentClusterState state = cluster.state();
        Set<Member> unreachable = state.getUnreachable();
        List<Member> all = new ArrayList<>();
        state.getMembers().forEach(all::add);
        Comparator<Member> byAge = (a, b) -> a.equals(b) ? 0 : a.isOlderThan(b) ? -1 : 1;
        all.sort(Comparator.<Member, Boolean>comparing(m -> !m.hasRole(controllerRole)).thenComparing(byAge));
        // The singleton runs on the oldest Up (or Leaving) member with the role.
        Optional<Member> oldest = all.stream()
                .filter(m -> m.hasRole(controllerRole))
                .filter(m -> m.status() == MemberStatus.up() || m.status() == MemberStatus.leaving())
                .min(byAge);
        List<MemberInfo> members = new ArrayList<>();
        for (Member m : all) {
            List<String> roles = new ArrayList<>(new TreeSet<>(m.getRoles()));
            roles.removeIf(r -> r.startsWith("dc-"));
            members.add(new MemberInfo(m.address().toString(), List.copyOf(roles), m.status().toString(),
                    !unreachable.contains(m), m.hasRole(controllerRole), oldest.map(m::equals).orElse(false),
                    m.address().equals(cluster.selfMember().address())));
        }
        return List.copyOf(members);
    }

    /** Asks one node's StateBacklog region for its shards and entity counts. */
    private static CompletableFuture<NodeShards> shards(ActorSystem<?> system, String address, Duration timeout) {
        ActorSelection region = system.classicSystem().actorSelection(address + "/system/sharding/"
                + URLEncoder.encode(StateBacklog.TYPE_KEY.name(), StandardCharsets.UTF_8));
        return Patterns.ask(region, ShardRegion.getRegionStatsInstance(), timeout)
                .toCompletableFuture()
                .handle((answer, error) -> {
                    if (answer instanceof ShardRegion.ShardRegionStats stats) {
                        Map<String, Integer> perShard = new TreeMap<>();
                        stats.getStats().forEach((shard, entities) -> perShard.put(shard, ((Number) entities).intValue()));
                        return new NodeShards(address, perShard,
                                new TreeSet<>(stats.getFailed()), Optional.empty());
                    }
                    return new NodeShards(address, Map.of(), Set.of(), Optional.of(error != null
                            ? "no answer within " + seconds(timeout)
                            : "unexpected answer " + answer));
                });
    }

    private static String seconds(Duration timeout) {
        return timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms";
    }
}
