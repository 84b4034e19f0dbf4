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
import java.nio.charset.StandardCharsets;
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
 * long or no regex closes its connection and is counted; it never stops the server. Connections
 * past the limit are closed at once and counted; closing the server closes every connection.
 */
public final class GlobalServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GlobalServer.class);
    /** The longest regex a request may carry. */
    static final int MAX_REQUEST = 4096;

    private final StateSpace space;
    private final ServerSocket socket;
    private final ExecutorService threads;
    private final int maxConnections;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();

    private GlobalServer(StateSpace space, ServerSocket socket, int threads) {
        this.space = space;
        this.socket = socket;
        this.maxConnections = threads;
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
        ServerSocket socket = new ServerSocket();
        socket.bind(at);
        return new GlobalServer(space, socket, connections);
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

    private void accept() {
        while (!socket.isClosed()) {
            Socket connection;
            try {
                connection = socket.accept();
            } catch (IOException e) {
                if (!socket.isClosed()) {
                    log.warn("request/reply of {}: {}", space.settings().instance(), e.toString());
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
            while (true) {
                int length;
                try {
                    length = in.readInt();
                } catch (EOFException done) {
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
                byte[] answer = ChangeCodec.encode(items(pattern));
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

    private List<Change> items(Pattern pattern) {
        List<Change> changes = new ArrayList<>();
        List<StateItem> items = space.localItems(k -> pattern.matcher(k.id()).matches()
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
