package io.stare.state.global;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.client.StateCodec;
import io.stare.state.CounterState;
import io.stare.state.FaultyStore;
import io.stare.state.StateSpace;
import io.stare.state.ValueState;
import io.stare.state.store.memory.MemoryStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * E-State's scale-out on an embedded STARE fabric: a flow's items (a packet counter and its
 * connection state, a value) move from instance 0 to instance 1 with {@code handOver}. Readers on
 * all three instances sample the global view throughout, and none ever sees the flow counted twice
 * or not at all, or its state missing; afterwards instance 1 owns the items and counts on.
 */
@Timeout(120)
class HandOverTest {

    private static final StateCodec<String> TEXT = StateCodec.utf8();

    private ThreeHosts hosts;

    /** One instance: its space and its view over STARE. */
    private record Instance(StateSpace space, StareGlobalView view) {
        CounterState packets(String flow) {
            CounterState counter = space.partition(0).counter(flow + ".packets");
            space.share(counter);
            return counter;
        }

        ValueState<String> connection(String flow) {
            ValueState<String> value = space.partition(0).value(flow + ".state", TEXT);
            space.share(value);
            return value;
        }
    }

    @BeforeEach
    void start() throws Exception {
        hosts = new ThreeHosts();
    }

    @AfterEach
    void stop() throws Exception {
        hosts.close();
    }

    private Instance instance(String host, int number) throws Exception {
        StateSpace space = hosts.space("fw", number);
        return new Instance(space, hosts.view(host, space, ""));
    }

    /** Instances 0 to {@code count - 1} on hosts h1, h2..., once each counts all of them. */
    private List<Instance> counting(int count) throws Exception {
        List<Instance> all = new ArrayList<>();
        Set<String> names = new java.util.HashSet<>();
        for (int i = 0; i < count; i++) {
            all.add(instance("h" + (i + 1), i));
            names.add(Integer.toString(i));
        }
        hosts.fabric.eventually(() -> all.forEach(i -> assertEquals(names, i.view().instances())));
        return all;
    }

    private static <T> T await(CompletionStage<T> stage) throws Exception {
        return ThreeHosts.await(stage);
    }

    @Test
    void aMovedFlowsItemsCountOnceEverywhereWhileTheyMove() throws Exception {
        List<Instance> all = counting(3);
        Instance zero = all.get(0);
        Instance one = all.get(1);
        Instance two = all.get(2);

        await(zero.packets("flow-a").add(7));
        await(zero.connection("flow-a").set("ESTABLISHED"));
        await(zero.packets("flow-b").add(4));
        await(one.packets("flow-c").add(2));
        await(one.packets("flow-a").add(1)); // flow-a was seen on instance 1 before too
        hosts.fabric.eventually(() -> all.forEach(i -> assertFlowA(i, 8, "ESTABLISHED")));

        ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
        AtomicBoolean sampling = new AtomicBoolean(true);
        List<Thread> readers = new ArrayList<>();
        int[] samples = new int[all.size()];
        for (int r = 0; r < all.size(); r++) {
            Instance reader = all.get(r);
            int slot = r;
            Thread thread = new Thread(() -> {
                while (sampling.get()) {
                    try {
                        long packets = await(reader.view().getGlobal("flow-a\\.packets", Reduce.sum()));
                        Optional<String> state = await(reader.view().getGlobal("flow-a\\.state",
                                Reduce.latest(TEXT))).map(s -> s.value());
                        long total = await(reader.view().getGlobal(".*\\.packets", Reduce.sum()));
                        if (packets != 8 || total != 14 || !state.equals(Optional.of("ESTABLISHED"))) {
                            wrong.add("instance " + slot + " saw flow-a " + packets + " packets, state " + state
                                    + ", all flows " + total);
                        }
                        samples[slot]++;
                    } catch (Exception e) {
                        wrong.add("instance " + slot + ": " + e);
                    }
                }
            }, "reader-" + r);
            thread.start();
            readers.add(thread);
        }
        try {
            java.util.concurrent.ExecutionException unknown = org.junit.jupiter.api.Assertions.assertThrows(
                    java.util.concurrent.ExecutionException.class, () -> await(zero.view().handOver("9", "flow-a\\..*")));
            assertTrue(unknown.getCause() instanceof IllegalStateException, unknown.toString());
            int handed = await(zero.view().handOver("1", "flow-a\\..*"));
            assertEquals(2, handed, "flow-a's packets and state");
            // Until instance 1 has adopted them and every instance has heard so.
            hosts.fabric.eventually(() -> {
                assertEquals(Optional.of(8L), Optional.of(await(one.packets("flow-a").get())));
                assertEquals(Optional.of("ESTABLISHED"), await(one.connection("flow-a").get()));
                all.forEach(i -> assertEquals(0, holding(i)));
            });
        } finally {
            sampling.set(false);
            for (Thread reader : readers) {
                reader.join(10_000);
            }
        }
        assertTrue(wrong.isEmpty(), wrong.size() + " wrong samples, the first: " + wrong.peek());
        for (int count : samples) {
            assertTrue(count > 0, "every reader sampled");
        }

        assertEquals(0L, await(zero.packets("flow-a").get()), "instance 0 has no flow-a any more");
        assertEquals(Optional.empty(), await(zero.connection("flow-a").get()));
        await(one.packets("flow-a").add(1));
        await(one.connection("flow-a").set("CLOSING"));
        hosts.fabric.eventually(() -> all.forEach(i -> assertFlowA(i, 9, "CLOSING")));
    }

