package io.stare.actors.agent;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The agents' views in the Prometheus text exposition format (version 0.0.4): one sample per
 * metric and switch, labelled {@code switch="NAME"}. Pure: the HTTP endpoint only serves its output.
 */
public final class AgentMetrics {

    private record Metric(String name, String type, String help) {
    }

    private static final List<Metric> METRICS = List.of(
            new Metric("stare_agent_connected", "gauge", "1 while the StreamChannel is open and arbitrated"),
            new Metric("stare_agent_primary", "gauge", "1 while this agent is the primary controller"),
            new Metric("stare_agent_ready", "gauge", "1 once, as primary, the switch is set up"),
            new Metric("stare_agent_pipeline_pushes_total", "counter", "pipelines pushed by this agent"),
            new Metric("stare_agent_rules", "gauge", "entities the agent knows on the switch"),
            new Metric("stare_agent_subscribed_states", "gauge", "states with at least one subscriber port"),
            new Metric("stare_agent_state_capacity", "gauge", "register mode: state slots of the pipeline"),
            new Metric("stare_agent_table_utilisation", "gauge", "register mode: subscribed states / capacity"),
            new Metric("stare_agent_rule_installs_total", "counter", "embedded mode: rule installations"),
            new Metric("stare_agent_rule_install_seconds_max", "gauge", "embedded mode: longest rule installation"),
            new Metric("stare_agent_arq_pending", "gauge", "propagated SUB messages awaiting the neighbour's SUB-ack"),
            new Metric("stare_agent_arq_retransmissions_total", "counter", "propagated SUB messages repeated"),
            new Metric("stare_agent_arq_abandoned_total", "counter", "propagated SUB messages given up"),
            new Metric("stare_agent_reconnects_total", "counter", "StreamChannel re-establishments"),
            new Metric("stare_agent_reconfigurations_last_pause_seconds", "gauge",
                    "last State4 reconfiguration: COMMIT sent to acknowledged"));

    private AgentMetrics() {
    }

    /** The exposition text for the agents' views, keyed by switch name. */
    public static String render(Map<String, AgentView> views) {
        StringBuilder out = new StringBuilder();
        for (Metric metric : METRICS) {
            out.append("# HELP ").append(metric.name()).append(' ').append(metric.help()).append('\n');
            out.append("# TYPE ").append(metric.name()).append(' ').append(metric.type()).append('\n');
            views.forEach((name, view) -> out.append(metric.name()).append("{switch=\"").append(escape(name))
                    .append("\"} ").append(format(value(metric.name(), view))).append('\n'));
        }
        return out.toString();
    }

    private static double value(String metric, AgentView v) {
        return switch (metric) {
            case "stare_agent_connected" -> v.connected() ? 1 : 0;
            case "stare_agent_primary" -> v.primary() ? 1 : 0;
            case "stare_agent_ready" -> v.ready() ? 1 : 0;
            case "stare_agent_pipeline_pushes_total" -> v.pipelinePushes();
            case "stare_agent_rules" -> v.rulesInstalled();
            case "stare_agent_subscribed_states" -> v.subscriptions().size();
            case "stare_agent_state_capacity" -> v.stateCapacity();
            case "stare_agent_table_utilisation" -> v.stateCapacity() == 0 ? 0
                    : (double) v.subscriptions().size() / v.stateCapacity();
            case "stare_agent_rule_installs_total" -> v.installs().count();
            case "stare_agent_rule_install_seconds_max" -> v.installs().max().toNanos() / 1e9;
            case "stare_agent_arq_pending" -> v.arq().pending();
            case "stare_agent_arq_retransmissions_total" -> v.arq().retransmissions();
            case "stare_agent_arq_abandoned_total" -> v.arq().abandoned();
            case "stare_agent_reconnects_total" -> v.reconnects();
            case "stare_agent_reconfigurations_last_pause_seconds" ->
                    v.lastReconfiguration().map(r -> r.commitTime().toNanos() / 1e9).orElse(0.0);
            default -> throw new IllegalStateException("no value for " + metric);
        };
    }

    private static String format(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15
                ? Long.toString((long) value) : String.format(Locale.ROOT, "%.6g", value);
    }

    private static String escape(String label) {
        return label.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
