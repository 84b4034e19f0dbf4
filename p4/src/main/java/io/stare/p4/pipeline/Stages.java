package io.stare.p4.pipeline;

import io.stare.protocol.address.MessageKind;
import io.stare.protocol.packet.Ethernet;
import io.stare.protocol.packet.Ipv4;
import io.stare.protocol.packet.StareFrameFlyweight;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Pipeline stages the register and embedded pipelines share. */
final class Stages {

    private Stages() {
    }

    static void checkIngressPort(int ingressPort, int portCount) {
        if (ingressPort < 0 || ingressPort >= portCount) {
            throw new IllegalArgumentException(
                    "ingress port " + ingressPort + " is not a front port (0.." + (portCount - 1) + ")");
        }
    }

    /**
     * Whether the fast path may take the frame {@code frame} wraps: a valid STARE Publish (exactly
     * what {@link Ingress#parse} turns into a Publish) in a buffer it may rewrite.
     */
    static boolean isFastPublish(StareFrameFlyweight frame) {
        return !frame.buffer().isReadOnly() && frame.validate().isValid()
                && frame.kindCode() == MessageKind.PUBLISH.code();
    }

    /** Wraps the fast path's frame after the checks {@code process} makes of its arguments. */
    static StareFrameFlyweight wrap(StareFrameFlyweight frame, int ingressPort, int portCount, ByteBuffer buffer,
                                    int offset, int length) {
        checkIngressPort(ingressPort, portCount);
        return frame.wrap(Objects.requireNonNull(buffer, "buffer"), offset, length);
    }

    /** The fast path's drop: counted as {@link #drop} counts it; nothing leaves. */
    static long dropInPlace(DropCounters drops, DropReason reason) {
        drops.increment(reason);
        return 0;
    }

    /**
     * The fast path's forward to {@code ports}: the TTL decremented in place as every copy the slow
     * path makes has it; an empty mask (a group that sends nothing) leaves the frame alone.
     */
    static long forwardInPlace(StareFrameFlyweight frame, long ports) {
        if (ports != 0) {
            frame.decrementTtl();
        }
        return ports;
    }

    static PipelineResult drop(DropCounters drops, DropReason reason) {
        drops.increment(reason);
        return PipelineResult.dropped(reason);
    }

    /**
     * Whether a packet about to leave by a front port must be dropped for its TTL. Checked once per
     * packet, in ingress and before the packet has any effect, so that a SUB message either acts
     * and is acked or does neither, and one packet counts once however many copies it would make.
     */
    static boolean ttlExpires(byte[] frame) {
        return FrameRewrite.ttl(frame) <= 1;
    }

    /** Ordinary IPv4: {@code ipv4_lpm} on the destination, then forward with the TTL decremented. */
    static PipelineResult route(Ipv4Lpm lpm, DropCounters drops, byte[] frame, Ipv4.Header header) {
        Optional<Ipv4Lpm.Action> action = lpm.lookup(header.destination());
        if (action.isEmpty() || !(action.get() instanceof Ipv4Lpm.Forward forward)) {
            return drop(drops, DropReason.NO_ROUTE);
        }
        if (ttlExpires(frame)) {
            return drop(drops, DropReason.TTL_EXPIRED);
        }
        return PipelineResult.of(
                List.of(new PipelineResult.Emission(forward.port(), FrameRewrite.decrementTtl(frame))), List.of());
    }

    /**
     * Packet-out FORWARD (a whole Ethernet header at least): the payload frame leaves by {@code egress_port} exactly as the controller
     * built it (packet-outs skip the STARE stages, TTL included).
     */
    static PipelineResult forward(int portCount, DropCounters drops, CpuHeaders.PacketOut header, byte[] payload) {
        if (header.egressPort() >= portCount || payload.length < Ethernet.HEADER_LENGTH) {
            return drop(drops, DropReason.BAD_PACKET_OUT);
        }
        return PipelineResult.of(List.of(new PipelineResult.Emission(header.egressPort(), payload)), List.of());
    }
}