    @Test
    void aCrashedInstancesItemsAreTakenOverFromTheLastThatWasHeardOfThem() throws Exception {
        Instance zero = instance("h1", 0);
        // Instances 1 and 2 share a store (as with Redis): the take-over deletes 2's items there.
        MemoryStore shared = hosts.keep(new MemoryStore());
        StateSpace oneSpace = hosts.space("fw", "1", shared);
        Instance one = new Instance(oneSpace, hosts.view("h2", oneSpace, ""));
        StateSpace twoSpace = hosts.space("fw", "2", shared);
        Instance two = new Instance(twoSpace, hosts.view("h3", twoSpace, ""));
        List<Instance> all = List.of(zero, one, two);
        hosts.fabric.eventually(() -> all.forEach(i -> assertEquals(Set.of("0", "1", "2"), i.view().instances())));
        await(zero.packets("flow-a").add(7));
        await(two.packets("flow-b").add(5));
        await(two.connection("flow-b").set("ESTABLISHED"));
        hosts.fabric.eventually(() -> all.forEach(i -> assertFlow(i, "flow-b", 5, Optional.of("ESTABLISHED"))));

        IllegalStateException alive = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> one.view().takeOver("2"));
        assertTrue(alive.getMessage().contains("still counts"), alive.getMessage());

        hosts.fabric.eventually(() -> assertTrue(await(shared.keys("fw")).stream()
                .anyMatch(key -> key.instance().equals("2")), "instance 2's items in the store"));
        hosts.crash(two.view());
        List<Instance> survivors = List.of(zero, one);
        hosts.fabric.eventually(() -> survivors.forEach(i -> {
            assertEquals(Set.of("0", "1"), i.view().instances());
            assertFlow(i, "flow-b", 0, Optional.empty()); // lost with instance 2, until taken over
        }));

