package io.stare.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.client.StateCodec;
import io.stare.state.flush.StateBufferFullException;
import io.stare.state.store.memory.MemoryStore;
import io.stare.testing.TestTime;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Asynchronous updates while the store is away, past the buffer, and with a driver that throws. */
@Timeout(60)
class FlusherTest {

    private static final StateCodec<String> TEXT = StateCodec.utf8();

    private final FaultyStore store = new FaultyStore(new MemoryStore());
    private StateSpace space;

    private StateSpace open(int buffer) {
        space = StateSpace.over(new StateSettings("ids", "i1", Mode.ASYNC, Duration.ofMillis(1), buffer,
                com.typesafe.config.ConfigFactory.empty()), store, System::currentTimeMillis);
        return space;
    }

    @AfterEach
    void close() {
        if (space != null) {
            space.close();
        }
        store.close();
    }

    private static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void readsSeeTheirOwnWritesBeforeTheStoreHasThem() throws Exception {
        CounterState packets = open(1_000).partition(0).counter("packets");
        await(packets.get()); // the first read, before the store goes away
        store.fault(FaultyStore.Fault.FAIL);
        await(packets.add(5));
        await(packets.add(2));
        assertEquals(7L, await(packets.get()));
        assertEquals(0L, await(store.counter(packets.key())), "the store has none of it yet");
        store.fault(FaultyStore.Fault.NONE);
        assertTrue(space.flush(Duration.ofSeconds(5)));
        assertEquals(7L, await(store.counter(packets.key())));
    }

    @Test
    void aStoreAwayForLessThanTheBufferLosesNothing() throws Exception {
        Partition p = open(1_000).partition(0);
        CounterMapState<String> flows = p.counterMap("flows", TEXT);
        CounterState total = p.counter("total");
        store.fault(FaultyStore.Fault.FAIL);
        for (int i = 0; i < 10_000; i++) {
            await(flows.addTo("flow-" + (i % 500), 1));
            await(total.add(1));
        }
        TestTime.eventually(Duration.ofSeconds(5), () -> assertTrue(store.refusedBatches.get() > 0));
        assertEquals(501, space.held(), "500 fields and one counter, merged");
        assertEquals(0, space.counters().refused());
        store.fault(FaultyStore.Fault.NONE);
        assertTrue(space.flush(Duration.ofSeconds(5)));
        Map<io.stare.state.store.Bytes, Long> stored = await(store.counterMap(flows.key()));
        assertEquals(500, stored.size());
        assertTrue(stored.values().stream().allMatch(v -> v == 20L), stored.toString());
        assertEquals(10_000L, await(store.counter(total.key())));
        assertTrue(space.counters().failedFlushes() > 0, space.counters().toString());
    }

    @Test
    void aFieldWrittenAgainWhileItsFlushIsInFlightHoldsTheBufferOnce() throws Exception {
        CounterMapState<String> flows = open(600).partition(0).counterMap("flows", TEXT);
        await(flows.get()); // the first read, before the store stalls
        store.fault(FaultyStore.Fault.STALL);
        for (int i = 0; i < 500; i++) {
            await(flows.addTo("flow-" + i, 1));
        }
        TestTime.eventually(Duration.ofSeconds(5), () -> assertEquals(1, store.batches.get(), "the batch in flight"));
        for (int i = 0; i < 500; i++) {
            await(flows.addTo("flow-" + i, 1)); // the same 500 fields: 500 units, not 1,000, past a buffer of 600
        }
        assertEquals(500, space.held());
        assertEquals(0, space.counters().refused());
        store.release();
        assertTrue(space.flush(Duration.ofSeconds(5)));
        Map<io.stare.state.store.Bytes, Long> stored = await(store.counterMap(flows.key()));
        assertTrue(stored.size() == 500 && stored.values().stream().allMatch(v -> v == 2L), stored.toString());
    }

