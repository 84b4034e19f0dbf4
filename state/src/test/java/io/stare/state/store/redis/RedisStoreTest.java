package io.stare.state.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.stare.state.store.StateKey;
import io.stare.state.store.StructureType;
import io.stare.state.store.Bytes;
import io.stare.state.store.Change;
import io.stare.state.store.StateStore;
import io.stare.state.store.StateStoreContract;
import io.stare.state.store.StateStoreException;
import io.stare.state.store.StateStoreException.Kind;
import io.stare.state.store.StateStores;
import io.stare.testing.TestTime;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract and Redis's own side of it, against the Redis on 127.0.0.1:6379 (skipped where
 * none listens). Every test writes under network functions of its own and deletes them after.
 */
@Timeout(60)
class RedisStoreTest extends StateStoreContract {

    private static final String HOST = "127.0.0.1";
    private static final int PORT = 6379;
    private static final String URI = "redis://" + HOST + ":" + PORT;

    /** Straight to Redis, to see and make what the store does not: types, foreign keys, killed connections. */
    private static RedisClient directClient;
    private static StatefulRedisConnection<String, String> directConnection;

    /** Network functions a test wrote under besides the contract's {@code nf}, deleted after it. */
    private final List<String> otherNfs = new ArrayList<>();

    @Override
    protected StateStore open() {
        Assumptions.assumeTrue(listening(), "no Redis listens on " + HOST + ":" + PORT);
        return new RedisStoreDriver().open(RedisStoreDriverTest.settings(URI, "", "2s"));
    }

