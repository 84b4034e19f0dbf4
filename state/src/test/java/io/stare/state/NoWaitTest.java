package io.stare.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.state.store.memory.MemoryStore;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** No-wait writes: in order, batched while one is in flight, failures and overflow counted exactly. */
@Timeout(60)
class NoWaitTest {

    private final FaultyStore store = new FaultyStore(new MemoryStore());
    private StateSpace space;

    private CounterState counter(int buffer) {
        space = StateSpace.over(new StateSettings("nw", "i1", Mode.NO_WAIT, Duration.ofMillis(1), buffer,
                com.typesafe.config.ConfigFactory.empty()), store, System::currentTimeMillis);
        return space.partition(0).counter("packets");
    }

    @AfterEach
    void close() {
        if (space != null) {
            space.close();
        }
        store.close();
    }

    @Test
    void writesWaitingForABatchInFlightGoNextAsOneBatchInOrder() throws Exception {
        CounterState packets = counter(1_000);
        store.fault(FaultyStore.Fault.STALL);
        packets.add(5); // in flight, stalled
        for (int i = 0; i < 99; i++) {
            packets.add(1);
        }
        packets.set(1_000); // after the adds: they must not overtake it
        packets.add(1);
        store.release();
        assertTrue(space.flush(Duration.ofSeconds(5)));
        assertEquals(1_001L, store.counter(packets.key()).toCompletableFuture().get(5, TimeUnit.SECONDS));
        assertEquals(2, store.batches.get(), "the stalled batch, then everything that waited for it as one");
        assertEquals(0, space.counters().failedNoWait());
    }

    @Test
    void failedWritesAreCountedOneByOneNeverThrown() throws Exception {
        CounterState packets = counter(1_000);
        store.fault(FaultyStore.Fault.FAIL);
        for (int i = 0; i < 100; i++) {
            packets.add(1).toCompletableFuture().get(1, TimeUnit.SECONDS); // completes at once, normally
        }
        assertTrue(space.flush(Duration.ofSeconds(5)));
        assertEquals(100, space.counters().failedNoWait());
        store.fault(FaultyStore.Fault.NONE);
        packets.add(1);
        assertTrue(space.flush(Duration.ofSeconds(5)));
        assertEquals(1L, store.counter(packets.key()).toCompletableFuture().get(5, TimeUnit.SECONDS));
    }

    @Test
    void pastTheBufferWritesAreDroppedAndCountedWhileTheStoreStalls() throws Exception {
        CounterState packets = counter(10);
        store.fault(FaultyStore.Fault.STALL);
        packets.add(1); // in flight
        for (int i = 0; i < 25; i++) {
            packets.add(1); // 10 queue, 15 dropped
        }
        assertEquals(15, space.counters().failedNoWait());
        store.release();
        assertTrue(space.flush(Duration.ofSeconds(5)));
        assertEquals(11L, store.counter(packets.key()).toCompletableFuture().get(5, TimeUnit.SECONDS));
    }
}
