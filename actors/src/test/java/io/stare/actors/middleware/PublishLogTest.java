package io.stare.actors.middleware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class PublishLogTest {

    private static final int STATE = 7;
    private static final int VNF = 3;
    private static final int CHUNK = 4096;

    /** One record as the data path saw it. */
    private record Seen(long update, int total, int segment, byte[] payload) {
    }

    /** The data path's side: drains what waits and collects it. */
    private static List<Seen> drain(PublishLog log) {
        List<Seen> seen = new ArrayList<>();
        log.drainUnsent((state, vnf, update, total, segment, buffer, offset, length, record) -> {
            assertEquals(STATE, state);
            assertEquals(VNF, vnf);
            byte[] payload = new byte[length];
            buffer.get(offset, payload);
            seen.add(new Seen(update, total, segment, payload));
            return true;
        });
        return seen;
    }

    /** A payload whose every byte says which update and which position it is. */
    private static byte[] payload(long update, int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (update * 31 + i);
        }
        return bytes;
    }

    private static boolean publish(PublishLog log, long update, int length, int segmentPayload) {
        int segments = Math.max(1, (length + segmentPayload - 1) / segmentPayload);
        synchronized (log) {
            return log.append(STATE, VNF, update, segments, segmentPayload, payload(update, length), 0, length);
        }
    }

    /** Checks that the records seen are the updates in order, each whole, and returns the last update. */
    private static long assertWhole(List<Seen> seen, long firstUpdate, int segmentPayload) {
        long expected = firstUpdate;
        int i = 0;
        while (i < seen.size()) {
            Seen first = seen.get(i);
            assertEquals(expected, first.update(), "updates in order");
            ByteBuffer whole = ByteBuffer.allocate(first.total() * segmentPayload);
            for (int s = 0; s < first.total(); s++) {
                Seen segment = seen.get(i + s);
                assertEquals(expected, segment.update());
                assertEquals(s, segment.segment());
                whole.put(segment.payload());
            }
            byte[] bytes = new byte[whole.position()];
            whole.flip().get(bytes);
            assertTrue(java.util.Arrays.equals(payload(expected, bytes.length), bytes), "payload of " + expected);
            i += first.total();
            expected++;
        }
        return expected - 1;
    }

    @Test
    void recordsComeOutInOrderAndWholeAcrossManyTripsAroundTheRing() {
        PublishLog log = new PublishLog(8 * CHUNK, 1_000, CHUNK);
        long confirmedUpTo = -1;
        long update = 0;
        int segmentPayload = 700; // records of 736 bytes: most chunks end in a padding
        for (int round = 0; round < 200; round++) { // 200 rounds of ~3.5 KB each: 90 trips around 32 KiB
            int length = 100 + (round * 397) % 2_000;
            assertTrue(publish(log, update, length, segmentPayload), "room in round " + round);
            List<Seen> seen = drain(log);
            assertEquals(update, assertWhole(seen, update, segmentPayload));
            update++;
            long confirmed = ++confirmedUpTo;
            log.release((state, u) -> u <= confirmed);
        }
        assertEquals(0, log.unconfirmedUpdates());
        assertEquals(0, log.usedBytes());
    }

    @Test
    void memoryIsTakenAsRecordsReachItAndGivenBackOnceConfirmed() {
        PublishLog log = new PublishLog(64 * CHUNK, 100_000, CHUNK);
        assertEquals(0, log.heldBytes(), "nothing before the first publish");
        assertTrue(publish(log, 0, 64, 1_400));
        assertEquals(CHUNK, log.heldBytes(), "one chunk for a small update");

        long update = 1;
        while (log.usedBytes() < 40L * CHUNK) { // a backlog that does not confirm: the log grows
            assertTrue(publish(log, update++, 1_000, 1_400));
        }
        drain(log);
        assertTrue(log.heldBytes() >= 40L * CHUNK && log.heldBytes() <= 41L * CHUNK, "held " + log.heldBytes());

        long last = update - 1;
        log.release((state, u) -> u <= last); // the backlog catches up
        assertEquals(0, log.usedBytes());
        assertTrue(log.heldBytes() <= (PublishLog.SPARE_CHUNKS + 1L) * CHUNK,
                "confirmed chunks go back, but for the spares and the current one: " + log.heldBytes());

        // Small updates from then on cycle through the spares: the log stays small.
        for (int i = 0; i < 10_000; i++) {
            assertTrue(publish(log, update, 64, 1_400));
            drain(log);
            long confirmed = update++;
            log.release((state, u) -> u <= confirmed);
        }
        assertTrue(log.heldBytes() <= (PublishLog.SPARE_CHUNKS + 1L) * CHUNK, "held " + log.heldBytes());
    }

    @Test
    void aStreamWhoseConfirmationsLagReusesItsChunks() {
        PublishLog log = new PublishLog(64 * CHUNK, 100_000, CHUNK);
        int lag = 60; // updates of 1 KB in flight: about 15 chunks
        long update = 0;
        long allocatedAfterWarmUp = -1;
        for (int i = 0; i < 20_000; i++) {
            assertTrue(publish(log, update, 1_000, 1_400));
            drain(log);
            long confirmed = update++ - lag;
            log.release((state, u) -> u <= confirmed);
            if (i == 1_000) {
                allocatedAfterWarmUp = log.chunksAllocated();
            }
        }
        assertEquals(allocatedAfterWarmUp, log.chunksAllocated(), "the steady stream allocated no more chunks");
        assertTrue(log.heldBytes() <= 2L * 17 * CHUNK, "held " + log.heldBytes());
    }

    @Test
    void aFullRingRefusesWithoutWritingAndTakesPublishesAgainOnceConfirmed() {
        PublishLog log = new PublishLog(8 * CHUNK, 100_000, CHUNK);
        long update = 0;
        while (publish(log, update, 1_000, 1_400)) {
            update++;
        }
        long refusedAt = update;
        assertTrue(refusedAt > 20, "the ring took " + refusedAt + " updates");
        assertTrue(log.heldBytes() <= 8L * CHUNK, "never more than the bound: " + log.heldBytes());
        assertEquals(refusedAt, drain(log).size(), "a refused publish wrote nothing");

        long confirmed = refusedAt / 2;
        log.release((state, u) -> u < confirmed);
        assertTrue(publish(log, update, 1_000, 1_400), "room again after confirmations");
        List<Seen> seen = drain(log);
        assertEquals(1, seen.size());
        assertEquals(refusedAt, seen.get(0).update());
    }

    @Test
    void theBoundOnUnconfirmedUpdatesRefusesToo() {
        PublishLog log = new PublishLog(64 * CHUNK, 5, CHUNK);
        for (long u = 0; u < 5; u++) {
            assertTrue(publish(log, u, 10, 1_400));
        }
        assertFalse(publish(log, 5, 10, 1_400));
        drain(log);
        log.release((state, u) -> u == 0);
        assertTrue(publish(log, 5, 10, 1_400));
    }

    @Test
    void unconfirmedRecordsAreVisitedAgainAndRememberWhenTheyWereAppended() {
        PublishLog log = new PublishLog(8 * CHUNK, 1_000, CHUNK);
        for (long u = 0; u < 30; u++) {
            assertTrue(publish(log, u, 500, 1_400));
        }
        log.drainUnsent((state, vnf, update, total, segment, buffer, offset, length, record) -> {
            log.markAppended(record, 1_000 + update);
            return true;
        });
        List<Long> again = new ArrayList<>();
        log.forEachUnconfirmed((state, u) -> u % 2 == 0, (state, vnf, update, total, segment, buffer, offset, length,
                record) -> {
            assertEquals(1_000 + update, log.appendedAt(record));
            again.add(update);
            return true;
        });
        assertEquals(15, again.size());
        assertTrue(again.stream().allMatch(u -> u % 2 == 1));
    }

    @Test
    void aWriterAndTheDataPathShareTheChunksSafely() throws Exception {
        PublishLog log = new PublishLog(16 * CHUNK, 100_000, CHUNK);
        int updates = 100_000;
        int segmentPayload = 600;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try {
                long update = 0;
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (update < updates && System.nanoTime() < deadline) {
                    if (publish(log, update, 1 + (int) (update % 1_500), segmentPayload)) {
                        update++;
                    } else {
                        Thread.onSpinWait();
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "publish-log-writer");
        writer.start();
        long next = 0;
        List<Seen> pending = new ArrayList<>();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (next < updates && System.nanoTime() < deadline && failure.get() == null) {
            pending.addAll(drain(log));
            int complete = 0;
            int i = 0;
            while (i < pending.size() && i + pending.get(i).total() <= pending.size()) {
                i += pending.get(i).total();
                complete = i;
            }
            if (complete > 0) {
                next = assertWhole(pending.subList(0, complete), next, segmentPayload) + 1;
                pending = new ArrayList<>(pending.subList(complete, pending.size()));
                long confirmed = next - 1;
                log.release((state, u) -> u <= confirmed);
            }
        }
        writer.join(10_000);
        if (failure.get() != null) {
            throw new AssertionError("the writer failed", failure.get());
        }
        assertEquals(updates, next, "every update came through");
    }
}
