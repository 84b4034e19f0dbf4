package io.stare.actors.observability;

import io.stare.actors.controller.ControllerStatus;
import io.stare.actors.controller.IdRegistry;
import io.stare.actors.controller.StateBacklog;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The replica controller's status ({@link ControllerStatus.Report}) as Prometheus metrics: per
 * state its backlog ({@code state} label), per controller node its shards ({@code node}), and the
 * cluster's membership and ID counts ({@code cluster="stare"}).
 */
public final class ControllerMetrics {

    private static final MetricFamilies<StateBacklog.Status> BACKLOGS = new MetricFamilies<StateBacklog.Status>("state")
            .gauge("stare_backlog_bytes", "payload bytes held in the state's backlog", StateBacklog.Status::bytes)
            .gauge("stare_backlog_segments", "segments held", StateBacklog.Status::segments)
            .gauge("stare_backlog_updates", "updates held, whole or in part", StateBacklog.Status::updates)
            .gauge("stare_backlog_horizon", "the first update still held or to come", StateBacklog.Status::horizon)
            .gauge("stare_backlog_latest_update", "the newest update appended", StateBacklog.Status::latest)
            .gauge("stare_backlog_subscribers", "servers subscribed to the state", StateBacklog.Status::subscribers)
            .gauge("stare_backlog_need_resync", "subscribers excluded for silence", StateBacklog.Status::needResync)
            .counter("stare_backlog_evicted_segments_total", "segments dropped by the hard cap",
                    StateBacklog.Status::evictedByCap);

    private static final MetricFamilies<ControllerStatus.NodeShards> NODES =
            new MetricFamilies<ControllerStatus.NodeShards>("node")
                    .gauge("stare_controller_shards", "backlog shards on the controller node",
                            ControllerStatus.NodeShards::shards)
                    .gauge("stare_controller_backlogs", "backlogs alive on the controller node",
                            ControllerStatus.NodeShards::entities)
                    .gauge("stare_controller_node_answered", "1 if the node answered the status query",
                            n -> n.problem().isEmpty() ? 1 : 0);

    private static final MetricFamilies<ControllerStatus.Report> CLUSTER =
            new MetricFamilies<ControllerStatus.Report>("cluster")
                    .gauge("stare_controller_members", "cluster members", r -> r.members().size())
                    .gauge("stare_controller_members_unreachable", "members this node finds unreachable",
                            r -> r.members().stream().filter(m -> !m.reachable()).count())
                    .gauge("stare_controller_nodes", "members hosting backlogs",
                            r -> r.members().stream().filter(ControllerStatus.MemberInfo::controller).count())
                    .gauge("stare_ids_vnfs", "VNF IDs assigned", r -> r.registry().map(IdRegistry.Status::vnfs).orElse(-1))
                    .gauge("stare_ids_states", "state IDs assigned",
                            r -> r.registry().map(IdRegistry.Status::states).orElse(-1));

    private ControllerMetrics() {
    }

    /** One status report's metrics. */
    public static MetricSnapshots snapshots(ControllerStatus.Report report) {
        Map<String, StateBacklog.Status> backlogs = new LinkedHashMap<>();
        report.backlogs().forEach(b -> backlogs.put(Integer.toString(b.stateId()), b));
        Map<String, ControllerStatus.NodeShards> nodes = new LinkedHashMap<>();
        report.shards().forEach(n -> nodes.put(n.address(), n));
        return Exposition.merge(CLUSTER.snapshots(Map.of("stare", report)), NODES.snapshots(nodes),
                BACKLOGS.snapshots(backlogs));
    }
}
