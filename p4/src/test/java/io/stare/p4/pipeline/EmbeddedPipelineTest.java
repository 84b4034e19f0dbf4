package io.stare.p4.pipeline;

import static io.stare.p4.pipeline.StareFrames.forwarded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.protocol.address.MessageKind;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class EmbeddedPipelineTest {

    private static final int STATE = 100;

    private final EmbeddedPipeline pipeline = new EmbeddedPipeline();

    @Test
    void subMessagesArePuntedWithTheirIngressPort() {
        for (MessageKind kind : List.of(MessageKind.SUB_REGISTER, MessageKind.SUB_REMOVE)) {
            byte[] frame = StareFrames.sub(kind, STATE, 1, 4);
            PipelineResult result = pipeline.process(4, frame);
            assertEquals(List.of(), result.emissions());
            assertEquals(List.of(new PipelineResult.PacketInMessage(
                    new CpuHeaders.PacketIn(4, CpuHeaders.Reason.SUB_PUNT, 0, 0, 0), frame)), result.packetIns());
        }
        // No register here, so no range to be out of.
        assertEquals(1, pipeline.process(4, StareFrames.sub(MessageKind.SUB_REGISTER, 4_000_000, 1, 4)).packetIns().size());
        byte[] ack = StareFrames.expectedAck(StareFrames.sub(MessageKind.SUB_REGISTER, STATE, 1, 4));
        assertEquals(CpuHeaders.Reason.SUB_ACK, pipeline.process(2, ack).packetIns().get(0).header().reason());
        assertEquals(Optional.of(DropReason.TTL_EXPIRED), pipeline.process(4,
                StareFrames.withTtl(StareFrames.sub(MessageKind.SUB_REGISTER, STATE, 1, 4), 1)).drop());
    }

    @Test
    void publishFollowsTheTableAndPrunesTheIngressPort() {
        byte[] publish = StareFrames.publish(STATE, 3, 7, new byte[] {9});
        assertEquals(Optional.of(DropReason.NO_SUBSCRIBER), pipeline.process(3, publish).drop());

        assertTrue(pipeline.replication().insertGroup(0b10_0010, ReplicationEngine.replicasOf(0b10_0010)).isDone());
        assertTrue(pipeline.stateForwarding().insert(STATE, 0b10_0010).isDone());
        assertEquals(OptionalInt.of(0b10_0010), pipeline.stateForwarding().lookup(STATE));
        assertEquals(List.of(new PipelineResult.Emission(1, forwarded(publish)),
                new PipelineResult.Emission(5, forwarded(publish))), pipeline.process(3, publish).emissions());
        PipelineResult fromSubscriber = pipeline.process(5, publish);
        assertEquals(List.of(new PipelineResult.Emission(1, forwarded(publish))), fromSubscriber.emissions());

        // An entry whose group is not installed sends nothing, like BMv2, and counts nothing.
        assertTrue(pipeline.stateForwarding().insert(STATE + 1, 0b1).isDone());
        PipelineResult nowhere = pipeline.process(3, StareFrames.publish(STATE + 1, 1, 7, new byte[0]));
        assertEquals(List.of(), nowhere.emissions());
        assertFalse(nowhere.isDropped());
        assertEquals(1, pipeline.drops().total());
    }

    @Test
    void packetOutsMayOnlyForward() {
        byte[] frame = StareFrames.publish(STATE, 3, 7, new byte[] {9});
        assertEquals(List.of(new PipelineResult.Emission(6, frame)),
                pipeline.processPacketOut(CpuHeaders.PacketOut.forward(6), frame).emissions());
        for (CpuHeaders.Op op : List.of(CpuHeaders.Op.READ, CpuHeaders.Op.WRITE, CpuHeaders.Op.SET_CLONE_FLAG)) {
            assertEquals(Optional.of(DropReason.BAD_PACKET_OUT),
                    pipeline.processPacketOut(new CpuHeaders.PacketOut(op, 0, 1, 0).encode(new byte[4])).drop());
        }
        assertEquals(Optional.of(DropReason.BAD_PACKET_OUT),
                pipeline.processPacketOut(CpuHeaders.PacketOut.forward(8), frame).drop());
        assertEquals(4, pipeline.drops().count(DropReason.BAD_PACKET_OUT));
    }
}
