package io.stare.p4.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.stare.protocol.address.MessageKind;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * After warm-up, the fast path allocates nothing at all on the calling thread, whatever it does
 * with a frame: forward it, drop and count it, send it nowhere, or decline it.
 */
class FastPathAllocationTest {

    private static final int CALLS = 100_000;
    private static final int WARM_UP_ROUNDS = 20;

    /** A frame inside a shared buffer, with its pristine TTL and checksum to restore after a forward. */
    private record Placed(int port, int offset, int length, byte ttl, byte checksumHigh, byte checksumLow) {
    }

    private static final com.sun.management.ThreadMXBean THREADS = threads();

    private static com.sun.management.ThreadMXBean threads() {
        return ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads ? threads : null;
    }

    @Test
    void registerFastPathAllocatesNothing() {
        RegisterPipeline pipeline = new RegisterPipeline();
        assertTrue(pipeline.replication().installPortMaskGroups(8).isDone());
        pipeline.statePorts().write(7, 0b1010_0110);
        pipeline.statePorts().write(8, 0b100);
        // A group the fast path declines: two copies to port 1.
        assertTrue(pipeline.replication().modifyGroup(0b10, List.of(new ReplicationEngine.Replica(1, 0),
                new ReplicationEngine.Replica(1, 1))).isDone());
        pipeline.statePorts().write(9, 0b10);
        assertAllocatesNothing(pipeline, 9);
    }

    @Test
    void embeddedFastPathAllocatesNothing() {
        EmbeddedPipeline pipeline = new EmbeddedPipeline();
        for (int mask : new int[] {0b1010_0110, 0b100}) {
            assertTrue(pipeline.replication().insertGroup(mask, ReplicationEngine.replicasOf(mask)).isDone());
        }
        // Many entries, so lookups probe a table of real size.
        for (int i = 0; i < 5000; i++) {
            assertTrue(pipeline.stateForwarding().insert(100_000 + 37 * i, i % 2 == 0 ? 0b100 : 0b1010_0110).isDone());
        }
        assertTrue(pipeline.stateForwarding().insert(7, 0b1010_0110).isDone());
        assertTrue(pipeline.stateForwarding().insert(8, 0b100).isDone());
        // A group the fast path declines: ports out of order.
        assertTrue(pipeline.replication().insertGroup(3, List.of(new ReplicationEngine.Replica(5, 0),
                new ReplicationEngine.Replica(0, 0))).isDone());
        assertTrue(pipeline.stateForwarding().insert(9, 3).isDone());
        assertAllocatesNothing(pipeline, 9);
    }

    private static void assertAllocatesNothing(Pipeline pipeline, int declinedState) {
        assumeTrue(THREADS != null && THREADS.isThreadAllocatedMemorySupported(), "no allocation counter on this JVM");
        THREADS.setThreadAllocatedMemoryEnabled(true);
        List<byte[]> frames = List.of(
                StareFrames.publish(7, 1, 3, new byte[1200]), // forwarded to ports 1, 5, 7 (2 pruned/absent)
                StareFrames.publish(8, 2, 3, new byte[64]), // from port 2 to 2 alone: nothing (dropped or pruned)
                StareFrames.publish(1234, 3, 3, new byte[10]), // no subscriber
                StareFrames.withTtl(StareFrames.publish(7, 4, 3, new byte[10]), 1), // TTL expired
                StareFrames.publish(declinedState, 5, 3, new byte[10]), // declined: the group is not simple
                StareFrames.sub(MessageKind.SUB_REGISTER, 7, 1, 3), // declined: not a Publish
                new byte[] {1, 2, 3}); // declined: not a frame
        int[] ports = {2, 2, 2, 2, 4, 2, 0};
        ByteBuffer buffer = ByteBuffer.allocateDirect(4096);
        Placed[] placed = new Placed[frames.size()];
        int offset = 3;
        for (int i = 0; i < placed.length; i++) {
            byte[] frame = frames.get(i);
            buffer.put(offset, frame);
            placed[i] = new Placed(ports[i], offset, frame.length, frame.length > 22 ? frame[22] : 0,
                    frame.length > 25 ? frame[24] : 0, frame.length > 25 ? frame[25] : 0);
            offset += frame.length + 5;
        }

        long expectedSum = 0;
        for (int round = 0; round < WARM_UP_ROUNDS; round++) {
            expectedSum = run(pipeline, buffer, placed);
        }
        // What reading the counter itself costs, to take away from the measurement.
        long overhead = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            long first = THREADS.getCurrentThreadAllocatedBytes();
            long second = THREADS.getCurrentThreadAllocatedBytes();
            overhead = Math.min(overhead, second - first);
        }

        long before = THREADS.getCurrentThreadAllocatedBytes();
        long sum = run(pipeline, buffer, placed);
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before - overhead;

        assertEquals(expectedSum, sum, "every round does the same");
        assertEquals(0, allocated, CALLS + " fast-path calls allocated " + allocated + " bytes");
    }

    /** {@link #CALLS} fast-path calls over the frames in turn; a forwarded frame gets its TTL back. */
    private static long run(Pipeline pipeline, ByteBuffer buffer, Placed[] placed) {
        long sum = 0;
        for (int call = 0; call < CALLS; call++) {
            Placed frame = placed[call % placed.length];
            long mask = pipeline.forwardInPlace(frame.port(), buffer, frame.offset(), frame.length());
            sum += mask;
            if (mask > 0) {
                buffer.put(frame.offset() + 22, frame.ttl());
                buffer.put(frame.offset() + 24, frame.checksumHigh());
                buffer.put(frame.offset() + 25, frame.checksumLow());
            }
        }
        return sum;
    }
}
