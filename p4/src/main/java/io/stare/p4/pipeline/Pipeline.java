package io.stare.p4.pipeline;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * One switch's data plane, run in Java: a frame in by a front port, or a packet-out in by the CPU
 * port, gives a {@link PipelineResult}. Implementations follow docs/dataplane.md bit for bit.
 *
 * <p>Frames and packet-out messages are untrusted: no byte sequence makes {@code process} or
 * {@code processPacketOut} throw; bad input is dropped and counted in {@link #drops()}. An ingress
 * port outside 0..P-1 is a caller bug and throws {@link IllegalArgumentException}.
 *
 * <p>Publishes, the bulk of the traffic, also have a fast path, {@link #forwardInPlace}, that
 * allocates nothing and rewrites the frame where it lies; whatever it does not take it hands back,
 * untouched and uncounted, for {@link #process}.
 *
 * <p>Implementations are not thread-safe: one owner (the switch agent) drives each pipeline, and
 * only {@link #drops()} may be read from elsewhere.
 */
public interface Pipeline {

    /** The default number of front ports ({@code STARE_PORTS}). */
    int DEFAULT_PORTS = 8;
    /**
     * The most front ports a pipeline supports: multicast group ids are port masks, and v1model's
     * group id is 16 bits.
     */
    int MAX_PORTS = ReplicationEngine.MAX_MASK_GROUP_PORTS;

    /**
     * {@link #forwardInPlace}'s answer for a frame it leaves to {@link #process}: the frame is
     * unchanged and nothing was counted.
     */
    long SLOW = -1;

    /** P, the number of front ports (numbered 0..P-1). */
    int portCount();

    /** Processes a frame that arrived on front port {@code ingressPort}. */
    PipelineResult process(int ingressPort, byte[] frame);

    /**
     * The zero-allocation fast path for a Publish frame of {@code length} bytes at absolute index
     * {@code offset} of {@code buffer} that arrived on front port {@code ingressPort}. It has exactly
     * the effect {@link #process process(ingressPort, frame)} has on a copy of those bytes, or none:
     * <ul>
     *   <li>a valid Publish the slow path forwards: the frame's TTL is decremented in place (IPv4
     *       checksum updated incrementally) and the result is the mask of the egress ports, bit
     *       {@code p} for port {@code p}. Sending the rewritten frame out of those ports in
     *       ascending order is what {@code process} emits, byte for byte and in order;</li>
     *   <li>a valid Publish the slow path sends nowhere: dropped and counted in {@link #drops()}
     *       exactly as {@code process} would (no subscriber, TTL expired, state out of range), or
     *       sent to a missing, empty or fully pruned group; the frame is left unchanged and the
     *       result is 0;</li>
     *   <li>anything else (not a valid STARE Publish: SUB messages, SUB-acks, other IPv4, malformed
     *       frames; a group whose copies the fast path cannot express as a port mask, i.e. not one
     *       per port in ascending port order; a read-only buffer): {@link #SLOW}, with the frame
     *       unchanged and nothing counted, and the caller runs {@code process} on a copy.</li>
     * </ul>
     * The buffer's position, limit and order are left alone.
     *
     * <p>This default takes nothing: an implementation without a fast path answers {@link #SLOW}.
     *
     * @throws IllegalArgumentException if {@code ingressPort} is not a front port, as {@code process}
     * @throws IndexOutOfBoundsException if the range is not within the buffer's limit
     */
    default long forwardInPlace(int ingressPort, ByteBuffer buffer, int offset, int length) {
        Stages.checkIngressPort(ingressPort, portCount());
        Objects.checkFromIndexSize(offset, length, buffer.limit());
        return SLOW;
    }

    /** Processes a whole packet-out message from the CPU port: the 8-byte header, then the payload. */
    PipelineResult processPacketOut(byte[] message);

    /** Processes a packet-out whose header is already decoded. */
    PipelineResult processPacketOut(CpuHeaders.PacketOut header, byte[] payload);

    /** The multicast groups and clone sessions. */
    ReplicationEngine replication();

    /** The {@code ipv4_lpm} table for traffic that is not STARE. */
    Ipv4Lpm ipv4Lpm();

    /** The {@code drops} counters. */
    DropCounters drops();
}
