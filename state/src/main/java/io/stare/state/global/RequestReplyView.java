package io.stare.state.global;

import io.stare.state.StateItem;
import io.stare.state.store.StateKey;
import io.stare.state.StateSpace;
import io.stare.state.flush.StateReads;
import io.stare.state.store.Change;
import io.stare.state.store.memory.MemoryStore;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * E-State's own global read, for comparison with {@link StareGlobalView}: ask every peer's
 * {@link GlobalServer} for its matching items, at once, and reduce them with this instance's. A
 * read costs a round trip to the slowest peer; a peer that does not answer within the request
 * timeout fails the read. Peers come from {@code peers} (e.g. {@link StareGlobalView#peerAddresses()}).
 */
public final class RequestReplyView implements GlobalView {

    private final StateSpace space;
    private final Supplier<Map<String, String>> peers;
    private final GlobalSettings settings;
    private final ExecutorService askers;
    private final Map<String, Connection> connections = new HashMap<>();

    /** One peer's connection, used by one read at a time. */
    private static final class Connection implements AutoCloseable {
        final Socket socket;
        final DataInputStream in;
        final DataOutputStream out;

        Connection(String address, int timeoutMillis) throws IOException {
            int colon = address.lastIndexOf(':');
            if (colon < 0) {
                throw new IOException("a peer address without a port: '" + address + "'");
            }
            socket = new Socket();
            socket.connect(new InetSocketAddress(address.substring(0, colon),
                    Integer.parseInt(address.substring(colon + 1))), timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            socket.setTcpNoDelay(true);
            in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream()));
            out = new DataOutputStream(new java.io.BufferedOutputStream(socket.getOutputStream()));
        }

        synchronized List<Change> ask(byte[] request) throws IOException {
            out.writeInt(request.length);
            out.write(request);
            out.flush();
            int length = in.readInt();
            if (length < 0 || length > (64 << 20)) {
                throw new IOException("an answer of " + length + " bytes");
            }
            return ChangeCodec.decode(in.readNBytes(length));
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    /**
     * @param peers the counting peers and their request/reply addresses, asked at each read
     */
    public RequestReplyView(StateSpace space, Supplier<Map<String, String>> peers, GlobalSettings settings) {
        this.space = space;
        this.peers = peers;
        this.settings = settings;
        this.askers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "stare-state-ask-" + space.settings().instance());
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public <R> CompletionStage<R> getGlobal(String idRegex, Reduce<R> reduce) {
        Pattern pattern = Pattern.compile(idRegex);
        byte[] request = idRegex.getBytes(StandardCharsets.UTF_8);
        CompletionStage<List<StateItem>> mine = space.localItems(k -> pattern.matcher(k.id()).matches()
                && space.flusher().isShared(k));
        List<CompletableFuture<List<StateItem>>> asks = new ArrayList<>();
        asks.add(mine.toCompletableFuture());
        peers.get().forEach((peer, address) -> asks.add(CompletableFuture.supplyAsync(() -> ask(peer, address,
                request), askers)));
        return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).thenApply(done -> {
            List<StateItem> all = new ArrayList<>();
            asks.forEach(a -> all.addAll(a.join()));
            return reduce.reduce(all);
        });
    }

    private List<StateItem> ask(String peer, String address, byte[] request) {
        Connection connection;
        synchronized (connections) {
            connection = connections.get(peer);
        }
        try {
            if (connection != null) {
                try {
                    return items(connection.ask(request));
                } catch (java.net.SocketTimeoutException slow) {
                    throw slow;
                } catch (IOException closedWhileIdle) {
                    // The peer closes connections idle past its timeout: one try on a fresh one.
                    drop(peer, connection);
                }
            }
            connection = open(peer, address);
            return items(connection.ask(request));
        } catch (IOException | RuntimeException e) {
            if (connection != null) {
                drop(peer, connection);
            }
            throw new java.util.concurrent.CompletionException(new IOException("peer " + peer + " at " + address
                    + " did not answer: " + e.getMessage(), e));
        }
    }

    private Connection open(String peer, String address) throws IOException {
        Connection connection = new Connection(address, (int) settings.requestTimeout().toMillis());
        synchronized (connections) {
            Connection raced = connections.putIfAbsent(peer, connection);
            if (raced != null) {
                connection.close();
                return raced;
            }
        }
        return connection;
    }

    /** Closes {@code broken} and forgets it, if it is still the peer's: another read may have replaced it. */
    private void drop(String peer, Connection broken) {
        synchronized (connections) {
            connections.remove(peer, broken);
        }
        broken.close();
    }

    private static List<StateItem> items(List<Change> changes) {
        try (MemoryStore items = new MemoryStore()) {
            items.apply(changes);
            Set<StateKey> keys = new LinkedHashSet<>();
            changes.forEach(c -> keys.add(c.key()));
            List<StateItem> out = new ArrayList<>();
            for (StateKey key : keys) {
                out.add(new StateItem(key, StateReads.read(items, key).toCompletableFuture().join()));
            }
            return out;
        }
    }

    @Override
    public Set<String> instances() {
        Set<String> out = new LinkedHashSet<>();
        out.add(space.settings().instance());
        out.addAll(peers.get().keySet());
        return out;
    }

    @Override
    public void close() {
        synchronized (connections) {
            connections.values().forEach(Connection::close);
            connections.clear();
        }
        askers.shutdownNow();
    }
}