    @Test
    void pastTheBufferWritesAreRefusedAndTheCountIsExact() throws Exception {
        SetState<String> blocked = open(100).partition(0).set("blocked", TEXT);
        store.fault(FaultyStore.Fault.FAIL);
        int refused = 0;
        for (int i = 0; i < 250; i++) {
            try {
                await(blocked.add("10.0.0." + i));
            } catch (ExecutionException e) {
                StateBufferFullException full = assertInstanceOf(StateBufferFullException.class, e.getCause());
                assertTrue(full.getMessage().contains("stare.state.buffer = 100"), full.getMessage());
                refused++;
            }
        }
        assertEquals(150, refused);
        assertEquals(150, space.counters().refused());
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            expected.add("10.0.0." + i);
        }
        assertEquals(expected, await(blocked.get()), "a refused write is not made, locally either");
        store.fault(FaultyStore.Fault.NONE);
        assertTrue(space.flush(Duration.ofSeconds(5)));
        assertEquals(100, await(store.set(blocked.key())).size());
        await(blocked.add("after")); // room again
        assertEquals(150, space.counters().refused());
    }

    @Test
    void anItemWhoseFirstReadFailedIsFlushedOnceTheStoreIsBack() throws Exception {
        open(100);
        store.failReads(true);
        CounterState shortFlow = space.partition(0).counter("flow-short.packets");
        await(shortFlow.add(3)); // its only write: the flow ends here
        long failed = store.refusedReads.get();
        assertTrue(failed >= 1, "the first read failed");
        store.failReads(false);
        assertTrue(space.flush(Duration.ofSeconds(5)), "flushed without another write or read of it");
        assertEquals(3L, await(store.counter(shortFlow.key())));
        assertEquals(0, space.held());
    }

    @Test
    void anAdoptedItemLandsPastAFullBuffer() throws Exception {
        CounterState packets = open(10).partition(0).counter("flow-a.packets");
        space.share(packets);
        await(packets.get());
        store.fault(FaultyStore.Fault.FAIL);
        CounterMapState<String> flows = space.partition(0).counterMap("flows", TEXT);
        await(flows.get());
        for (int i = 0; i < 10; i++) {
            await(flows.addTo("flow-" + i, 1));
        }
        assertThrows(ExecutionException.class, () -> await(packets.add(1)), "the buffer is full");
        // Another instance let flow-a's packets go (a hand-over): refusing them here would lose them.
        StateItem handed = new StateItem(new io.stare.state.store.StateKey("fw", "1", 0,
                io.stare.state.store.StructureType.COUNTER, "flow-a.packets"), 7L);
        await(space.prepareAdoption(handed));
        await(space.adopt(handed));
        assertEquals(7L, await(packets.get()));
        store.fault(FaultyStore.Fault.NONE);
        assertTrue(space.flush(Duration.ofSeconds(5)));
        assertEquals(7L, await(store.counter(packets.key())));
    }

    @Test
    void aDriverThatThrowsStopsNoFlushAndLosesNoDelta() throws Exception {
        CounterState packets = open(1_000).partition(0).counter("packets");
        store.fault(FaultyStore.Fault.THROW);
        for (int i = 0; i < 1_000; i++) {
            await(packets.add(1));
        }
        TestTime.eventually(Duration.ofSeconds(5), () -> assertTrue(store.refusedBatches.get() >= 3));
        store.fault(FaultyStore.Fault.NONE);
        assertTrue(space.flush(Duration.ofSeconds(5)));
        assertEquals(1_000L, await(store.counter(packets.key())));
    }

    @Test
    void oneItemHasOneMode() {
        Partition p = open(10).partition(0);
        p.counter("packets", Mode.ASYNC);
        IllegalStateException both = assertThrows(IllegalStateException.class, () -> p.counter("packets", Mode.SYNC));
        assertTrue(both.getMessage().contains("one item, one mode"), both.getMessage());
    }
}
