package io.stare.bench.rules;

import io.stare.p4.bmv2.FrameTap;
import io.stare.p4.pipeline.PipelineResult;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.packet.Ethernet;
import io.stare.protocol.packet.PacketCodec;
import io.stare.protocol.packet.StarePacket;
import java.io.IOException;
import java.time.Duration;
import java.util.BitSet;
import java.util.Optional;

/**
 * Register-mode subscriptions set the way the network sets them: SUB-register (or SUB-remove)
 * frames into one front port of the switch, through a {@link FrameTap}, each confirmed by its
 * SUB-ack. The switch sends the ack after writing the register cell, so an acked state is a rule in
 * place (or gone); BMv2's P4Runtime server could not write the register anyway.
 */
final class InBandSubscriptions {

    /** Frames sent before their acks are collected: well within a raw socket's receive buffer. */
    static final int FRAMES_PER_COLLECT = 32;
    private static final Duration ACK_WAIT = Duration.ofSeconds(10);
    private static final Duration ACK_QUIET = Duration.ofMillis(20);

    private final FrameTap tap;
    private final int port;

    InBandSubscriptions(FrameTap tap, int port) {
        this.tap = tap;
        this.port = port;
    }

    /** Sends a {@code kind} frame for each state {@code from .. to-1} and waits for every state's SUB-ack. */
    void send(MessageKind kind, int from, int to) throws IOException {
        for (int first = from; first < to; first += FRAMES_PER_COLLECT) {
            int last = Math.min(to, first + FRAMES_PER_COLLECT);
            for (int state = first; state < last; state++) {
                tap.send(port, RuleMemory.subscriptionFrame(kind, state));
            }
            awaitAcks(first, last);
        }
    }

    /** Waits until a SUB-ack for every state {@code first .. last-1} has left the port. */
    private void awaitAcks(int first, int last) throws IOException {
        BitSet acked = new BitSet();
        long deadline = System.nanoTime() + ACK_WAIT.toNanos();
        while (acked.cardinality() < last - first && System.nanoTime() < deadline) {
            for (PipelineResult.Emission out : tap.collect(last - first - acked.cardinality(), ACK_WAIT, ACK_QUIET)) {
                ackedState(port, out).filter(s -> s >= first && s < last).ifPresent(s -> acked.set(s - first));
            }
        }
        if (acked.cardinality() < last - first) {
            throw new IOException("the switch acked " + acked.cardinality() + " of the SUB messages for states "
                    + first + ".." + (last - 1) + " within " + ACK_WAIT);
        }
    }

    /** The state of {@code out} if it is a SUB-ack that left {@code port}. */
    static Optional<Integer> ackedState(int port, PipelineResult.Emission out) {
        if (out.port() != port) {
            return Optional.empty();
        }
        var frame = Ethernet.unwrap(out.frame());
        if (!frame.isOk()) {
            return Optional.empty();
        }
        var packet = PacketCodec.decode(frame.orElseThrow().payload());
        if (!packet.isOk()) {
            return Optional.empty();
        }
        StarePacket stare = packet.orElseThrow();
        return stare.header().kind() == MessageKind.SUB_ACK ? Optional.of(stare.header().stateId()) : Optional.empty();
    }
}
