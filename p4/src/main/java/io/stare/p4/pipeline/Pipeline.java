package io.stare.p4.pipeline;

/**
 * One switch's data plane, run in Java: a frame in by a front port, or a packet-out in by the CPU
 * port, gives a {@link PipelineResult}. Implementations follow docs/dataplane.md bit for bit.
 *
 * <p>Frames and packet-out messages are untrusted: no byte sequence makes {@code process} or
 * {@code processPacketOut} throw; bad input is dropped and counted in {@link #drops()}. An ingress
 * port outside 0..P-1 is a caller bug and throws {@link IllegalArgumentException}.
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

    /** P, the number of front ports (numbered 0..P-1). */
    int portCount();

    /** Processes a frame that arrived on front port {@code ingressPort}. */
    PipelineResult process(int ingressPort, byte[] frame);

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
