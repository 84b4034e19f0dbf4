package io.stare.state.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link StateStore} does, whatever keeps the items: each driver's test extends this
 * with the store it opens. Every test writes under a network function of its own.
 */
public abstract class StateStoreContract {

    /** A fresh store; skip (JUnit assumptions) where its service is absent. */
    protected abstract StateStore open() throws Exception;

    protected StateStore store;
    protected String nf;

    @BeforeEach
    void openStore() throws Exception {
        store = open();
        nf = "nf" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    protected StateKey key(StructureType type, String id) {
        return new StateKey(nf, "i1", 0, type, id);
    }

    protected static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static byte[] b(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static Bytes f(String text) {
        return Bytes.of(b(text));
    }

    @Test
    void absentItemsReadAsTheEmptyValueOfTheirType() throws Exception {
        assertTrue(await(store.value(key(StructureType.VALUE, "v"))).isEmpty());
        assertEquals(0L, await(store.counter(key(StructureType.COUNTER, "c"))));
        assertEquals(List.of(), await(store.list(key(StructureType.LIST, "l"))));
        assertEquals(Set.of(), await(store.set(key(StructureType.SET, "s"))));
        assertEquals(Map.of(), await(store.map(key(StructureType.MAP, "m"))));
        assertEquals(Map.of(), await(store.counterMap(key(StructureType.COUNTERMAP, "cm"))));
        assertEquals(List.of(), await(store.keys(nf)));
    }

    @Test
    void valuesAreCreatedReadUpdatedAndDeleted() throws Exception {
        StateKey v = key(StructureType.VALUE, "v");
        byte[] binary = {0, (byte) 0xff, 10, 13, 0, 64};
        await(store.apply(List.of(new Change.PutValue(v, binary))));
        assertArrayEquals(binary, await(store.value(v)).orElseThrow());
        await(store.apply(List.of(new Change.PutValue(v, b("second")))));
        assertArrayEquals(b("second"), await(store.value(v)).orElseThrow());
        await(store.apply(List.of(new Change.Delete(v))));
        assertTrue(await(store.value(v)).isEmpty());
    }

    @Test
    void countersAddSetAndDelete() throws Exception {
        StateKey c = key(StructureType.COUNTER, "c");
        await(store.apply(List.of(new Change.AddToCounter(c, 5), new Change.AddToCounter(c, -2))));
        assertEquals(3L, await(store.counter(c)));
        await(store.apply(List.of(new Change.SetCounter(c, Long.MAX_VALUE - 1), new Change.AddToCounter(c, 1))));
        assertEquals(Long.MAX_VALUE, await(store.counter(c)));
        await(store.apply(List.of(new Change.Delete(c), new Change.AddToCounter(c, 7))));
        assertEquals(7L, await(store.counter(c)), "a batch is applied in its order");
    }

    @Test
    void listsKeepTheirOrder() throws Exception {
        StateKey l = key(StructureType.LIST, "l");
        await(store.apply(List.of(new Change.Append(l, List.of(b("a"), b("b"))), new Change.Append(l,
                List.of(b("a"))))));
        List<byte[]> read = await(store.list(l));
        assertEquals(List.of("a", "b", "a"), read.stream().map(x -> new String(x, StandardCharsets.UTF_8)).toList());
        await(store.apply(List.of(new Change.Delete(l), new Change.Append(l, List.of(b("z"))))));
        assertEquals(1, await(store.list(l)).size());
    }

    @Test
    void setsAddAndRemoveMembers() throws Exception {
        StateKey s = key(StructureType.SET, "s");
        Bytes binary = Bytes.of(new byte[] {0, 1, (byte) 0x80});
        await(store.apply(List.of(new Change.AddMember(s, f("x")), new Change.AddMember(s, f("y")),
                new Change.AddMember(s, f("x")), new Change.AddMember(s, binary), new Change.RemoveMember(s, f("y")),
                new Change.RemoveMember(s, f("never")))));
        assertEquals(Set.of(f("x"), binary), await(store.set(s)));
    }

    @Test
    void mapsPutAndRemoveFields() throws Exception {
        StateKey m = key(StructureType.MAP, "m");
        await(store.apply(List.of(new Change.PutField(m, f("k1"), b("v1")), new Change.PutField(m, f("k2"), b("v2")),
                new Change.PutField(m, f("k1"), b("v1'")), new Change.RemoveField(m, f("k2")))));
        Map<Bytes, byte[]> read = await(store.map(m));
        assertEquals(Set.of(f("k1")), read.keySet());
        assertArrayEquals(b("v1'"), read.get(f("k1")));
    }

    @Test
    void counterMapsAddSetAndRemoveFields() throws Exception {
        StateKey cm = key(StructureType.COUNTERMAP, "cm");
        await(store.apply(List.of(new Change.AddToField(cm, f("flow-1"), 3), new Change.AddToField(cm, f("flow-1"), 4),
                new Change.AddToField(cm, f("flow-2"), -1), new Change.SetField(cm, f("flow-3"), 100),
                new Change.AddToField(cm, f("flow-3"), 1), new Change.SetField(cm, f("flow-4"), 9),
                new Change.RemoveField(cm, f("flow-4")))));
        assertEquals(Map.of(f("flow-1"), 7L, f("flow-2"), -1L, f("flow-3"), 101L), await(store.counterMap(cm)));
    }

    @Test
    void keysListEveryItemOfTheNetworkFunctionAndNoOther() throws Exception {
        StateKey a = new StateKey(nf, "i1", 0, StructureType.COUNTER, "c");
        StateKey b = new StateKey(nf, "i2", 3, StructureType.COUNTER, "c");
        StateKey c = new StateKey(nf, "i1", 1, StructureType.MAP, "m");
        StateKey other = new StateKey(nf + "x", "i1", 0, StructureType.COUNTER, "c");
        await(store.apply(List.of(new Change.AddToCounter(a, 1), new Change.AddToCounter(b, 1),
                new Change.PutField(c, f("k"), b("v")), new Change.AddToCounter(other, 1))));
        assertEquals(Set.of(a, b, c), new HashSet<>(await(store.keys(nf))));
        await(store.apply(List.of(new Change.Delete(other))));
    }

    @Test
    void aLargeBatchIsAppliedWhole() throws Exception {
        List<Change> batch = new ArrayList<>();
        StateKey cm = key(StructureType.COUNTERMAP, "flows");
        for (int i = 0; i < 5_000; i++) {
            batch.add(new Change.AddToField(cm, f("flow-" + (i % 1_000)), 1));
            batch.add(new Change.AddToCounter(key(StructureType.COUNTER, "total"), 1));
        }
        await(store.apply(batch));
        Map<Bytes, Long> read = await(store.counterMap(cm));
        assertEquals(1_000, read.size());
        assertTrue(read.values().stream().allMatch(v -> v == 5L), read.toString());
        assertEquals(5_000L, await(store.counter(key(StructureType.COUNTER, "total"))));
    }

    @Test
    void aClosedStoreFailsItsCallsAsClosed() throws Exception {
        store.close();
        ExecutionException failed = assertThrows(ExecutionException.class,
                () -> await(store.counter(key(StructureType.COUNTER, "c"))));
        StateStoreException cause = assertInstanceOf(StateStoreException.class, failed.getCause());
        assertEquals(StateStoreException.Kind.CLOSED, cause.kind());
        store = null;
    }
}