    private static boolean listening() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, PORT), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static synchronized RedisCommands<String, String> direct() {
        if (directConnection == null) {
            directClient = RedisClient.create(URI);
            directConnection = directClient.connect();
        }
        return directConnection.sync();
    }

    @AfterAll
    static synchronized void closeDirect() {
        if (directClient != null) {
            directConnection.close();
            directClient.shutdown();
        }
    }

    /** Runs before the contract closes the store (a subclass's @AfterEach comes first). */
    @AfterEach
    void deleteWhatTheTestWrote() {
        if (nf == null || !listening()) {
            return;
        }
        otherNfs.add(nf);
        for (String written : otherNfs) {
            // nf* rather than nf@*: the contract also writes under nf + "x".
            ScanArgs match = ScanArgs.Builder.matches(RedisStore.glob(written) + "*").limit(1_000);
            KeyScanCursor<String> cursor = direct().scan(match);
            while (true) {
                if (!cursor.getKeys().isEmpty()) {
                    direct().del(cursor.getKeys().toArray(new String[0]));
                }
                if (cursor.isFinished()) {
                    break;
                }
                cursor = direct().scan(cursor, match);
            }
        }
    }

    private static byte[] b(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static Bytes f(String text) {
        return Bytes.of(b(text));
    }

    private static StateStoreException fails(CompletionStage<?> stage) {
        ExecutionException failed = assertThrows(ExecutionException.class, () -> await(stage));
        return assertInstanceOf(StateStoreException.class, failed.getCause());
    }

    @Test
    void itemsAreKeptAsRedisOwnTypesUnderTheirRenderedKeys() throws Exception {
        StateKey v = key(StructureType.VALUE, "v");
        StateKey c = key(StructureType.COUNTER, "c");
        StateKey l = key(StructureType.LIST, "l");
        StateKey s = key(StructureType.SET, "s");
        StateKey m = key(StructureType.MAP, "m");
        StateKey cm = key(StructureType.COUNTERMAP, "cm");
        await(store.apply(List.of(new Change.PutValue(v, b("hello")), new Change.AddToCounter(c, 41),
                new Change.AddToCounter(c, 1), new Change.Append(l, List.of(b("a"), b("b"))),
                new Change.AddMember(s, f("x")), new Change.PutField(m, f("k"), b("v")),
                new Change.AddToField(cm, f("flow"), 3))));
        RedisCommands<String, String> redis = direct();
        assertEquals(nf + "@i1@0@value@v", v.render());
        assertEquals("string", redis.type(v.render()));
        assertEquals("hello", redis.get(v.render()));
        assertEquals("string", redis.type(c.render()));
        assertEquals("42", redis.get(c.render()));
        assertEquals("list", redis.type(l.render()));
        assertEquals(List.of("a", "b"), redis.lrange(l.render(), 0, -1));
        assertEquals("set", redis.type(s.render()));
        assertEquals("hash", redis.type(m.render()));
        assertEquals(Map.of("k", "v"), redis.hgetall(m.render()));
        assertEquals("hash", redis.type(cm.render()));
        assertEquals(Map.of("flow", "3"), redis.hgetall(cm.render()));
    }

    @Test
    void whatOtherClientsWriteIsReadAsTheStructure() throws Exception {
        StateKey c = key(StructureType.COUNTER, "c");
        StateKey cm = key(StructureType.COUNTERMAP, "cm");
        direct().incrby(c.render(), -7);
        direct().hincrby(cm.render(), "f", 9);
        assertEquals(-7L, await(store.counter(c)));
        assertEquals(Map.of(f("f"), 9L), await(store.counterMap(cm)));
    }

    @Test
    void anEmptyBatchOrAppendWritesNothing() throws Exception {
        StateKey l = key(StructureType.LIST, "l");
        await(store.apply(List.of()));
        await(store.apply(List.of(new Change.Append(l, List.of()))));
        assertEquals(0L, direct().exists(l.render()));
        assertEquals(List.of(), await(store.list(l)));
    }

    @Test
    void aPasswordThisRedisDoesNotExpectIsRefusedAsAuthentication() {
        assumePasswordless();
        StateStoreException failure = assertThrows(StateStoreException.class,
                () -> new RedisStoreDriver().open(RedisStoreDriverTest.settings(URI, "not-the-password", "2s")));
        assertEquals(Kind.AUTHENTICATION, failure.kind(), failure.getMessage());
        assertTrue(!failure.getMessage().contains("not-the-password"), failure.getMessage());
    }

    @Test
    void anUnknownUserInTheUriIsRefusedAsAuthentication() {
        assumePasswordless();
        String user = "stare-nobody-" + UUID.randomUUID();
        StateStoreException failure = assertThrows(StateStoreException.class, () -> new RedisStoreDriver()
                .open(RedisStoreDriverTest.settings("redis://" + user + ":pw@" + HOST + ":" + PORT, "", "2s")));
        assertEquals(Kind.AUTHENTICATION, failure.kind(), failure.getMessage());
    }

    private static void assumePasswordless() {
        Assumptions.assumeTrue(direct().ping().equals("PONG"), "this Redis wants a password");
    }

    @Test
    void stateStoresOpensTheRedisDriverByItsLabel() throws Exception {
        store.close();
        store = StateStores.open(ConfigFactory.parseString("driver = redis\nredis { uri = \"" + URI
                + "\", password = \"\", timeout = 2s }"));
        assertInstanceOf(RedisStore.class, store);
        assertEquals("redis", store.label());
        assertInstanceOf(RedisStoreDriver.class, StateStores.drivers().get("redis"));
        StateKey c = key(StructureType.COUNTER, "c");
        await(store.apply(List.of(new Change.AddToCounter(c, 2))));
        assertEquals("2", direct().get(c.render()));
    }

    @Test
    void aKeyHoldingAnotherRedisTypeIsRefused() throws Exception {
        StateKey m = key(StructureType.MAP, "m");
        StateKey c = key(StructureType.COUNTER, "c");
        direct().set(m.render(), "a plain string");
        direct().set(c.render(), "not a number");
        assertEquals(Kind.REFUSED, fails(store.map(m)).kind());
        assertEquals(Kind.REFUSED, fails(store.counter(c)).kind());
        StateKey l = key(StructureType.LIST, "l");
        direct().hset(l.render(), "field", "value");
        StateStoreException refused = fails(store.list(l));
        assertEquals(Kind.REFUSED, refused.kind());
        assertTrue(refused.getMessage().contains("WRONGTYPE"), refused.getMessage());
        // A refusal leaves the connection good for the next call.
        assertTrue(await(store.value(key(StructureType.VALUE, "v"))).isEmpty());
    }

    @Test
    void aRefusedChangeFailsItsBatchWhileRedisKeepsTheOthers() throws Exception {
        StateKey m = key(StructureType.MAP, "m");
        StateKey before = key(StructureType.COUNTER, "before");
        StateKey after = key(StructureType.COUNTER, "after");
        direct().set(m.render(), "a plain string");
        StateStoreException failure = fails(store.apply(List.of(new Change.AddToCounter(before, 1),
                new Change.Append(key(StructureType.LIST, "l"), List.of()), new Change.PutField(m, f("k"), b("v")),
                new Change.AddToCounter(after, 1))));
        assertEquals(Kind.REFUSED, failure.kind());
        assertTrue(failure.getMessage().contains("WRONGTYPE"), failure.getMessage());
        assertTrue(failure.getMessage().contains("change 3 of 4"), failure.getMessage());
        // MULTI/EXEC: no rollback, and the batch was not cut short.
        assertEquals(1L, await(store.counter(before)));
        assertEquals(1L, await(store.counter(after)));
        // The write connection is still good for the next batch.
        await(store.apply(List.of(new Change.AddToCounter(after, 1))));
        assertEquals(2L, await(store.counter(after)));
    }

    @Test
    void batchesFromOneCallerAreAppliedInTheOrderOfTheCalls() throws Exception {
        StateKey c = key(StructureType.COUNTER, "c");
        StateKey l = key(StructureType.LIST, "l");
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            // No waiting between calls, as the no-wait mode writes.
            pending.add(store.apply(List.of(new Change.SetCounter(c, i), new Change.Append(l, List.of(b("" + i)))))
                    .toCompletableFuture());
            expected.add("" + i);
        }
        await(CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0])));
        assertEquals(499L, await(store.counter(c)));
        assertEquals(expected, await(store.list(l)).stream().map(x -> new String(x, StandardCharsets.UTF_8)).toList());
    }

    @Test
    void concurrentBatchesAreEachAppliedWhole() throws Exception {
        StateKey l = key(StructureType.LIST, "l");
        StateKey total = key(StructureType.COUNTER, "total");
        int threads = 8;
        int batches = 150;
        ExecutorService writers = Executors.newFixedThreadPool(threads + 1);
        AtomicBoolean writing = new AtomicBoolean(true);
        List<String> torn = new CopyOnWriteArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                byte[] mark = b("w" + t);
                done.add(writers.submit(() -> {
                    start.await();
                    for (int i = 0; i < batches; i++) {
                        // Each batch replaces the list with three of its writer's marks: only a torn
                        // batch could leave marks of two writers, or more than three.
                        await(store.apply(List.of(new Change.Delete(l), new Change.Append(l, List.of(mark, mark)),
                                new Change.Append(l, List.of(mark)), new Change.AddToCounter(total, 1))));
                    }
                    return null;
                }));
            }
            Future<?> reader = writers.submit(() -> {
                while (writing.get()) {
                    List<String> seen = await(store.list(l)).stream()
                            .map(x -> new String(x, StandardCharsets.UTF_8)).toList();
                    if (!seen.isEmpty() && (seen.size() != 3 || new HashSet<>(seen).size() != 1)) {
                        torn.add(seen.toString());
                    }
                }
                return null;
            });
            start.countDown();
            for (Future<?> writer : done) {
                writer.get();
            }
            writing.set(false);
            reader.get();
        } finally {
            writers.shutdownNow();
        }
        assertEquals(List.of(), torn);
        assertEquals((long) threads * batches, await(store.counter(total)));
        assertEquals(3, await(store.list(l)).size());
    }

    @Test
    void keysLeaveOutWhatIsNotAStateKey() throws Exception {
        StateKey real = key(StructureType.COUNTER, "c");
        await(store.apply(List.of(new Change.AddToCounter(real, 1))));
        direct().set(nf + "@junk", "x");
        direct().set(nf + "@i1@007@counter@c", "1");
        direct().set(nf + "@i1@0@nosuchtype@c", "1");
        direct().set(nf + "@i1@0@counter@c@extra", "1");
        assertEquals(List.of(real), await(store.keys(nf)));
    }

    @Test
    void keysMatchTheNetworkFunctionLiterallyNotAsAPattern() throws Exception {
        String base = "g" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        // Unescaped, the pattern "<base>[x]*?\@*" would also match the decoy "<base>xAB@...".
        String globby = base + "[x]*?\\";
        String decoy = base + "xAB";
        otherNfs.add(globby);
        otherNfs.add(decoy);
        StateKey mine = new StateKey(globby, "i1", 0, StructureType.COUNTER, "c");
        StateKey theirs = new StateKey(decoy, "i1", 0, StructureType.COUNTER, "c");
        await(store.apply(List.of(new Change.AddToCounter(mine, 1), new Change.AddToCounter(theirs, 1))));
        assertEquals(List.of(mine), await(store.keys(globby)));
        assertEquals(List.of(theirs), await(store.keys(decoy)));
    }

    @Test
    void keysWalkTheWholeKeySpaceBeyondOnePage() throws Exception {
        List<Change> batch = new ArrayList<>();
        Set<StateKey> expected = new HashSet<>();
        for (int i = 0; i < 2_500; i++) {
            StateKey k = new StateKey(nf, "i" + (i % 3), i % 7, StructureType.COUNTER, "c" + i);
            batch.add(new Change.AddToCounter(k, 1));
            expected.add(k);
        }
        await(store.apply(batch));
        List<StateKey> keys = await(store.keys(nf));
        assertEquals(expected.size(), keys.size(), "no key twice");
        assertEquals(expected, new HashSet<>(keys));
    }

    @Test
    void aKilledConnectionIsReplacedOnTheNextCall() throws Exception {
        String name = "stare-state-test-" + UUID.randomUUID().toString().substring(0, 8);
        store.close();
        store = new RedisStoreDriver().open(RedisStoreDriverTest.settings(URI + "?clientName=" + name, "", "2s"));
        StateKey c = key(StructureType.COUNTER, "c");
        await(store.apply(List.of(new Change.AddToCounter(c, 1))));
        assertEquals(1L, await(store.counter(c)));

        int killed = 0;
        for (String client : direct().clientList().split("\n")) {
            if (client.contains(" name=" + name + " ")) {
                String id = client.substring(client.indexOf("id=") + 3, client.indexOf(' ', client.indexOf("id=")));
                killed += (int) (long) direct().clientKill(KillArgs.Builder.id(Long.parseLong(id)));
            }
        }
        assertEquals(2, killed, "the store's write and read connections");

        // A call may still meet the dead connection (UNAVAILABLE); the ones after it reconnect.
        TestTime.eventually(Duration.ofSeconds(10), () -> succeeds(store.apply(List.of(new Change.AddToCounter(c, 1)))),
                ok -> ok);
        TestTime.eventually(Duration.ofSeconds(10), () -> await(store.counter(c)), n -> n >= 2L);
    }

    @Test
    void aClosedStoreFailsWritesAndKeysAsClosed() throws Exception {
        store.close();
        store.close();
        assertEquals(Kind.CLOSED, fails(store.apply(List.of(new Change.AddToCounter(key(StructureType.COUNTER, "c"),
                1)))).kind());
        assertEquals(Kind.CLOSED, fails(store.keys(nf)).kind());
        assertEquals(Kind.CLOSED, fails(store.map(key(StructureType.MAP, "m"))).kind());
    }

    /** Whether {@code call} completes normally (a reconnect may fail the first call after a kill). */
    private static boolean succeeds(java.util.concurrent.CompletionStage<?> call) throws InterruptedException {
        try {
            call.toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
            return true;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return false;
        }
    }
}
