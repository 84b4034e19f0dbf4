package io.stare.actors.observability;

import io.stare.actors.middleware.Middleware;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.Map;

/** The middlewares' counters ({@link Middleware.Stats}) as Prometheus metrics, labelled {@code server}. */
public final class MiddlewareMetrics {

    private static final MetricFamilies<Middleware.Stats> TEXT = new MetricFamilies<Middleware.Stats>("server")
            .counter("stare_middleware_publishes_total", "updates published by this server's VNFs",
                    Middleware.Stats::updatesPublished)
            .counter("stare_middleware_publishes_refused_total", "publishes refused (undeclared state, "
                    + "back-pressure, too large, unavailable)", Middleware.Stats::publishesRefused)
            .counter("stare_middleware_deliveries_network_total", "whole updates received from the network",
                    Middleware.Stats::deliveredFromNetwork)
            .counter("stare_middleware_deliveries_local_total", "updates delivered from a VNF of the same server",
                    Middleware.Stats::localDeliveries)
            .counter("stare_middleware_kept_local_total", "updates not sent to the network: no other server subscribes",
                    Middleware.Stats::keptLocal)
            .counter("stare_middleware_recover_requests_total", "RECOVER requests sent to the replica controller",
                    Middleware.Stats::recoverRequests)
            .counter("stare_middleware_recovered_segments_total", "segments recovered from the backlog",
                    Middleware.Stats::recoveredSegments)
            .counter("stare_middleware_unrecoverable_updates_total", "updates reported to VNFs as lost for good",
                    Middleware.Stats::unrecoverableUpdates)
            .counter("stare_middleware_inbound_dropped_total", "updates dropped because a VNF did not keep up",
                    Middleware.Stats::inboundDropped)
            .counter("stare_middleware_sub_retransmissions_total", "SUB-register / SUB-remove repeated (ARQ)",
                    s -> s.arq().retransmissions())
            .counter("stare_middleware_sub_abandoned_total", "SUB messages given up after every retransmission",
                    s -> s.arq().abandoned())
            .gauge("stare_middleware_sub_pending", "SUB messages awaiting the switch's SUB-ack", s -> s.arq().pending())
            .gauge("stare_middleware_unconfirmed_appends", "published updates the backlog has not confirmed",
                    Middleware.Stats::unconfirmedAppends)
            .gauge("stare_middleware_inbound_queued", "updates waiting in the INT modules for their VNFs",
                    Middleware.Stats::inboundQueued)
            .gauge("stare_middleware_outbound_queued", "publishes waiting in the publish log for the main path to send",
                    Middleware.Stats::outboundQueued)
            .gauge("stare_middleware_publish_log_bytes", "memory the publish log holds (grows with what waits for "
                    + "the backlog's confirmation)", Middleware.Stats::publishLogBytes)
            .counter("stare_middleware_sent_from_vnf_threads_total", "times a VNF's thread sent the publish log "
                    + "itself while the main path slept", Middleware.Stats::sentFromVnfThreads)
            .counter("stare_middleware_appended_segments_total", "segments sent to the backlog by Append",
                    Middleware.Stats::segmentsAppended)
            .counter("stare_middleware_frames_sent_total", "frames sent to the network", s -> s.transport().sent())
            .counter("stare_middleware_frames_received_total", "frames received from the network",
                    s -> s.transport().received())
            .counter("stare_middleware_frames_dropped_total", "frames refused on the way out (oversize, socket closed)",
                    s -> s.transport().dropped())
            .counter("stare_middleware_frames_foreign_total", "datagrams ignored: not from the switch port or "
                    + "not for this server", s -> s.transport().foreign())
            .counter("stare_middleware_decode_errors_total", "received frames the decoder refused",
                    s -> s.decodeErrors() + s.transport().malformed())
            .counter("stare_middleware_frames_inactive_total", "publish frames of states this server does not receive",
                    Middleware.Stats::inactiveDropped)
            .counter("stare_middleware_publish_unauthenticated_total", "publish segments dropped because their tag "
                    + "was missing or did not verify under the state's key (forged, corrupted or replayed)",
                    Middleware.Stats::unauthenticated)
            .counter("stare_middleware_handler_errors_total", "exceptions thrown by VNFs' inline update handlers "
                    + "(counted and logged, never thrown into the data path)", Middleware.Stats::handlerErrors);

    private MiddlewareMetrics() {
    }

    /** These middlewares' stats, keyed by server ID. */
    public static MetricSnapshots snapshots(Map<String, Middleware.Stats> stats) {
        return TEXT.snapshots(stats);
    }
}
