package io.stare.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.client.StateCodec;
import io.stare.state.flush.StateReads;
import io.stare.state.store.Bytes;
import io.stare.state.store.StateKey;
import io.stare.state.store.StateStore;
import io.stare.state.store.memory.MemoryStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * FlexState's promise: any interleaving of operations over partitions and instances, flushed
 * asynchronously while the store fails writes (away, or a driver that throws), ends with the
 * store holding what the same operations made synchronously. The buffer is larger than any run,
 * so nothing is refused.
 */
class ConvergenceProperties {

    private static final StateCodec<String> TEXT = StateCodec.utf8();
    private static final int INSTANCES = 2;
    private static final int PARTITIONS = 3;

    /** One step: an operation on one partition's structure, or a change of the async store's health. */
    record Op(int kind, int instance, int partition, int field, long amount) {
        @Override
        public String toString() {
            return KINDS[kind] + "(i" + instance + ",p" + partition + ",f" + field + "," + amount + ")";
        }
    }

    private static final String[] KINDS = {"add", "setCounter", "deleteCounter", "addTo", "setField", "removeField",
        "addMember", "removeMember", "put", "removeKey", "append", "setValue", "deleteValue", "storeAway",
        "storeThrows", "storeBack"};

    @Provide
    Arbitrary<Op> ops() {
        return Combinators.combine(Arbitraries.integers().between(0, KINDS.length - 1),
                Arbitraries.integers().between(0, INSTANCES - 1), Arbitraries.integers().between(0, PARTITIONS - 1),
                Arbitraries.integers().between(0, 3), Arbitraries.longs().between(-5, 5)).as(Op::new);
    }

    @Property(tries = 150)
    void asyncFlushesConvergeToTheSyncCalls(@ForAll @Size(max = 80) List<@net.jqwik.api.From("ops") Op> ops)
            throws Exception {
        String nf = "conv";
        try (StateStore syncStore = new MemoryStore(); FaultyStore asyncStore = new FaultyStore(new MemoryStore())) {
            List<StateSpace> spaces = new ArrayList<>();
            try {
                StateSpace[] sync = new StateSpace[INSTANCES];
                StateSpace[] async = new StateSpace[INSTANCES];
                for (int i = 0; i < INSTANCES; i++) {
                    sync[i] = StateSpace.over(settings(nf, "i" + i, Mode.SYNC), syncStore, System::currentTimeMillis);
                    async[i] = StateSpace.over(settings(nf, "i" + i, Mode.ASYNC), asyncStore,
                            System::currentTimeMillis);
                    spaces.add(sync[i]);
                    spaces.add(async[i]);
                }
                for (Op op : ops) {
                    if (op.kind() >= 13) {
                        asyncStore.fault(op.kind() == 13 ? FaultyStore.Fault.FAIL
                                : op.kind() == 14 ? FaultyStore.Fault.THROW : FaultyStore.Fault.NONE);
                        continue;
                    }
                    apply(op, sync[op.instance()].partition(op.partition()));
                    apply(op, async[op.instance()].partition(op.partition()));
                }
                asyncStore.fault(FaultyStore.Fault.NONE);
                for (StateSpace space : async) {
                    assertTrue(space.flush(Duration.ofSeconds(10)), "flushed");
                    assertEquals(0, space.counters().refused());
                }
                assertEquals(contents(syncStore, nf), contents(asyncStore, nf), ops.toString());
                for (StateSpace space : async) {
                    assertEquals(await(sync[0].counter("c", Scope.NF, Merge.sum())),
                            await(space.counter("c", Scope.NF, Merge.sum())));
                }
            } finally {
                spaces.forEach(StateSpace::close);
            }
        }
    }

    private static StateSettings settings(String nf, String instance, Mode mode) {
        return new StateSettings(nf, instance, mode, Duration.ofMillis(1), 1_000_000,
                com.typesafe.config.ConfigFactory.empty());
    }

    private static void apply(Op op, Partition p) throws Exception {
        String field = "f" + op.field();
        switch (op.kind()) {
            case 0 -> await(p.counter("c").add(op.amount()));
            case 1 -> await(p.counter("c").set(op.amount()));
            case 2 -> await(p.counter("c").delete());
            case 3 -> await(p.counterMap("cm", TEXT).addTo(field, op.amount()));
            case 4 -> await(p.counterMap("cm", TEXT).set(field, op.amount()));
            case 5 -> await(p.counterMap("cm", TEXT).remove(field));
            case 6 -> await(p.set("s", TEXT).add(field));
            case 7 -> await(p.set("s", TEXT).remove(field));
            case 8 -> await(p.map("m", TEXT, TEXT).put(field, Long.toString(op.amount())));
            case 9 -> await(p.map("m", TEXT, TEXT).remove(field));
            case 10 -> await(p.list("l", TEXT).append(field));
            case 11 -> await(p.value("v", TEXT).set(field));
            case 12 -> await(p.value("v", TEXT).delete());
            default -> throw new IllegalArgumentException("kind " + op.kind());
        }
    }

    /**
     * Every item of {@code nf} in comparable form: a value without its write's timestamp, and what
     * reads as empty left out (a sync {@code add(0)} makes a counter of 0 where a merged flush
     * sends nothing; both read 0).
     */
    private static Map<String, Object> contents(StateStore store, String nf) throws Exception {
        Map<String, Object> out = new HashMap<>();
        for (StateKey key : await(store.keys(nf))) {
            Object item = comparable(key, await(StateReads.read(store, key)));
            boolean empty = item.equals(0L) || item.equals(Optional.empty())
                    || (item instanceof java.util.Collection<?> c && c.isEmpty())
                    || (item instanceof Map<?, ?> m && m.isEmpty());
            if (!empty) {
                out.put(key.render(), item);
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Object comparable(StateKey key, Object item) {
        switch (key.type()) {
            case VALUE:
                return ((Optional<byte[]>) item).map(b -> TEXT.decode(Arrays.copyOfRange(b, Long.BYTES, b.length)));
            case LIST:
                return ((List<byte[]>) item).stream().map(TEXT::decode).toList();
            case MAP: {
                Map<Bytes, String> map = new HashMap<>();
                ((Map<Bytes, byte[]>) item).forEach((k, v) -> map.put(k, TEXT.decode(v)));
                return map;
            }
            case SET:
                return new LinkedHashSet<>((Set<Bytes>) item);
            case COUNTERMAP: {
                Map<Bytes, Long> nonZero = new HashMap<>((Map<Bytes, Long>) item);
                nonZero.values().removeIf(v -> v == 0L);
                return nonZero;
            }
            default:
                return item;
        }
    }

    private static <T> T await(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