        assertEquals(2, await(one.view().takeOver("2")), "flow-b's packets and state");
        hosts.fabric.eventually(() -> {
            for (Instance i : survivors) {
                assertFlow(i, "flow-b", 5, Optional.of("ESTABLISHED"));
                assertEquals(12L, await(i.view().getGlobal(".*\\.packets", Reduce.sum())));
            }
        });
        assertEquals(5L, await(one.packets("flow-b").get()), "instance 1 owns flow-b now");
        assertTrue(await(shared.keys("fw")).stream().noneMatch(key -> key.instance().equals("2")),
                "a restarted instance 2 would read nothing back: " + await(shared.keys("fw")));
    }

    private static void assertFlow(Instance instance, String flow, long packets, Optional<String> state) {
        try {
            assertEquals(packets, await(instance.view().getGlobal(flow + "\\.packets", Reduce.sum())));
            assertEquals(state, await(instance.view().getGlobal(flow + "\\.state", Reduce.latest(TEXT)))
                    .map(s -> s.value()));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static int holding(Instance instance) {
        return instance.view().holding();
    }

    private static void assertFlowA(Instance instance, long packets, String state) {
        try {
            assertEquals(packets, await(instance.view().getGlobal("flow-a\\.packets", Reduce.sum())));
            assertEquals(Optional.of(state), await(instance.view().getGlobal("flow-a\\.state", Reduce.latest(TEXT)))
                    .map(s -> s.value()));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aHandOverStareDoesNotCarryLeavesTheItemsWhereTheyWere() throws Exception {
        List<Instance> both = counting(2);
        Instance zero = both.get(0);
        Instance one = both.get(1);
        await(zero.packets("flow-a").add(7));
        await(zero.connection("flow-a").set("ESTABLISHED"));
        assertEquals(7L, await(zero.packets("flow-a").get())); // first reads back: the items can move
        assertEquals(Optional.of("ESTABLISHED"), await(zero.connection("flow-a").get()));

        hosts.crash(zero.view()); // its VNF is gone: STARE carries nothing it publishes
        java.util.concurrent.ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(
                java.util.concurrent.ExecutionException.class, () -> await(zero.view().handOver("1", "flow-a\\..*")));
        assertTrue(refused.getCause() instanceof HandOverRefusedException, refused.toString());
        assertEquals(7L, await(zero.view().getGlobal("flow-a\\.packets", Reduce.sum())), "the packets are back");
        assertEquals(Optional.of("ESTABLISHED"), await(zero.view().getGlobal("flow-a\\.state", Reduce.latest(TEXT)))
                .map(s -> s.value()), "and the connection's state");
        assertEquals(0, zero.view().holding(), "nothing held apart");
        assertEquals(7L, await(zero.packets("flow-a").get()));
    }

    @Test
    void anAdopterWhoseStoreIsAwayAdoptsOnceItIsBack() throws Exception {
        Instance zero = instance("h1", 0);
        FaultyStore away = hosts.keep(new FaultyStore(new MemoryStore()));
        StateSpace oneSpace = hosts.space("fw", "1", away);
        Instance one = new Instance(oneSpace, hosts.view("h2", oneSpace, ""));
        hosts.fabric.eventually(() -> List.of(zero, one).forEach(i ->
                assertEquals(Set.of("0", "1"), i.view().instances())));
        await(zero.packets("flow-a").add(7));
        hosts.fabric.eventually(() -> assertEquals(7L, await(one.view().getGlobal("flow-a\\.packets", Reduce.sum()))));

        away.failReads(true); // instance 1 cannot read its own counterparts of the items it is handed
        assertEquals(1, await(zero.view().handOver("1", "flow-a\\..*")));
        long failed = away.refusedReads.get();
        hosts.fabric.eventually(() -> assertTrue(away.refusedReads.get() >= failed + 3, "the adoption is tried again"));
        away.failReads(false);

        hosts.fabric.eventually(() -> {
            assertEquals(7L, await(one.packets("flow-a").get()), "adopted once the store is back");
            for (Instance i : List.of(zero, one)) {
                assertEquals(7L, await(i.view().getGlobal("flow-a\\.packets", Reduce.sum())));
                assertEquals(0, i.view().holding());
            }
        });
    }

    @Test
    void handOversQueuedWhenTheInstanceLeavesEndAndLoseNothing() throws Exception {
        List<Instance> both = counting(2);
        Instance zero = both.get(0);
        Instance one = both.get(1);
        long total = 0;
        for (int f = 0; f < 20; f++) {
            await(zero.packets("flow-" + f).add(f + 1));
            total += f + 1;
        }
        List<CompletionStage<Integer>> handOvers = new ArrayList<>();
        for (int f = 0; f < 20; f++) {
            handOvers.add(zero.view().handOver("1", "flow-" + f + "\\..*"));
        }
        zero.view().close(); // leaves, handing everything left to instance 1
        for (CompletionStage<Integer> handOver : handOvers) {
            try {
                assertEquals(1, await(handOver)); // carried before the leave
            } catch (java.util.concurrent.ExecutionException e) {
                assertTrue(e.getCause() instanceof IllegalStateException, e.toString()); // or never started
            }
        }
        long expected = total;
        hosts.fabric.eventually(() -> {
            assertEquals(expected, await(one.view().getGlobal(".*\\.packets", Reduce.sum())));
            assertEquals(Set.of("1"), one.view().instances());
            assertEquals(0, one.view().holding());
        });
    }

    @Test
    void twoInstancesLeavingAtOnceEachNamingTheOtherLoseNothing() throws Exception {
        List<Instance> all = counting(3);
        Instance zero = all.get(0);
        Instance one = all.get(1);
        Instance two = all.get(2);
        await(zero.packets("flow-a").add(7));
        await(one.packets("flow-b").add(5));
        await(two.packets("flow-c").add(1));
        hosts.fabric.eventually(() -> assertEquals(13L, await(two.view().getGlobal(".*\\.packets", Reduce.sum()))));

        // Each picks the lowest-numbered peer it counts: 0 names 1, and 1 names 0.
        Thread leaving = new Thread(() -> zero.view().close(), "zero-leaves");
        leaving.start();
        one.view().close();
        leaving.join();

        hosts.fabric.eventually(() -> {
            assertEquals(Set.of("2"), two.view().instances());
            assertEquals(13L, await(two.view().getGlobal(".*\\.packets", Reduce.sum())), "nothing lost");
            assertEquals(0, two.view().holding());
            assertEquals(7L, await(two.packets("flow-a").get()), "instance 2 adopted what the leavers left");
        });
    }

    @Test
    void aHandedOverItemLeavesNoEmptyItemBehind() throws Exception {
        List<Instance> all = counting(3);
        Instance zero = all.get(0);
        Instance one = all.get(1);
        Instance two = all.get(2);
        await(zero.packets("flow-a").add(7));
        await(one.packets("flow-b").add(3));
        await(two.packets("flow-c").add(4));
        hosts.fabric.eventually(() -> {
            for (Instance i : all) {
                assertEquals(Optional.of(3L), await(i.view().getGlobal(".*\\.packets", Reduce.min())));
            }
        });

        assertEquals(1, await(zero.view().handOver("1", "flow-a\\..*")));
        hosts.fabric.eventually(() -> {
            for (Instance i : all) {
                assertEquals(0, i.view().holding());
                assertEquals(List.of("1"), await(i.view().getGlobal("flow-a\\.packets",
                        items -> items.stream().map(item -> item.key().instance()).toList())),
                        "only instance 1 holds flow-a's packets, at " + i.space().settings().instance());
                assertEquals(Optional.of(3L), await(i.view().getGlobal(".*\\.packets", Reduce.min())),
                        "no counter of 0 left behind");
            }
        });
        await(zero.packets("flow-a").add(1)); // a packet in flight: a new item on instance 0
        hosts.fabric.eventually(() -> {
            for (Instance i : all) {
                assertEquals(Optional.of(1L), await(i.view().getGlobal(".*\\.packets", Reduce.min())));
            }
        });
    }
}
