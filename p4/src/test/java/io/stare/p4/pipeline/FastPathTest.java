package io.stare.p4.pipeline;

import static io.stare.p4.pipeline.StareFrames.forwarded;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.protocol.address.MessageKind;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fast path's contract case by case; FastPathProperties checks it against the slow path at large. */
class FastPathTest {

    private static final int STATE = 7;

    private static RegisterPipeline register() {
        RegisterPipeline pipeline = new RegisterPipeline();
        assertTrue(pipeline.replication().installPortMaskGroups(8).isDone());
        pipeline.statePorts().write(STATE, 0b1010_0110);
        return pipeline;
    }

    private static EmbeddedPipeline embedded() {
        EmbeddedPipeline pipeline = new EmbeddedPipeline();
        assertTrue(pipeline.replication().insertGroup(0b1010_0110, ReplicationEngine.replicasOf(0b1010_0110)).isDone());
        assertTrue(pipeline.stateForwarding().insert(STATE, 0b1010_0110).isDone());
        return pipeline;
    }

    @Test
    void forwardsAPublishByDecrementingItsTtlInPlace() {
        for (Pipeline pipeline : List.of(register(), embedded())) {
            byte[] publish = StareFrames.publish(STATE, 1, 3, new byte[] {1, 2, 3});
            ByteBuffer buffer = ByteBuffer.wrap(publish.clone());
            assertEquals(0b1010_0010, pipeline.forwardInPlace(2, buffer, 0, publish.length));
            assertArrayEquals(forwarded(publish), buffer.array());
            assertEquals(0, pipeline.drops().total());
        }
    }

    @Test
    void countsDropsAsTheSlowPathAndLeavesTheFrame() {
        for (Pipeline pipeline : List.of(register(), embedded())) {
            byte[] expiring = StareFrames.withTtl(StareFrames.publish(STATE, 1, 3, new byte[0]), 1);
            assertFastDrop(pipeline, expiring, DropReason.TTL_EXPIRED);
            assertFastDrop(pipeline, StareFrames.publish(STATE + 1, 1, 3, new byte[0]), DropReason.NO_SUBSCRIBER);
        }
        assertFastDrop(register(), StareFrames.publish(5000, 1, 3, new byte[0]), DropReason.STATE_OUT_OF_RANGE);
    }

    private static void assertFastDrop(Pipeline pipeline, byte[] frame, DropReason reason) {
        long before = pipeline.drops().count(reason);
        long total = pipeline.drops().total();
        ByteBuffer buffer = ByteBuffer.wrap(frame.clone());
        assertEquals(0, pipeline.forwardInPlace(2, buffer, 0, frame.length));
        assertArrayEquals(frame, buffer.array());
        assertEquals(before + 1, pipeline.drops().count(reason));
        assertEquals(total + 1, pipeline.drops().total());
        // The slow path drops it for the same reason.
        assertEquals(java.util.Optional.of(reason), pipeline.process(2, frame).drop());
    }

    @Test
    void declinesWhatItCannotSayAsAPortMask() {
        RegisterPipeline register = register();
        // Two copies to port 1: not a port mask.
        assertTrue(register.replication().modifyGroup(0b10, List.of(new ReplicationEngine.Replica(1, 0),
                new ReplicationEngine.Replica(1, 1))).isDone());
        register.statePorts().write(STATE + 1, 0b10);
        assertSlow(register, StareFrames.publish(STATE + 1, 1, 3, new byte[0]), 2);

        EmbeddedPipeline embedded = embedded();
        // Ports out of order, unless the pruned ingress port is the one out of place.
        assertTrue(embedded.replication().insertGroup(1, List.of(new ReplicationEngine.Replica(5, 0),
                new ReplicationEngine.Replica(0, 0), new ReplicationEngine.Replica(6, 0))).isDone());
        assertTrue(embedded.stateForwarding().insert(STATE + 1, 1).isDone());
        byte[] publish = StareFrames.publish(STATE + 1, 1, 3, new byte[0]);
        assertSlow(embedded, publish, 2);
        ByteBuffer buffer = ByteBuffer.wrap(publish.clone());
        assertEquals(0b100_0001, embedded.forwardInPlace(5, buffer, 0, publish.length));
        assertArrayEquals(forwarded(publish), buffer.array());

        for (Pipeline pipeline : List.of(register, embedded)) {
            assertSlow(pipeline, StareFrames.sub(MessageKind.SUB_REGISTER, STATE, 1, 3), 2);
            assertSlow(pipeline, StareFrames.expectedAck(StareFrames.sub(MessageKind.SUB_REGISTER, STATE, 1, 3)), 2);
            assertSlow(pipeline, StareFrames.udp(StareFrames.ip(1), 0x0a000002, 53, new byte[4]), 2);
            assertSlow(pipeline, new byte[] {1, 2, 3}, 2);
            byte[] corrupt = StareFrames.publish(STATE, 1, 3, new byte[] {1});
            corrupt[corrupt.length - 1] ^= 1;
            assertSlow(pipeline, corrupt, 2);
            // A frame it could forward, but in a buffer it may not write.
            byte[] publishToState = StareFrames.publish(STATE, 1, 3, new byte[0]);
            ByteBuffer readOnly = ByteBuffer.wrap(publishToState.clone()).asReadOnlyBuffer();
            assertEquals(Pipeline.SLOW, pipeline.forwardInPlace(2, readOnly, 0, publishToState.length));
            assertEquals(0, pipeline.drops().total());
        }
    }

