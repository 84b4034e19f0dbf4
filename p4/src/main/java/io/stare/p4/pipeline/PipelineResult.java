package io.stare.p4.pipeline;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one packet did to a pipeline's outputs: the frames it sent out of front ports, the messages
 * it sent to the controller, and, if it was dropped and counted, why. Immutable.
 *
 * <p>A result can be empty without a drop reason: a SET_CLONE_FLAG packet-out, a Publish whose only
 * copy was pruned in egress (embedded mode), or a multicast group that is not installed.
 *
 * @param emissions frames sent out of front ports, in replication order
 * @param packetIns messages to the controller, in the order the pipeline made them
 * @param drop why the packet was dropped, if it was (then there are no other outputs)
 */
public record PipelineResult(List<Emission> emissions, List<PacketInMessage> packetIns, Optional<DropReason> drop) {

    /**
     * A frame leaving by a front port.
     *
     * @param port the egress port
     * @param frame the Ethernet frame (copied in and out)
     */
    public record Emission(int port, byte[] frame) {
        public Emission {
            frame = frame.clone();
        }

        @Override
        public byte[] frame() {
            return frame.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Emission e && port == e.port && Arrays.equals(frame, e.frame);
        }

        @Override
        public int hashCode() {
            return 31 * port + Arrays.hashCode(frame);
        }

        @Override
        public String toString() {
            return "Emission[port=" + port + ", " + frame.length + " bytes]";
        }
    }

    /**
     * A packet-in: the header and the payload that follows it on the CPU port.
     *
     * @param header the {@code packet_in} header
     * @param payload the received frame, or register values (copied in and out)
     */
    public record PacketInMessage(CpuHeaders.PacketIn header, byte[] payload) {
        public PacketInMessage {
            Objects.requireNonNull(header, "header");
            payload = payload.clone();
        }

        @Override
        public byte[] payload() {
            return payload.clone();
        }

        /** Header and payload as one message, as it crosses the CPU port. */
        public byte[] toBytes() {
            return header.encode(payload);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof PacketInMessage m && header.equals(m.header) && Arrays.equals(payload, m.payload);
        }

        @Override
        public int hashCode() {
            return 31 * header.hashCode() + Arrays.hashCode(payload);
        }

        @Override
        public String toString() {
            return "PacketInMessage[" + header + ", " + payload.length + " bytes]";
        }
    }

    public PipelineResult {
        emissions = List.copyOf(emissions);
        packetIns = List.copyOf(packetIns);
        Objects.requireNonNull(drop, "drop");
        if (drop.isPresent() && !(emissions.isEmpty() && packetIns.isEmpty())) {
            throw new IllegalArgumentException("a dropped packet has no outputs");
        }
    }

    /** A packet dropped for {@code reason}. */
    public static PipelineResult dropped(DropReason reason) {
        return new PipelineResult(List.of(), List.of(), Optional.of(reason));
    }

    /** A packet that was not dropped. */
    public static PipelineResult of(List<Emission> emissions, List<PacketInMessage> packetIns) {
        return new PipelineResult(emissions, packetIns, Optional.empty());
    }

    /** Whether the packet was dropped and counted. */
    public boolean isDropped() {
        return drop.isPresent();
    }
}
