package io.stare.state.store.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
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
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The contract against the PostgreSQL on this machine (127.0.0.1:5432, database {@code test}, user
 * {@code postgres}, trust), in a schema of its own; skipped where nothing listens there. Only
 * loopback.
 */
class PostgresStoreTest extends StateStoreContract {

    private static final String HOST = "127.0.0.1";
    private static final int PORT = 5432;
    private static final String URL = "jdbc:postgresql://" + HOST + ":" + PORT + "/test";
    private static final String SCHEMA = "stare_state_test";

    @BeforeAll
    static void postgresListens() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(HOST, PORT), 1_000);
        } catch (IOException e) {
            Assumptions.abort("no PostgreSQL listens on " + HOST + ":" + PORT + " (" + e.getMessage() + ")");
        }
    }

    @Override
    protected StateStore open() {
        return new PostgresStoreDriver().open(settings(Map.of()));
    }

    /** The contract leaves its items behind; they go, with those of {@code nf + "x"}, so the schema does not grow. */
    @AfterEach
    void deleteTheItems() throws SQLException {
        if (nf == null) {
            return;
        }
        try (Connection admin = admin(); Statement statement = admin.createStatement()) {
            for (StructureType type : StructureType.values()) {
                // nf is letters and digits: nothing in it is a LIKE wildcard.
                statement.execute("DELETE FROM \"" + SCHEMA + "\".\"" + type.label() + "\" WHERE nf LIKE '" + nf
                        + "%'");
            }
        }
    }

    /** The test's settings, with {@code overrides}. */
    private static Config settings(Map<String, Object> overrides) {
        Map<String, Object> settings = new HashMap<>(Map.of("url", URL, "user", "postgres", "password", "",
                "schema", SCHEMA, "pool-size", 4, "timeout", "5s"));
        settings.putAll(overrides);
        return ConfigFactory.parseMap(settings);
    }

    private static StateStoreException openFails(Map<String, Object> overrides) {
        return assertThrows(StateStoreException.class, () -> new PostgresStoreDriver().open(settings(overrides))
                .close());
    }

    private static Connection admin() throws SQLException {
        return DriverManager.getConnection(URL, "postgres", "");
    }

    private static Kind failureOf(CompletionStage<?> stage) {
        ExecutionException failed = assertThrows(ExecutionException.class,
                () -> stage.toCompletableFuture().get(30, TimeUnit.SECONDS));
        return assertInstanceOf(StateStoreException.class, failed.getCause()).kind();
    }

    private static byte[] b(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aRoleThatDoesNotExistIsRefusedAsAuthentication() {
        assertEquals(Kind.AUTHENTICATION, openFails(Map.of("user", "stare_no_such_role")).kind());
    }

    @Test
    void aPortWhereNothingListensIsUnavailableAtOnce() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        String url = "jdbc:postgresql://" + HOST + ":" + port + "/test";
        StateStoreException failure = assertTimeoutPreemptively(TestTime.dilated(Duration.ofSeconds(5)),
                () -> openFails(Map.of("url", url, "timeout", "2s")));
        assertEquals(Kind.UNAVAILABLE, failure.kind(), failure.getMessage());
    }

    @Test
    void anUnknownDatabaseIsAConfigurationError() {
        StateStoreException failure = openFails(Map.of("url", "jdbc:postgresql://" + HOST + ":" + PORT
                + "/stare_no_such_database"));
        assertEquals(Kind.CONFIGURATION, failure.kind(), failure.getMessage());
    }

    @Test
    void aSchemaThatIsNoPlainIdentifierIsAConfigurationError() {
        for (String schema : List.of("x; drop", "Upper", "a\"b", "", "1abc")) {
            assertEquals(Kind.CONFIGURATION, openFails(Map.of("schema", schema)).kind(), schema);
        }
    }

    @Test
    void otherWrongSettingsAreConfigurationErrors() {
        assertEquals(Kind.CONFIGURATION, openFails(Map.of("url", "jdbc:mysql://" + HOST + "/test")).kind());
        assertEquals(Kind.CONFIGURATION, openFails(Map.of("url", "jdbc:postgresql://" + HOST + ":port/test")).kind());
        assertEquals(Kind.CONFIGURATION, openFails(Map.of("pool-size", 0)).kind());
        assertEquals(Kind.CONFIGURATION, openFails(Map.of("timeout", "soon")).kind());
    }

    @Test
    void theConfigurationsLabelChoosesThisDriver() {
        Config store = settings(Map.of()).atKey("postgres").withFallback(ConfigFactory.parseMap(Map.of("driver",
                "postgres")));
        try (StateStore opened = StateStores.open(store)) {
            assertEquals("postgres", opened.label());
            assertInstanceOf(PostgresStore.class, opened);
        }
    }

    @Test
    void storesOpenedAtOnceOnAFreshSchemaAllSucceed() throws Exception {
        String schema = "stare_state_race_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        int stores = 4;
        ExecutorService threads = Executors.newFixedThreadPool(stores);
        List<StateStore> opened = new ArrayList<>();
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<StateStore>> opening = new ArrayList<>();
            for (int i = 0; i < stores; i++) {
                opening.add(threads.submit(() -> {
                    start.await();
                    return new PostgresStoreDriver().open(settings(Map.of("schema", schema, "pool-size", 1)));
                }));
            }
            start.countDown();
            List<Throwable> failures = new ArrayList<>();
            for (Future<StateStore> each : opening) {
                try {
                    opened.add(each.get(30, TimeUnit.SECONDS));
                } catch (ExecutionException e) {
                    failures.add(e.getCause());
                }
            }
            assertEquals(List.of(), failures);
            StateKey counter = new StateKey(nf, "i1", 0, StructureType.COUNTER, "c");
            await(opened.get(0).apply(List.of(new Change.AddToCounter(counter, 2))));
            assertEquals(2L, await(opened.get(stores - 1).counter(counter)));
        } finally {
            opened.forEach(StateStore::close);
            threads.shutdownNow();
            try (Connection admin = admin(); Statement statement = admin.createStatement()) {
                statement.execute("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE");
            }
        }
    }

    @Test
    void keysListItemsOfEveryType() throws Exception {
        Bytes x = Bytes.of(b("x"));
        List<StateKey> keys = List.of(key(StructureType.VALUE, "v"), key(StructureType.COUNTER, "c"),
                key(StructureType.LIST, "l"), key(StructureType.SET, "s"), key(StructureType.MAP, "m"),
                new StateKey(nf, "i2", 7, StructureType.COUNTERMAP, "cm"));
        await(store.apply(List.of(new Change.PutValue(keys.get(0), b("v")), new Change.SetCounter(keys.get(1), 0),
                new Change.Append(keys.get(2), List.of(b("a"), b("b"))), new Change.AddMember(keys.get(3), x),
                new Change.PutField(keys.get(4), x, b("v")), new Change.AddToField(keys.get(5), x, 1),
                new Change.AddToField(keys.get(5), Bytes.of(b("y")), 1))));
        List<StateKey> listed = await(store.keys(nf));
        assertEquals(keys.size(), listed.size(), listed.toString());
        assertEquals(Set.copyOf(keys), new HashSet<>(listed));
        await(store.apply(keys.stream().<Change>map(Change.Delete::new).toList()));
        assertEquals(List.of(), await(store.keys(nf)));
    }

    @Test
    void aFailedBatchIsRefusedAndNotAppliedInPart() throws Exception {
        StateKey a = key(StructureType.COUNTER, "a");
        StateKey v = key(StructureType.VALUE, "v");
        StateKey overflowing = key(StructureType.COUNTER, "overflowing");
        // bigint overflow: the server refuses the last change, after the others ran in the transaction.
        assertEquals(Kind.REFUSED, failureOf(store.apply(List.of(new Change.AddToCounter(a, 5),
                new Change.PutValue(v, b("v")), new Change.SetCounter(overflowing, Long.MAX_VALUE),
                new Change.AddToCounter(overflowing, 1)))));
        assertEquals(0L, await(store.counter(a)));
        assertTrue(await(store.value(v)).isEmpty());
        assertEquals(0L, await(store.counter(overflowing)));
        await(store.apply(List.of(new Change.AddToCounter(a, 5))));
        assertEquals(5L, await(store.counter(a)), "the connection serves the next batch");
    }

    @Test
    void aReadOfAnotherTypesKeyIsRefused() {
        assertEquals(Kind.REFUSED, failureOf(store.counter(key(StructureType.MAP, "m"))));
    }

    @Test
    void callsAtOnceShareThePool() throws Exception {
        StateKey c = key(StructureType.COUNTER, "c");
        List<CompletableFuture<?>> calls = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            calls.add(store.apply(List.of(new Change.AddToCounter(c, 1))).toCompletableFuture());
            calls.add(store.counter(c).toCompletableFuture());
        }
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        assertEquals(200L, await(store.counter(c)));
    }

    @Test
    void aStatementPastTheTimeoutFailsAsUnavailableAndTheStoreGoesOn() throws Exception {
        StateKey c = key(StructureType.COUNTER, "c");
        try (StateStore slow = new PostgresStoreDriver().open(settings(Map.of("pool-size", 1, "timeout", "1s")));
                Connection admin = admin()) {
            await(slow.apply(List.of(new Change.AddToCounter(c, 3))));
            admin.setAutoCommit(false);
            try (Statement statement = admin.createStatement()) {
                statement.execute("LOCK TABLE \"" + SCHEMA + "\".\"counter\" IN ACCESS EXCLUSIVE MODE");
            }
            long started = System.nanoTime();
            assertEquals(Kind.UNAVAILABLE, failureOf(slow.counter(c)));
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertTrue(tookMillis < TestTime.dilated(Duration.ofSeconds(4)).toMillis(), "took " + tookMillis + " ms");
            admin.rollback();
            assertEquals(3L, await(slow.counter(c)));
        }
    }

    @Test
    void aLostConnectionFailsItsCallAndIsReplacedOnTheNext() throws Exception {
        StateKey c = key(StructureType.COUNTER, "c");
        try (Connection admin = admin()) {
            Set<Integer> before = storeBackends(admin);
            try (StateStore lone = new PostgresStoreDriver().open(settings(Map.of("pool-size", 1)))) {
                await(lone.apply(List.of(new Change.AddToCounter(c, 4))));
                Set<Integer> ours = storeBackends(admin);
                ours.removeAll(before);
                assertEquals(1, ours.size(), "the store's one connection: " + ours);
                int pid = ours.iterator().next();
                try (Statement statement = admin.createStatement()) {
                    statement.execute("SELECT pg_terminate_backend(" + pid + ")");
                }
                TestTime.eventually(Duration.ofSeconds(10), () -> assertFalse(storeBackends(admin).contains(pid),
                        "backend " + pid + " ended"));
                assertEquals(Kind.UNAVAILABLE, failureOf(lone.counter(c)));
                assertEquals(4L, await(lone.counter(c)));
            }
        }
    }

    private static Set<Integer> storeBackends(Connection admin) throws SQLException {
        Set<Integer> pids = new HashSet<>();
        try (Statement statement = admin.createStatement();
                ResultSet rows = statement.executeQuery("SELECT pid FROM pg_stat_activity WHERE application_name = "
                        + "'stare-state' AND datname = 'test'")) {
            while (rows.next()) {
                pids.add(rows.getInt(1));
            }
        }
        return pids;
    }
}
