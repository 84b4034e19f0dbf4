package io.stare.state.store.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.MaintNotificationsConfig;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisLoadingException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.protocol.ProtocolVersion;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.stare.state.store.StateKey;
import io.stare.state.store.Bytes;
import io.stare.state.store.Change;
import io.stare.state.store.StateStore;
import io.stare.state.store.StateStoreException;
import io.stare.state.store.StateStoreException.Kind;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * Items in Redis, each under its key ({@link StateKey#render()}, UTF-8) as Redis's own type, so
 * that Redis does the arithmetic and other tools read them:
 *
 * <pre>
 *   VALUE       string               SET, GET
 *   COUNTER     string of an integer INCRBY, SET, GET (absent reads 0)
 *   LIST        list                 RPUSH, LRANGE 0 -1
 *   SET         set                  SADD, SREM, SMEMBERS
 *   MAP         hash                 HSET, HDEL, HGETALL
 *   COUNTERMAP  hash of integers     HINCRBY, HSET, HDEL, HGETALL
 *   any         (Delete)             DEL
 * </pre>
 *
 * <p>A batch ({@link #apply}) goes out as one {@code MULTI ... EXEC}, flushed at once: one round
 * trip, and no other client sees it half done. Redis does not roll a transaction back, though: a
 * change it refuses (a key holding another type) fails the batch as {@link Kind#REFUSED} while the
 * batch's other changes stay applied. Batches go out in the order {@code apply} was called, over a
 * connection of their own, since the {@code MULTI} state is the connection's; reads and
 * {@link #keys} share another.
 *
 * <p>Connections are not reconnected behind the caller's back (Lettuce's auto-reconnect would
 * resend commands it is unsure of, applying a batch twice): one that breaks or times out fails its
 * calls as {@link Kind#UNAVAILABLE} and is replaced on the next call. Stages complete on Lettuce's
 * I/O threads; a caller that blocks in a continuation holds up that connection, at worst until
 * the timeout.
 */
public final class RedisStore implements StateStore {

    private static final String LABEL = "redis";
    /** Keys asked of each SCAN: a hint, balancing round trips against the time Redis spends per call. */
    private static final int SCAN_PAGE = 1_000;

    private final RedisClient client;
    private final RedisURI uri;
    /** The URI as messages show it, without the password. */
    private final String where;
    private final Duration timeout;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Link reads = new Link(false);
    private final Link writes = new Link(true);
    private final Object writeOrder = new Object();
    /** Completes once the last batch handed to {@link #apply} is on the write connection. */
    private CompletableFuture<Void> lastDispatch = CompletableFuture.completedFuture(null);

    private RedisStore(RedisClient client, RedisURI uri, String where, Duration timeout) {
        this.client = client;
        this.uri = uri;
        this.where = where;
        this.timeout = timeout;
    }

    /**
     * Connects to {@code uri} and checks with a {@code PING} that Redis answers and takes the
     * credentials, so that each of these is one clear error here rather than at the first write.
     * {@link RedisStoreDriver} calls it with the settings.
     *
     * @param uri where, and the credentials; its timeout is set to {@code timeout}
     * @param timeout for connecting and for every command; past it a call fails, nothing hangs
     * @throws StateStoreException {@link Kind#AUTHENTICATION} if Redis refuses the credentials,
     *     {@link Kind#UNAVAILABLE} if it cannot be reached or does not answer in time,
     *     {@link Kind#REFUSED} if it answers with another error
     */
    static RedisStore open(RedisURI uri, Duration timeout) {
        Objects.requireNonNull(uri, "uri");
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new StateStoreException(Kind.CONFIGURATION, "the redis timeout must be positive: " + timeout);
        }
        // Before the timeout joins the URI's text; toString() hides the password.
        String where = uri.toString();
        uri.setTimeout(timeout);
        try {
            return connect(uri, where, timeout);
        } catch (StateStoreException first) {
            if (!unclear(first)) {
                throw first;
            }
            // Lettuce now and then loses the server's answer to its handshake (in about one of 60
            // connections with a refused user: "RedisHandshakeHandler not registered", "Connection
            // closed prematurely"): one more try tells refused credentials from a store that is away.
            return connect(uri, where, timeout);
        }
    }

    private static RedisStore connect(RedisURI uri, String where, Duration timeout) {
        RedisClient client = RedisClient.create();
        client.setOptions(options(timeout));
        RedisStore store = new RedisStore(client, uri, where, timeout);
        try {
            CompletableFuture<StatefulRedisConnection<byte[], byte[]>> writer = store.writes.connection();
            CompletableFuture<String> ping = store.reads.connection()
                    .thenCompose(reader -> reader.async().ping().toCompletableFuture());
            // Lettuce bounds connecting and each command by the timeout; this bound only guards
            // against a stage that never completes.
            long bound = timeout.toMillis() * 3 + 1_000;
            CompletableFuture.allOf(writer, ping).get(bound, TimeUnit.MILLISECONDS);
            return store;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            store.close();
            throw new StateStoreException(Kind.UNAVAILABLE, "interrupted while connecting to " + where, e);
        } catch (TimeoutException e) {
            store.close();
            throw new StateStoreException(Kind.UNAVAILABLE, "no answer from " + where + " within " + timeout, e);
        } catch (ExecutionException e) {
            StateStoreException failure = store.failure(e);
            store.close();
            throw failure;
        }
    }

    /**
     * A connection that failed without saying why: not refused at the TCP level, not late, no
     * answer from Redis.
     */
    private static boolean unclear(StateStoreException failure) {
        if (failure.kind() != Kind.UNAVAILABLE) {
            return false;
        }
        for (Throwable c = failure.getCause(); c != null; c = c.getCause()) {
            if (c instanceof java.net.ConnectException || c instanceof TimeoutException
                    || c instanceof RedisCommandTimeoutException || c instanceof RedisCommandExecutionException
                    || c instanceof InterruptedException) {
                return false;
            }
        }
        return failure.getCause() != null;
    }

    private static ClientOptions options(Duration timeout) {
        return ClientOptions.builder()
                // At most once: a connection that breaks fails its calls; Link opens a new one.
                .autoReconnect(false)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                // RESP2 authenticates with AUTH, which refuses a password Redis does not expect; RESP3's
                // HELLO would accept any password for a user without one.
                .protocolVersion(ProtocolVersion.RESP2)
                // Redis Enterprise's maintenance events: nothing to do with us, and an error per connection elsewhere.
                .maintNotificationsConfig(MaintNotificationsConfig.disabled())
                .socketOptions(SocketOptions.builder().connectTimeout(timeout).build())
                .timeoutOptions(TimeoutOptions.enabled(timeout))
                .build();
    }

    @Override
    public String label() {
        return LABEL;
    }

    @Override
    public CompletionStage<Void> apply(List<Change> changes) {
        List<Change> batch = List.copyOf(changes);
        if (closed.get()) {
            return CompletableFuture.failedFuture(closedException());
        }
        if (batch.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        synchronized (writeOrder) {
            // Each batch goes out once the one before it is on the connection: batches keep the
            // order of the calls, and two batches' commands never interleave inside one MULTI.
            lastDispatch = lastDispatch
                    .thenCompose(ignored -> writes.connection())
                    .thenAccept(connection -> dispatch(connection, batch, done))
                    .exceptionally(error -> {
                        done.completeExceptionally(failure(error));
                        return null;
                    });
        }
        return done;
    }

    private void dispatch(StatefulRedisConnection<byte[], byte[]> connection, List<Change> batch,
            CompletableFuture<Void> done) {
        RedisAsyncCommands<byte[], byte[]> redis = connection.async();
        // Where in the batch each queued command comes from, to name a refused change.
        List<Integer> sent = new ArrayList<>(batch.size());
        RedisFuture<TransactionResult> exec;
        try {
            redis.multi();
            for (int i = 0; i < batch.size(); i++) {
                if (queue(redis, batch.get(i))) {
                    sent.add(i);
                }
            }
            exec = redis.exec();
            // The write connection does not flush by itself: the whole transaction leaves in one write.
            connection.flushCommands();
        } catch (RuntimeException e) {
            // A MULTI left open would swallow the next batch into this one.
            writes.discard(connection);
            done.completeExceptionally(failure(e));
            return;
        }
        exec.whenComplete((result, error) -> {
            if (error != null) {
                fail(done, writes, connection, error);
            } else if (result.wasDiscarded()) {
                done.completeExceptionally(new StateStoreException(Kind.REFUSED, where + " discarded the batch"));
            } else {
                settle(done, batch, sent, result);
            }
        });
    }

    /** The first change Redis refused fails the batch; the others are applied regardless. */
    private void settle(CompletableFuture<Void> done, List<Change> batch, List<Integer> sent,
            TransactionResult result) {
        int reply = 0;
        for (Object answer : result) {
            if (answer instanceof Throwable refused && reply < sent.size()) {
                int position = sent.get(reply);
                Change change = batch.get(position);
                done.completeExceptionally(new StateStoreException(Kind.REFUSED, where + " refused "
                        + change.getClass().getSimpleName() + " of " + change.key() + " (change " + (position + 1)
                        + " of " + batch.size() + "; the others are applied): " + refused.getMessage(), refused));
                return;
            }
            reply++;
        }
        done.complete(null);
    }

    /** Queues the change's command inside the transaction; false if it needs none (an empty append). */
    private static boolean queue(RedisAsyncCommands<byte[], byte[]> redis, Change change) {
        byte[] key = key(change.key());
        if (change instanceof Change.PutValue put) {
            redis.set(key, put.value());
        } else if (change instanceof Change.Delete) {
            redis.del(key);
        } else if (change instanceof Change.SetCounter set) {
            redis.set(key, number(set.value()));
        } else if (change instanceof Change.AddToCounter add) {
            redis.incrby(key, add.delta());
        } else if (change instanceof Change.Append append) {
            if (append.values().isEmpty()) {
                return false;
            }
            redis.rpush(key, append.values().toArray(new byte[0][]));
        } else if (change instanceof Change.AddMember add) {
            redis.sadd(key, add.member().toArray());
        } else if (change instanceof Change.RemoveMember remove) {
            redis.srem(key, remove.member().toArray());
        } else if (change instanceof Change.PutField put) {
            redis.hset(key, put.field().toArray(), put.value());
        } else if (change instanceof Change.SetField set) {
            redis.hset(key, set.field().toArray(), number(set.value()));
        } else if (change instanceof Change.AddToField add) {
            redis.hincrby(key, add.field().toArray(), add.delta());
        } else if (change instanceof Change.RemoveField remove) {
            redis.hdel(key, remove.field().toArray());
        } else {
            throw new IllegalArgumentException("no redis command for " + change);
        }
        return true;
    }

    @Override
    public CompletionStage<Optional<byte[]>> value(StateKey key) {
        return read(redis -> redis.get(key(key)), Optional::ofNullable);
    }

    @Override
    public CompletionStage<Long> counter(StateKey key) {
        return read(redis -> redis.get(key(key)), raw -> raw == null ? 0L : integer(raw, key));
    }

    @Override
    public CompletionStage<List<byte[]>> list(StateKey key) {
        return read(redis -> redis.lrange(key(key), 0, -1), Collections::unmodifiableList);
    }

    @Override
    public CompletionStage<Set<Bytes>> set(StateKey key) {
        return read(redis -> redis.smembers(key(key)), members -> {
            Set<Bytes> set = new LinkedHashSet<>();
            members.forEach(member -> set.add(Bytes.of(member)));
            return Collections.unmodifiableSet(set);
        });
    }

    @Override
    public CompletionStage<Map<Bytes, byte[]>> map(StateKey key) {
        return read(redis -> redis.hgetall(key(key)), fields -> {
            Map<Bytes, byte[]> map = new LinkedHashMap<>();
            fields.forEach((field, value) -> map.put(Bytes.of(field), value));
            return Collections.unmodifiableMap(map);
        });
    }

    @Override
    public CompletionStage<Map<Bytes, Long>> counterMap(StateKey key) {
        return read(redis -> redis.hgetall(key(key)), fields -> {
            Map<Bytes, Long> map = new LinkedHashMap<>();
            fields.forEach((field, value) -> map.put(Bytes.of(field), integer(value, key)));
            return Collections.unmodifiableMap(map);
        });
    }

    private <R, T> CompletionStage<T> read(Function<RedisAsyncCommands<byte[], byte[]>, RedisFuture<R>> command,
            Function<R, T> convert) {
        if (closed.get()) {
            return CompletableFuture.failedFuture(closedException());
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        reads.connection().whenComplete((connection, error) -> {
            if (error != null) {
                result.completeExceptionally(failure(error));
                return;
            }
            RedisFuture<R> reply;
            try {
                reply = command.apply(connection.async());
            } catch (RuntimeException e) {
                fail(result, reads, connection, e);
                return;
            }
            reply.whenComplete((value, failed) -> {
                if (failed != null) {
                    fail(result, reads, connection, failed);
                    return;
                }
                try {
                    result.complete(convert.apply(value));
                } catch (RuntimeException e) {
                    result.completeExceptionally(failure(e));
                }
            });
        });
        return result;
    }

    /**
     * SCAN with {@code MATCH nf@*}: it does not block Redis as KEYS would, but it is not a snapshot
     * (an item written or deleted during the scan may or may not be listed), and it walks the
     * whole key space, {@value #SCAN_PAGE} keys a call. Keys that are not {@link StateKey}s are
     * left out.
     */
    @Override
    public CompletionStage<List<StateKey>> keys(String nf) {
        Objects.requireNonNull(nf, "nf");
        if (closed.get()) {
            return CompletableFuture.failedFuture(closedException());
        }
        byte[] pattern = (glob(nf) + StateKey.SEPARATOR + "*").getBytes(StandardCharsets.UTF_8);
        ScanArgs match = ScanArgs.Builder.matches(pattern).limit(SCAN_PAGE);
        CompletableFuture<List<StateKey>> result = new CompletableFuture<>();
        reads.connection().whenComplete((connection, error) -> {
            if (error != null) {
                result.completeExceptionally(failure(error));
            } else {
                scan(connection, null, match, nf, new LinkedHashSet<>(), result);
            }
        });
        return result;
    }

    private void scan(StatefulRedisConnection<byte[], byte[]> connection, KeyScanCursor<byte[]> cursor, ScanArgs match,
            String nf, Set<StateKey> found, CompletableFuture<List<StateKey>> result) {
        if (closed.get()) {
            result.completeExceptionally(closedException());
            return;
        }
        RedisFuture<KeyScanCursor<byte[]>> page = cursor == null ? connection.async().scan(match)
                : connection.async().scan(cursor, match);
        page.whenComplete((next, error) -> {
            if (error != null) {
                fail(result, reads, connection, error);
                return;
            }
            for (byte[] raw : next.getKeys()) {
                StateKey key = stateKey(raw);
                // SCAN may return a key twice; the set keeps it once.
                if (key != null && key.nf().equals(nf)) {
                    found.add(key);
                }
            }
            if (next.isFinished()) {
                result.complete(List.copyOf(found));
            } else {
                scan(connection, next, match, nf, found, result);
            }
        });
    }

    /** The key, or null if {@code raw} is not exactly what {@link StateKey#render()} writes. */
    private static StateKey stateKey(byte[] raw) {
        try {
            StateKey key = StateKey.parse(new String(raw, StandardCharsets.UTF_8));
            // A key that parses but renders otherwise (a partition "007", bytes not UTF-8) could not be read back.
            return Arrays.equals(key(key), raw) ? key : null;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** {@code text} matched literally by a Redis glob. */
    static String glob(String text) {
        StringBuilder escaped = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                escaped.append('\\');
            }
            escaped.append(c);
        }
        return escaped.toString();
    }

    private static byte[] key(StateKey key) {
        return key.render().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] number(long value) {
        return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    }

    private long integer(byte[] raw, StateKey key) {
        String text = new String(raw, StandardCharsets.US_ASCII);
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new StateStoreException(Kind.REFUSED, key + " in " + where + " holds '" + text
                    + "', not a 64-bit integer", e);
        }
    }

    private void fail(CompletableFuture<?> result, Link link, StatefulRedisConnection<byte[], byte[]> connection,
            Throwable error) {
        StateStoreException failure = failure(error);
        if (failure.kind() == Kind.UNAVAILABLE) {
            // Broken, or late with an answer still to come: not worth trusting with the next call.
            link.discard(connection);
        }
        result.completeExceptionally(failure);
    }

    /** What {@code error} means to the caller. */
    StateStoreException failure(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof StateStoreException known) {
            return known;
        }
        if (closed.get()) {
            return new StateStoreException(Kind.CLOSED, "the redis store is closed", cause);
        }
        RedisCommandExecutionException answer = null;
        boolean late = false;
        for (Throwable c = cause; c != null; c = c.getCause()) {
            if (answer == null && c instanceof RedisCommandExecutionException e) {
                answer = e;
            }
            late |= c instanceof RedisCommandTimeoutException;
        }
        if (answer != null && refusedCredentials(answer.getMessage())) {
            return new StateStoreException(Kind.AUTHENTICATION, where + " refused the credentials: "
                    + answer.getMessage(), cause);
        }
        if (late) {
            return new StateStoreException(Kind.UNAVAILABLE, "no answer from " + where + " within " + timeout, cause);
        }
        if (answer instanceof RedisLoadingException || answer instanceof RedisBusyException) {
            return new StateStoreException(Kind.UNAVAILABLE, where + " cannot serve now: " + answer.getMessage(),
                    cause);
        }
        if (answer != null) {
            return new StateStoreException(Kind.REFUSED, where + " refused: " + answer.getMessage(), cause);
        }
        return new StateStoreException(Kind.UNAVAILABLE, "cannot reach " + where + ": " + describe(cause), cause);
    }

    private static boolean refusedCredentials(String message) {
        if (message == null) {
            return false;
        }
        return message.startsWith("WRONGPASS") || message.startsWith("NOAUTH")
                || message.contains("called without any password configured")
                || message.contains("invalid password") || message.contains("invalid username-password");
    }

    /** The innermost cause says it best ("Connection refused"), Lettuce's wrappers less. */
    private static String describe(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.getClass().getName();
    }

    private StateStoreException closedException() {
        return new StateStoreException(Kind.CLOSED, "the redis store is closed");
    }

    /** Closes the connections and shuts the client's threads down; calls after it fail as {@link Kind#CLOSED}. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // The client's shutdown closes every connection it opened, and Link opens no more.
        CompletableFuture<Void> down = client.shutdownAsync(0, timeout.toMillis(), TimeUnit.MILLISECONDS);
        // Waiting on one of Lettuce's own threads would wait for that thread to stop.
        if (!(Thread.currentThread() instanceof FastThreadLocalThread)) {
            try {
                down.get(timeout.toMillis() * 2 + 1_000, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                // The threads are daemons and go with the process; nothing more to release.
            }
        }
    }

    /**
     * One connection, opened on first use and again after it breaks or times out: reads and
     * writes each have their own.
     */
    private final class Link {

        /** The write link flushes each transaction itself, so that it leaves in one write. */
        private final boolean flushedByBatch;
        private CompletableFuture<StatefulRedisConnection<byte[], byte[]>> current;

        Link(boolean flushedByBatch) {
            this.flushedByBatch = flushedByBatch;
        }

        /** The open connection, or one being opened. */
        synchronized CompletableFuture<StatefulRedisConnection<byte[], byte[]>> connection() {
            if (closed.get()) {
                return CompletableFuture.failedFuture(closedException());
            }
            if (current != null && (!current.isDone() || usable(current))) {
                return current;
            }
            if (current != null && !current.isCompletedExceptionally()) {
                current.join().closeAsync();
            }
            CompletableFuture<StatefulRedisConnection<byte[], byte[]>> opening;
            try {
                opening = client.connectAsync(ByteArrayCodec.INSTANCE, uri).toCompletableFuture();
            } catch (RuntimeException e) {
                // A client shut down by a concurrent close() throws rather than failing the stage.
                return CompletableFuture.failedFuture(e);
            }
            current = opening.thenApply(connection -> {
                if (closed.get()) {
                    connection.closeAsync();
                    throw closedException();
                }
                if (flushedByBatch) {
                    connection.setAutoFlushCommands(false);
                }
                return connection;
            });
            return current;
        }

        private boolean usable(CompletableFuture<StatefulRedisConnection<byte[], byte[]>> done) {
            return !done.isCompletedExceptionally() && done.join().isOpen();
        }

        /** Closes {@code connection} if it is still the one in use; the next call opens another. */
        synchronized void discard(StatefulRedisConnection<byte[], byte[]> connection) {
            // Several failed calls may discard one connection: only the first closes it.
            if (current != null && current.isDone() && !current.isCompletedExceptionally()
                    && current.join() == connection) {
                current = null;
                connection.closeAsync();
            }
        }
    }
}
