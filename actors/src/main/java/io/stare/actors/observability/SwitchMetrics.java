package io.stare.actors.observability;

import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.stare.p4.pipeline.DropReason;
import io.stare.p4.softswitch.PortCounters;
import io.stare.p4.softswitch.SoftSwitchNode;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Software switches as Prometheus metrics: per switch ({@code switch} label) frames in and out,
 * drops by reason and P4Runtime-side losses; per front port ({@code port="SWITCH:N"}) the UDP
 * tunnel's counters. Read from the running switches at each scrape.
 */
public final class SwitchMetrics {

    private static final MetricFamilies<SoftSwitchNode> SWITCHES = switches();

    private static final MetricFamilies<PortCounters> PORTS = new MetricFamilies<PortCounters>("port")
            .counter("stare_switch_port_received_total", "frames received on the port", PortCounters::received)
            .counter("stare_switch_port_sent_total", "frames sent out of the port", PortCounters::sent)
            .counter("stare_switch_port_dropped_total", "frames the port dropped on their way out (no peer, queue "
                    + "full, oversize, closed)", PortCounters::dropped)
            .counter("stare_switch_port_receive_errors_total", "datagrams whose delivery into the switch failed",
                    PortCounters::receiveErrors);

    private SwitchMetrics() {
    }

    private static MetricFamilies<SoftSwitchNode> switches() {
        MetricFamilies<SoftSwitchNode> text = new MetricFamilies<SoftSwitchNode>("switch")
                .gauge("stare_switch_pipeline_installed", "1 once a P4 program is installed",
                        n -> n.softSwitch().hasPipeline() ? 1 : 0)
                .counter("stare_switch_frames_in_total", "frames the pipeline processed", n -> n.softSwitch().framesIn())
                .counter("stare_switch_frames_out_total", "frames the pipeline emitted", n -> n.softSwitch().framesOut())
                .counter("stare_switch_frames_without_pipeline_total", "frames dropped before a program was installed",
                        n -> n.softSwitch().framesWithoutPipeline())
                .counter("stare_switch_packet_ins_dropped_total", "packet-ins the P4Runtime stream could not take",
                        n -> n.server().packetInsDropped() + n.server().packetInsWithoutController())
                .counter("stare_switch_controller_streams_ended_total",
                        "P4Runtime streams their controller ended (a stopping agent)",
                        n -> n.server().controllerStreamsEnded())
                .counter("stare_switch_controller_streams_broken_total",
                        "P4Runtime streams that broke (cancelled, reset, the connection lost)",
                        n -> n.server().controllerStreamsBroken());
        for (DropReason reason : DropReason.values()) {
            text.counter("stare_switch_drops_" + reason.name().toLowerCase(Locale.ROOT) + "_total",
                    "frames the pipeline dropped: " + reason.name(), n -> n.softSwitch().drops(reason));
        }
        return text;
    }

    /** These switches' metrics, keyed by name. */
    public static MetricSnapshots snapshots(Map<String, SoftSwitchNode> nodes) {
        Map<String, PortCounters> ports = new LinkedHashMap<>();
        nodes.forEach((name, node) -> node.portAddresses().keySet()
                .forEach(port -> ports.put(name + ":" + port, node.ports().counters(port))));
        return Exposition.merge(SWITCHES.snapshots(nodes), PORTS.snapshots(ports));
    }
}
