package io.stare.state.store.postgres;

import io.stare.state.store.StateKey;
import io.stare.state.store.StructureType;
import io.stare.state.store.Bytes;
import io.stare.state.store.Change;
import io.stare.state.store.StateStore;
import io.stare.state.store.StateStoreException;
import io.stare.state.store.StateStoreException.Kind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.postgresql.Driver;
import org.postgresql.PGProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Items in PostgreSQL tables, one per structure type ({@link PostgresTables}), over plain JDBC.
 * {@code pool-size} connections and as many threads: a call runs on a free thread with a free
 * connection, and its stage completes there. A batch is one transaction, so it is applied whole
 * or not at all. Connecting and every statement are bounded by {@code timeout}: past it a call
 * fails as {@link Kind#UNAVAILABLE}, and a connection that was lost is replaced by the next call.
 */
public final class PostgresStore implements StateStore {

    private static final Logger log = LoggerFactory.getLogger(PostgresStore.class);

    /** The advisory lock's first half, "STAR"; the second is the schema's hash. */
    private static final int LOCK_CLASS = 0x53544152;

    private final PostgresSettings settings;
    private final PostgresTables tables;
    private final List<PostgresSession> sessions;
    /** As many sessions as threads, so a running task always finds one here. */
    private final ConcurrentLinkedQueue<PostgresSession> free;
    private final ExecutorService executor;
    private final AtomicBoolean closed = new AtomicBoolean();

    private PostgresStore(PostgresSettings settings, PostgresTables tables, List<PostgresSession> sessions) {
        this.settings = settings;
        this.tables = tables;
        this.sessions = List.copyOf(sessions);
        this.free = new ConcurrentLinkedQueue<>(sessions);
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(sessions.size(), task -> {
            Thread thread = new Thread(task, "stare-state-postgres-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Connects {@code pool-size} times, and creates the schema and its tables where missing.
     *
     * @throws StateStoreException AUTHENTICATION for credentials refused, UNAVAILABLE for a server
     *     not reached in time, CONFIGURATION for an unknown database, REFUSED for anything else
     */
    static PostgresStore open(PostgresSettings settings) {
        PostgresTables tables = new PostgresTables(settings.schema());
        Driver driver = new Driver();
        Properties properties = properties(settings);
        PostgresSession.Connector connector = () -> {
            Connection connection = driver.connect(settings.url(), properties);
            if (connection == null) {
                // Checked by PostgresSettings already; the driver answers null for a URL it does not take.
                throw new StateStoreException(Kind.CONFIGURATION, "not a PostgreSQL URL: " + settings.url());
            }
            return connection;
        };
        List<PostgresSession> sessions = new ArrayList<>();
        String step = "connecting to " + settings.url() + " as " + settings.user();
        try {
            Connection first = connector.connect();
            sessions.add(new PostgresSession(connector, settings.timeoutSeconds(), first));
            step = "creating the schema " + settings.schema() + " and its tables";
            createTables(first, tables, settings.timeoutSeconds());
            step = "connecting to " + settings.url() + " as " + settings.user();
            while (sessions.size() < settings.poolSize()) {
                sessions.add(new PostgresSession(connector, settings.timeoutSeconds(), connector.connect()));
            }
        } catch (SQLException e) {
            sessions.forEach(PostgresSession::drop);
            throw PostgresFailures.of("postgres store: " + step, e);
        } catch (RuntimeException e) {
            sessions.forEach(PostgresSession::drop);
            throw e;
        }
        return new PostgresStore(settings, tables, sessions);
    }

    /**
     * The timeouts, in the seconds the driver counts. The socket's is twice the statements': a
     * statement past its timeout is cancelled and the connection kept, and the socket's only
     * catches a server that stopped answering altogether.
     */
    private static Properties properties(PostgresSettings settings) {
        Properties properties = new Properties();
        PGProperty.USER.set(properties, settings.user());
        // Even empty: with none the driver fails a password request before the server can say why.
        PGProperty.PASSWORD.set(properties, settings.password());
        PGProperty.CONNECT_TIMEOUT.set(properties, settings.timeoutSeconds());
        PGProperty.LOGIN_TIMEOUT.set(properties, settings.timeoutSeconds());
        PGProperty.SOCKET_TIMEOUT.set(properties, 2 * settings.timeoutSeconds());
        PGProperty.TCP_KEEP_ALIVE.set(properties, true);
        PGProperty.APPLICATION_NAME.set(properties, "stare-state");
        return properties;
    }

    /**
     * Creates what is missing, under a transaction-level advisory lock: CREATE ... IF NOT EXISTS
     * still fails (a duplicate in the catalogue) when two stores create the same thing at once.
     * Where all six tables are there already, nothing is created, so a role without the right
     * to create works on a prepared schema.
     */
    private static void createTables(Connection connection, PostgresTables tables, int timeoutSeconds)
            throws SQLException {
        try (PreparedStatement count = connection.prepareStatement(PostgresTables.countTables())) {
            count.setQueryTimeout(timeoutSeconds);
            count.setString(1, tables.schema());
            try (ResultSet rows = count.executeQuery()) {
                rows.next();
                if (rows.getInt(1) == StructureType.values().length) {
                    return;
                }
            }
        }
        connection.setAutoCommit(false);
        try (Statement statement = connection.createStatement()) {
            statement.setQueryTimeout(timeoutSeconds);
            statement.execute("SELECT pg_advisory_xact_lock(" + LOCK_CLASS + ", " + tables.schema().hashCode() + ")");
            for (String ddl : tables.creation()) {
                statement.execute(ddl);
            }
            connection.commit();
            log.info("postgres store: schema {} ready", tables.schema());
        } catch (SQLException | RuntimeException e) {
            rollback(connection);
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }

    @Override
    public String label() {
        return "postgres";
    }

    @Override
    public CompletionStage<Void> apply(List<Change> changes) {
        List<Change> batch = List.copyOf(changes);
        return call("applying " + batch.size() + " changes", session -> {
            if (!batch.isEmpty()) {
                applyInOneTransaction(session, batch);
            }
            return null;
        });
    }

    /**
     * Runs consecutive changes with the same statement as one JDBC batch, so the batch's order
     * holds and a run of like changes is one round trip.
     */
    private void applyInOneTransaction(PostgresSession session, List<Change> batch) throws SQLException {
        Connection connection = session.connection();
        connection.setAutoCommit(false);
        PreparedStatement pending = null;
        try {
            for (Change change : batch) {
                PreparedStatement statement = session.prepare(tables.statementOf(change));
                if (pending != null && statement != pending) {
                    pending.executeBatch();
                }
                pending = statement;
                PostgresTables.addBatch(statement, change);
            }
            pending.executeBatch();
            pending = null;
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            if (pending != null) {
                // A kept statement must not carry this batch's leftovers into the next one.
                clearBatch(pending);
            }
            rollback(connection);
            throw e;
        } finally {
            restoreAutoCommit(session, connection);
        }
    }

    /** Reads run in auto-commit; a connection that cannot go back to it is not trusted again. */
    private static void restoreAutoCommit(PostgresSession session, Connection connection) {
        if (session.isBroken()) {
            return;
        }
        try {
            connection.setAutoCommit(true);
        } catch (SQLException e) {
            session.drop();
        }
    }

    @Override
    public CompletionStage<Optional<byte[]>> value(StateKey key) {
        return read(key, StructureType.VALUE, rows -> rows.next() ? Optional.of(rows.getBytes(1)) : Optional.empty());
    }

    @Override
    public CompletionStage<Long> counter(StateKey key) {
        return read(key, StructureType.COUNTER, rows -> rows.next() ? rows.getLong(1) : 0L);
    }

    @Override
    public CompletionStage<List<byte[]>> list(StateKey key) {
        return read(key, StructureType.LIST, rows -> {
            List<byte[]> values = new ArrayList<>();
            while (rows.next()) {
                values.add(rows.getBytes(1));
            }
            return values;
        });
    }

    @Override
    public CompletionStage<Set<Bytes>> set(StateKey key) {
        return read(key, StructureType.SET, rows -> {
            Set<Bytes> members = new HashSet<>();
            while (rows.next()) {
                members.add(Bytes.of(rows.getBytes(1)));
            }
            return members;
        });
    }

    @Override
    public CompletionStage<Map<Bytes, byte[]>> map(StateKey key) {
        return read(key, StructureType.MAP, rows -> {
            Map<Bytes, byte[]> fields = new HashMap<>();
            while (rows.next()) {
                fields.put(Bytes.of(rows.getBytes(1)), rows.getBytes(2));
            }
            return fields;
        });
    }

    @Override
    public CompletionStage<Map<Bytes, Long>> counterMap(StateKey key) {
        return read(key, StructureType.COUNTERMAP, rows -> {
            Map<Bytes, Long> fields = new HashMap<>();
            while (rows.next()) {
                fields.put(Bytes.of(rows.getBytes(1)), rows.getLong(2));
            }
            return fields;
        });
    }

    @Override
    public CompletionStage<List<StateKey>> keys(String nf) {
        return call("listing the keys of " + nf, session -> {
            PreparedStatement statement = session.prepare(tables.keys());
            for (int i = 1; i <= PostgresTables.keysParameters(); i++) {
                statement.setString(i, nf);
            }
            List<StateKey> keys = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    keys.add(new StateKey(nf, rows.getString(1), rows.getInt(2),
                            StructureType.ofLabel(rows.getString(4)), rows.getString(3)));
                }
            }
            return keys;
        });
    }

    /** What a read makes of its rows. */
    private interface Rows<T> {
        T from(ResultSet rows) throws SQLException;
    }

    /** A key of another type would read another item (the table is the type), so it is refused. */
    private <T> CompletionStage<T> read(StateKey key, StructureType type, Rows<T> rows) {
        if (key.type() != type) {
            return CompletableFuture.failedFuture(new StateStoreException(Kind.REFUSED, "postgres store: a "
                    + type.label() + " read of the " + key.type().label() + " " + key));
        }
        return call("reading " + key, session -> {
            PreparedStatement statement = session.prepare(tables.read(type));
            PostgresTables.bindKey(statement, key);
            try (ResultSet result = statement.executeQuery()) {
                return rows.from(result);
            }
        });
    }

    /** Work on one session. */
    private interface Work<T> {
        T on(PostgresSession session) throws SQLException;
    }

    private <T> CompletionStage<T> call(String what, Work<T> work) {
        if (closed.get()) {
            return CompletableFuture.failedFuture(closedFailure());
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            executor.execute(() -> run(what, work, result));
        } catch (RejectedExecutionException e) {
            // close() shut the executor down between the check and now.
            result.completeExceptionally(closedFailure());
        }
        return result;
    }

    private <T> void run(String what, Work<T> work, CompletableFuture<T> result) {
        if (closed.get()) {
            result.completeExceptionally(closedFailure());
            return;
        }
        PostgresSession session = free.poll();
        T value;
        try {
            value = work.on(session);
        } catch (SQLException e) {
            StateStoreException failure = PostgresFailures.of("postgres store: " + what, e);
            if (failure.kind() == Kind.UNAVAILABLE || session.isBroken()) {
                // Lost, or a statement past its timeout: a fresh connection is the sure way back.
                log.warn("{} (the connection is replaced on the next call)", failure.getMessage());
                session.drop();
            }
            result.completeExceptionally(failure);
            return;
        } catch (StateStoreException e) {
            result.completeExceptionally(e);
            return;
        } catch (RuntimeException e) {
            result.completeExceptionally(new StateStoreException(Kind.REFUSED, "postgres store: " + what + ": " + e,
                    e));
            return;
        } finally {
            free.add(session);
        }
        result.complete(value);
    }

    private StateStoreException closedFailure() {
        return new StateStoreException(Kind.CLOSED, "the postgres store (" + settings.url() + ", schema "
                + settings.schema() + ") is closed");
    }

    /**
     * Lets the calls already running finish (up to the timeout), fails the queued ones as closed,
     * and closes the connections.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(2L * settings.timeoutSeconds(), TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
        sessions.forEach(PostgresSession::drop);
    }

    private static void rollback(Connection connection) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            // The connection is gone, and the transaction with it.
        }
    }

    private static void clearBatch(PreparedStatement statement) {
        try {
            statement.clearBatch();
        } catch (SQLException e) {
            // Its connection is gone; the statement goes with it.
        }
    }
}
