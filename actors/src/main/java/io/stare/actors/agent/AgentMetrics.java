package io.stare.actors.agent;

import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.stare.actors.observability.MetricFamilies;
import java.util.Map;

/**
 * The agents' views as Prometheus metrics: one data point per metric and switch, labelled
 * {@code switch="NAME"}. Pure: the HTTP endpoint only serves its output.
 */
public final class AgentMetrics {

    private static final MetricFamilies<AgentView> TEXT = new MetricFamilies<AgentView>("switch")
            .gauge("stare_agent_connected", "1 while the StreamChannel is open and arbitrated",
                    v -> v.connected() ? 1 : 0)
            .gauge("stare_agent_primary", "1 while this agent is the primary controller", v -> v.primary() ? 1 : 0)
            .gauge("stare_agent_ready", "1 once, as primary, the switch is set up", v -> v.ready() ? 1 : 0)
            .counter("stare_agent_pipeline_pushes_total", "pipelines pushed by this agent", AgentView::pipelinePushes)
            .gauge("stare_agent_rules", "entities the agent knows on the switch", AgentView::rulesInstalled)
            .gauge("stare_agent_subscribed_states", "states with at least one subscriber port",
                    v -> v.subscriptions().size())
            .gauge("stare_agent_state_capacity", "register mode: state slots of the pipeline", AgentView::stateCapacity)
            .gauge("stare_agent_table_utilisation", "register mode: subscribed states / capacity",
                    v -> v.stateCapacity() == 0 ? 0 : (double) v.subscriptions().size() / v.stateCapacity())
            .counter("stare_agent_rule_installs_total", "embedded mode: rule installations", v -> v.installs().count())
            .gauge("stare_agent_rule_install_seconds_max", "embedded mode: longest rule installation",
                    v -> v.installs().max().toNanos() / 1e9)
            .gauge("stare_agent_arq_pending", "propagated SUB messages awaiting the neighbour's SUB-ack",
                    v -> v.arq().pending())
            .counter("stare_agent_arq_retransmissions_total", "propagated SUB messages repeated",
                    v -> v.arq().retransmissions())
            .counter("stare_agent_arq_abandoned_total", "propagated SUB messages given up", v -> v.arq().abandoned())
            .counter("stare_agent_reconnects_total", "StreamChannel re-establishments", AgentView::reconnects)
            .counter("stare_agent_errors_total", "failures seen: StreamChannel ends, failed P4Runtime calls, "
                    + "set-ups, rule installations, reconfigurations", AgentView::errors)
            .gauge("stare_agent_reconfigurations_last_pause_seconds",
                    "last State4 reconfiguration: COMMIT sent to acknowledged",
                    v -> v.lastReconfiguration().map(r -> r.commitTime().toNanos() / 1e9).orElse(0.0));

    private AgentMetrics() {
    }

    /** The agents' views, keyed by switch name. */
    public static MetricSnapshots snapshots(Map<String, AgentView> views) {
        return TEXT.snapshots(views);
    }
}
