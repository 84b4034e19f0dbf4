package io.stare.actors.middleware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The publish log in a memory-mapped file, as a killed middleware leaves it: the next process
 * reads back what was published and not confirmed, sends it again, and numbers on after it.
 * (The process fault itself is {@code PublisherRestartTest} in stare-bench.)
 */
class PublishLogFileTest {

    private static final int CHUNK = 4096;
    private static final int CAPACITY = 16 * CHUNK;

    private static boolean publish(PublishLog log, int state, long update, int length) {
        byte[] value = new byte[length];
        for (int i = 0; i < length; i++) {
            value[i] = (byte) (update + i);
        }
        int segments = Math.max(1, (length + 999) / 1000);
        synchronized (log) {
            return log.append(state, 3, update, segments, 1000, value, 0, length);
        }
    }

    private static List<String> drain(PublishLog log) {
        List<String> seen = new ArrayList<>();
        log.drainUnsent((state, vnf, update, total, segment, buffer, offset, length, record) -> {
            boolean intact = true;
            for (int i = 0; i < length; i++) {
                intact &= buffer.get(offset + i) == (byte) (update + segment * 1000 + i);
            }
            seen.add(state + ":" + update + "/" + segment + (intact ? "" : " CORRUPT"));
            return true;
        });
        return seen;
    }

    @Test
    void whatTheBacklogHadNotConfirmedComesBackInTheNextProcessAndNumberingGoesOnAfterIt(@TempDir Path dir) {
        PublishLog first = new PublishLog(PublishLogFile.open(dir, "h1", CAPACITY, CHUNK), 100);
        for (long update = 0; update < 5; update++) {
            assertTrue(publish(first, 7, update, 300));
        }
        assertTrue(publish(first, 9, 40, 2500)); // three segments
        assertEquals(8, drain(first).size());
        first.release((state, update) -> state == 7 && update <= 2); // the backlog confirmed 7:0..2
        first.close(); // as the process dies: nothing else happens

        PublishLog second = new PublishLog(PublishLogFile.open(dir, "h1", CAPACITY, CHUNK), 100);

        assertEquals(List.of("7:3/0", "7:4/0", "9:40/0", "9:40/1", "9:40/2"), drain(second));
        assertEquals(Map.of(7, 5L, 9, 41L), second.recoveredNext());
        assertEquals(3, second.unconfirmedUpdates());
        assertTrue(publish(second, 7, 5, 300), "the next process writes on after what it read back");
        assertEquals(List.of("7:5/0"), drain(second));
        second.close();
    }

    @Test
    void aRecordTornByTheDeathOfItsWriterEndsWhatIsReadBack(@TempDir Path dir) {
        PublishLogFile file = PublishLogFile.open(dir, "h1", CAPACITY, CHUNK);
        PublishLog first = new PublishLog(file, 100);
        assertTrue(publish(first, 7, 0, 300));
        assertTrue(publish(first, 7, 1, 300));
        // The process died while writing update 1: say its record's length was half written.
        ByteBuffer chunk = file.chunk(0);
        chunk.putInt(PublishLog.recordLength(300), 0x0000_0001);
        first.close();

        PublishLog second = new PublishLog(PublishLogFile.open(dir, "h1", CAPACITY, CHUNK), 100);

        assertEquals(List.of("7:0/0"), drain(second));
        assertEquals(Map.of(7, 1L), second.recoveredNext());
        second.close();
    }

    @Test
    void aSecondProcessForTheSameServerIsRefused(@TempDir Path dir) {
        PublishLogFile held = PublishLogFile.open(dir, "h1", CAPACITY, CHUNK);
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> PublishLogFile.open(dir, "h1", CAPACITY, CHUNK));
        assertTrue(refused.getMessage().contains("another middleware for server h1"), refused.getMessage());
        PublishLogFile.open(dir, "h2", CAPACITY, CHUNK).close(); // another server's log is its own
        held.close();
        PublishLogFile.open(dir, "h1", CAPACITY, CHUNK).close(); // free again once let go
    }

    @Test
    void aLogWrittenWithAnotherGeometryIsReadWithItsOwn(@TempDir Path dir) {
        PublishLog first = new PublishLog(PublishLogFile.open(dir, "h1", CAPACITY, CHUNK), 100);
        assertTrue(publish(first, 7, 0, 300));
        first.close();

        PublishLogFile reopened = PublishLogFile.open(dir, "h1", 4 * CAPACITY, 2 * CHUNK);
        assertEquals(CAPACITY, reopened.capacity());
        assertEquals(CHUNK, reopened.chunk());
        PublishLog second = new PublishLog(reopened, 100);
        assertEquals(List.of("7:0/0"), drain(second));
        second.close();
    }
}
