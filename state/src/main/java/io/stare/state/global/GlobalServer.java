package io.stare.state.global;

import io.stare.state.StateItem;
import io.stare.state.store.StateKey;
import io.stare.state.StateSpace;
import io.stare.state.flush.Delta;
import io.stare.state.store.Change;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * E-State's request/reply, the answering side: a peer sends a structure-ID regex, this instance
 * answers with its matching shared items. Frames are a 4-byte length and the bytes; the answer is
 * the items as {@link ChangeCodec} changes (each item whole). A request that is no frame, too
 * long or no regex closes its connection and is counted; it never stops the server, and neither
 * does a regex that backtracks for ever: matching stops at {@link #MATCH_BUDGET} (the request is
 * refused). Connections past the limit are closed at once and counted; a connection idle past
 * its timeout is closed (a peer that vanished without closing frees its place); closing the
 * server closes every connection.
 */
public final class GlobalServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GlobalServer.class);
    /** The longest regex a request may carry. */
    static final int MAX_REQUEST = 4096;
    /** How long one request may spend matching its regex against this instance's item IDs. */
    static final Duration MATCH_BUDGET = Duration.ofSeconds(1);
    /** How long a connection may stay silent before it is closed (peers reconnect on their next read). */
    public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(60);

    private final StateSpace space;
    private final ServerSocket socket;
    private final ExecutorService threads;
    private final int maxConnections;
    private final int idleMillis;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong idleClosed = new AtomicLong();

    private GlobalServer(StateSpace space, ServerSocket socket, int threads, Duration idle) {
        this.space = space;
        this.socket = socket;
        this.maxConnections = threads;
        this.idleMillis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, idle.toMillis()));
        this.threads = Executors.newFixedThreadPool(threads + 1, r -> {
            Thread t = new Thread(r, "stare-state-reply-" + space.settings().instance());
            t.setDaemon(true);
            return t;
        });
        this.threads.execute(this::accept);
    }

    /**
     * Listens at {@code at} (loopback by default; port 0: any free one).
     *
     * @param connections connections served at once
     */
    public static GlobalServer start(StateSpace space, InetSocketAddress at, int connections) throws IOException {
        return start(space, at, connections, IDLE_TIMEOUT);
    }

    /**
     * As {@link #start(StateSpace, InetSocketAddress, int)}, closing connections silent for {@code idle}.
     */
    public static GlobalServer start(StateSpace space, InetSocketAddress at, int connections, Duration idle)
            throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.bind(at);
        return new GlobalServer(space, socket, connections, idle);
    }

    /** Listens on loopback, any free port. */
    public static GlobalServer onLoopback(StateSpace space) throws IOException {
        return start(space, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 32);
    }

    /** Where it listens, {@code host:port}. */
    public String address() {
        return socket.getInetAddress().getHostAddress() + ":" + socket.getLocalPort();
    }

    /** Requests refused (not a frame, too long, no regex) and connections past the limit. */
    public long refused() {
        return refused.get();
    }

    /** Requests answered. */
    public long answered() {
        return answered.get();
    }

    /** Connections closed because they stayed silent past the idle timeout. */
    public long idleClosed() {
        return idleClosed.get();
    }

    private void accept() {
        while (!socket.isClosed()) {
            Socket connection;
            try {
                connection = socket.accept();
            } catch (IOException e) {
                if (!socket.isClosed()) {
                    log.warn("request/reply of {}: {}", space.settings().instance(), e.toString());
                    pause(); // e.g. out of file descriptors: do not spin
                }
                continue;
            }
            if (connections.size() >= maxConnections) {
                refused.incrementAndGet();
                closeQuietly(connection);
                continue;
            }
            connections.add(connection);
            try {
                threads.execute(() -> serve(connection));
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                connections.remove(connection);
                closeQuietly(connection);
                return;
            }
        }
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    private void serve(Socket connection) {
        try (connection;
             DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(connection.getInputStream()));
             DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(
                     connection.getOutputStream()))) {
            connection.setTcpNoDelay(true);
            connection.setSoTimeout(idleMillis);
            while (true) {
                int length;
                try {
                    length = in.readInt();
                } catch (EOFException done) {
                    return;
                } catch (SocketTimeoutException idle) {
                    idleClosed.incrementAndGet();
                    return;
                }
                if (length < 0 || length > MAX_REQUEST) {
                    refused.incrementAndGet();
                    return;
                }
                byte[] request = in.readNBytes(length);
                Pattern pattern;
                try {
                    pattern = Pattern.compile(new String(request, StandardCharsets.UTF_8));
                } catch (PatternSyntaxException e) {
                    refused.incrementAndGet();
                    return;
                }
                List<Change> items;
                try {
                    items = items(pattern);
                } catch (MatchBudget.Exceeded e) {
                    refused.incrementAndGet();
                    log.warn("request/reply of {}: a regex matched past {}, refused: {}", space.settings().instance(),
                            MATCH_BUDGET, e.getMessage());
                    return;
                }
                byte[] answer = ChangeCodec.encode(items);
                // counted before the peer can read it: a peer that has its answer sees it counted
                answered.incrementAndGet();
                out.writeInt(answer.length);
                out.write(answer);
                out.flush();
            }
        } catch (IOException e) {
            refused.incrementAndGet();
        } catch (RuntimeException e) {
            refused.incrementAndGet();
            log.warn("request/reply of {}: {}", space.settings().instance(), e.toString());
        } finally {
            connections.remove(connection);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private List<Change> items(Pattern pattern) {
        List<Change> changes = new ArrayList<>();
        MatchBudget budget = new MatchBudget(MATCH_BUDGET);
        List<StateItem> items = space.localItems(k -> budget.matches(pattern, k.id())
                && space.flusher().isShared(k)).toCompletableFuture().join();
        for (StateItem item : items) {
            StateKey key = item.key();
            changes.addAll(Delta.whole(key, item.value()));
        }
        return changes;
    }

    /** Stops listening and answering, and closes the peers' connections (a blocked read ends with them). */
    @Override
    public void close() {
        closeQuietly(socket);
        threads.shutdownNow();
        connections.forEach(GlobalServer::closeQuietly);
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
