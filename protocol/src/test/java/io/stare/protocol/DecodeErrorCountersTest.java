package io.stare.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stare.protocol.packet.PacketCodec;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DecodeErrorCountersTest {

    @Test
    void countsEachRefusalUnderItsKind() {
        DecodeErrorCounters counters = new DecodeErrorCounters();
        counters.record(PacketCodec.decode(new byte[3]).errorOrNull());
        counters.record(PacketCodec.decode(new byte[3]).errorOrNull());
        counters.record(new DecodeError(DecodeError.Kind.UNKNOWN_KIND, "x"));
        assertEquals(2, counters.count(DecodeError.Kind.TRUNCATED));
        assertEquals(1, counters.count(DecodeError.Kind.UNKNOWN_KIND));
        assertEquals(0, counters.count(DecodeError.Kind.BAD_CHECKSUM));
        assertEquals(3, counters.total());
        assertEquals(2L, counters.snapshot().get(DecodeError.Kind.TRUNCATED));
    }

    @Test
    void countsFromManyThreadsWithoutLoss() throws InterruptedException {
        DecodeErrorCounters counters = new DecodeErrorCounters();
        DecodeError error = new DecodeError(DecodeError.Kind.MALFORMED, "x");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        for (int t = 0; t < 4; t++) {
            pool.submit(() -> {
                for (int i = 0; i < 10_000; i++) {
                    counters.record(error);
                }
            });
        }
        pool.shutdown();
        assertEquals(true, pool.awaitTermination(30, TimeUnit.SECONDS));
        assertEquals(40_000, counters.count(DecodeError.Kind.MALFORMED));
    }
}