    private static void assertSlow(Pipeline pipeline, byte[] frame, int port) {
        long[] counters = pipeline.drops().snapshot();
        ByteBuffer buffer = ByteBuffer.wrap(frame.clone());
        assertEquals(Pipeline.SLOW, pipeline.forwardInPlace(port, buffer, 0, frame.length));
        assertArrayEquals(frame, buffer.array());
        assertArrayEquals(counters, pipeline.drops().snapshot());
    }

    @Test
    void seesGroupChangesAtOnce() {
        RegisterPipeline pipeline = register();
        byte[] publish = StareFrames.publish(STATE, 1, 3, new byte[0]);
        int out = 0b1010_0010;
        assertTrue(pipeline.replication().modifyGroup(out, ReplicationEngine.replicasOf(0b1)).isDone());
        assertEquals(0b1, pipeline.forwardInPlace(2, ByteBuffer.wrap(publish.clone()), 0, publish.length));
        assertTrue(pipeline.replication().deleteGroup(out).isDone());
        ByteBuffer buffer = ByteBuffer.wrap(publish.clone());
        assertEquals(0, pipeline.forwardInPlace(2, buffer, 0, publish.length));
        assertArrayEquals(publish, buffer.array());
        assertTrue(pipeline.replication().insertGroup(out, List.of()).isDone());
        assertEquals(0, pipeline.forwardInPlace(2, ByteBuffer.wrap(publish.clone()), 0, publish.length));
        assertTrue(pipeline.replication().modifyGroup(out, ReplicationEngine.replicasOf(out)).isDone());
        assertEquals(out, pipeline.forwardInPlace(2, ByteBuffer.wrap(publish.clone()), 0, publish.length));
        assertEquals(0, pipeline.drops().total());
    }

    @Test
    void worksOnSixteenPorts() {
        RegisterPipeline pipeline = new RegisterPipeline(16, 16);
        assertTrue(pipeline.replication().installPortMaskGroups(16).isDone());
        pipeline.statePorts().write(3, 0b1000_0000_0000_0001);
        byte[] publish = StareFrames.publish(3, 1, 3, new byte[0]);
        ByteBuffer buffer = ByteBuffer.allocateDirect(publish.length + 10).put(10, publish);
        assertEquals(0b1000_0000_0000_0000, pipeline.forwardInPlace(0, buffer, 10, publish.length));
        byte[] out = new byte[publish.length];
        buffer.get(10, out);
        assertArrayEquals(forwarded(publish), out);
    }

    @Test
    void refusesCallerBugsAsProcessDoes() {
        byte[] publish = StareFrames.publish(STATE, 1, 3, new byte[0]);
        for (Pipeline pipeline : List.of(register(), embedded(), new SlowOnly(register()))) {
            ByteBuffer buffer = ByteBuffer.wrap(publish.clone());
            assertThrows(IllegalArgumentException.class, () -> pipeline.forwardInPlace(8, buffer, 0, publish.length));
            assertThrows(IllegalArgumentException.class, () -> pipeline.forwardInPlace(-1, buffer, 0, publish.length));
            assertThrows(IllegalArgumentException.class, () -> pipeline.process(8, publish));
            assertThrows(IndexOutOfBoundsException.class, () -> pipeline.forwardInPlace(1, buffer, 1, publish.length));
            assertThrows(IndexOutOfBoundsException.class, () -> pipeline.forwardInPlace(1, buffer, -1, 10));
            assertThrows(NullPointerException.class, () -> pipeline.forwardInPlace(1, null, 0, 0));
            assertArrayEquals(publish, buffer.array());
        }
    }

    @Test
    void aPipelineWithoutAFastPathDeclinesEverything() {
        Pipeline pipeline = new SlowOnly(register());
        byte[] publish = StareFrames.publish(STATE, 1, 3, new byte[0]);
        assertSlow(pipeline, publish, 2);
        assertFalse(pipeline.process(2, publish).emissions().isEmpty());
    }

    /** A pipeline that keeps the interface's default fast path. */
    private record SlowOnly(RegisterPipeline inner) implements Pipeline {
        @Override
        public int portCount() {
            return inner.portCount();
        }

        @Override
        public PipelineResult process(int ingressPort, byte[] frame) {
            return inner.process(ingressPort, frame);
        }

        @Override
        public PipelineResult processPacketOut(byte[] message) {
            return inner.processPacketOut(message);
        }

        @Override
        public PipelineResult processPacketOut(CpuHeaders.PacketOut header, byte[] payload) {
            return inner.processPacketOut(header, payload);
        }

        @Override
        public ReplicationEngine replication() {
            return inner.replication();
        }

        @Override
        public Ipv4Lpm ipv4Lpm() {
            return inner.ipv4Lpm();
        }

        @Override
        public DropCounters drops() {
            return inner.drops();
        }
    }
}
