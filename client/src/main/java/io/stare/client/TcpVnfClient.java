package io.stare.client;

import io.stare.protocol.DecodeResult;
import io.stare.protocol.ErrorCode;
import io.stare.protocol.vnf.VnfFrameCodec;
import io.stare.protocol.vnf.VnfFrameDecoder;
import io.stare.protocol.vnf.VnfMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * A blocking VNF client of a middleware's TCP gateway ({@code docs/protocol.md} section 6): a plain
 * socket and the protocol codec, no Pekko. Requests block until their reply (bounded by the
 * timeout given to {@link #connect}); a reader thread reads every frame, completes the waiting
 * request and hands DELIVER and LOSS_NOTICE frames to the callbacks, in the order they arrive.
 *
 * <pre>{@code
 * try (TcpVnfClient client = TcpVnfClient.connect(new InetSocketAddress("127.0.0.1", 65431), "my-vnf",
 *         Duration.ofSeconds(10), loss -> {})) {
 *     client.register("my-vnf");
 *     int state = client.declare("flow-counts");
 *     client.publish(state, "hello".getBytes(StandardCharsets.UTF_8));
 *     client.subscribe("alerts", deliver -> System.out.println(deliver.updateNo()));
 * }
 * }</pre>
 *
 * <p>A refusal is a {@link StareException} with the ERROR frame's code; a broken or closed
 * connection is a {@link ClosedException}. Thread-safe; callbacks run on the reader thread, so
 * they must not block on requests of the same client.
 */
public final class TcpVnfClient implements AutoCloseable {

    /** An ERROR frame from the middleware, or a request that got no answer in time. */
    public static class StareException extends IOException {
        private static final long serialVersionUID = 1L;
        private final transient ErrorCode code;
        private final String detail;

        /** @param detail the ERROR frame's message (or what went wrong); the message adds the code */
        public StareException(ErrorCode code, String detail) {
            this(code, detail, code + ": " + detail);
        }

        private StareException(ErrorCode code, String detail, String message) {
            super(message);
            this.code = java.util.Objects.requireNonNull(code, "code");
            this.detail = detail;
        }

        /** The ERROR frame's message, without the code. */
        public String detail() {
            return detail;
        }

        /** The ERROR frame's code; {@link ErrorCode#UNAVAILABLE} when the request got no answer in time. */
        public ErrorCode code() {
            return code;
        }
    }

    /** The connection closed (or broke, or could not be opened) before the answer came: UNAVAILABLE. */
    public static final class ClosedException extends StareException {
        private static final long serialVersionUID = 1L;

        public ClosedException(String message) {
            super(ErrorCode.UNAVAILABLE, message, message);
        }
    }

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final Duration timeout;
    private final Consumer<VnfMessage.LossNotice> onLoss;
    private final Object lock = new Object();
    private final Map<Long, Pending> pending = new HashMap<>();
    private final Map<Integer, Consumer<VnfMessage.Deliver>> listeners = new HashMap<>();
    /** Deliveries of states whose SUBSCRIBED has not been read yet (never expected; kept in order). */
    private final Map<Integer, List<VnfMessage.Deliver>> early = new HashMap<>();
    private final VnfMessage.HelloAck helloAck;
    private final Thread reader;
    private final CompletableFuture<String> ended = new CompletableFuture<>();
    private long nextRequest = 1;
    private String closedBecause;

    private record Pending(CompletableFuture<VnfMessage> reply, Consumer<VnfMessage.Deliver> listener) {
    }

    private TcpVnfClient(Socket socket, Duration timeout, String clientName,
                         Consumer<VnfMessage.LossNotice> onLoss) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
        this.in = socket.getInputStream();
        this.timeout = timeout;
        this.onLoss = onLoss;
        VnfFrameDecoder decoder = new VnfFrameDecoder();
        send(new VnfMessage.Hello(VnfFrameCodec.MIN_PROTOCOL_VERSION, VnfFrameCodec.PROTOCOL_VERSION, clientName));
        List<VnfMessage> leftover = new ArrayList<>();
        VnfMessage first = readOne(decoder, leftover);
        if (first instanceof VnfMessage.Error error) {
            throw new StareException(error.code(), error.message());
        }
        if (!(first instanceof VnfMessage.HelloAck ack)) {
            throw new StareException(ErrorCode.BAD_REQUEST, "expected HELLO_ACK, got " + first);
        }
        this.helloAck = ack;
        socket.setSoTimeout(0);
        this.reader = new Thread(() -> readLoop(decoder, leftover), "stare-vnf-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Connects to a gateway and performs the handshake.
     *
     * @param clientName the name in HELLO (for the middleware's logs)
     * @param timeout bound on connecting and on every request
     * @param onLoss hears of updates of subscribed states that were lost (and of their recovery)
     * @throws ClosedException when the gateway cannot be reached
     */
    public static TcpVnfClient connect(InetSocketAddress gateway, String clientName, Duration timeout,
                                       Consumer<VnfMessage.LossNotice> onLoss) throws IOException {
        return connect(gateway, null, clientName, timeout, onLoss);
    }

    /**
     * The same over TLS when {@code tls} is not null: the gateway's certificate is checked against
     * its CA and the address dialled, and this VNF's is sent (see {@link GatewayTls}).
     */
    public static TcpVnfClient connect(InetSocketAddress gateway, GatewayTls tls, String clientName, Duration timeout,
                                       Consumer<VnfMessage.LossNotice> onLoss) throws IOException {
        Objects.requireNonNull(onLoss, "onLoss");
        Socket socket = new Socket();
        try {
            socket.connect(gateway, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            socket.setTcpNoDelay(true);
            socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            if (tls != null) {
                try {
                    socket = tls.connect(socket, gateway);
                } catch (javax.net.ssl.SSLException e) {
                    throw new ClosedException("TLS with the middleware's gateway at " + describe(gateway)
                            + " failed (certificates from " + tls.directory() + "): " + e.getMessage());
                }
            }
            return new TcpVnfClient(socket, timeout, clientName, onLoss);
        } catch (java.net.ConnectException e) {
            socket.close();
            throw new ClosedException("cannot connect to the middleware's gateway at " + describe(gateway)
                    + ": connection refused (is `stare middleware` running with --gateway " + describe(gateway) + "?)");
        } catch (SocketTimeoutException e) {
            socket.close();
            throw new ClosedException("the middleware's gateway at " + describe(gateway) + " did not answer within "
                    + timeout.toMillis() + " ms");
        } catch (StareException e) {
            socket.close();
            throw e;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw new ClosedException("cannot talk to the middleware's gateway at " + describe(gateway) + ": "
                    + e.getMessage());
        }
    }

    /** The middleware's name (its server ID) from HELLO_ACK. */
    public String serverName() {
        return helloAck.serverName();
    }

    /** Registers this VNF under {@code name}; returns its VNF ID. */
    public int register(String name) throws IOException {
        return register(name, "");
    }

    /** Registers this VNF under {@code name} with the name's gateway token ("" for none); returns its VNF ID. */
    public int register(String name, String token) throws IOException {
        return register(name, token, false);
    }

    /**
     * The same, moving the VNF here if {@code move}: a name is bound to the middleware it first
     * registered at, and another middleware refuses it ({@code NOT_AUTHORIZED}) unless it moves.
     */
    public int register(String name, String token, boolean move) throws IOException {
        return call(id -> new VnfMessage.RegisterVnf(id, name, token, move), VnfMessage.VnfRegistered.class, null)
                .vnfId();
    }

    /** Declares a state this VNF publishes; returns its state ID. */
    public int declare(String state) throws IOException {
        return call(id -> new VnfMessage.DeclarePublishState(id, state), VnfMessage.StateDeclared.class, null)
                .stateId();
    }

    /** The ID of a declared state ({@code UNKNOWN_STATE} otherwise). */
    public int lookup(String state) throws IOException {
        return call(id -> new VnfMessage.LookupState(id, state), VnfMessage.StateFound.class, null).stateId();
    }

    /**
     * The declared states whose names start with {@code prefix}, sorted, as many as one frame holds
     * ({@link VnfMessage.StatesListed#complete} says whether that was all).
     *
     * @throws StareException {@code BAD_REQUEST} if the middleware speaks only protocol version 1
     */
    public VnfMessage.StatesListed listStates(String prefix) throws IOException {
        if (helloAck.version() < 2) {
            throw new StareException(ErrorCode.BAD_REQUEST, "the middleware speaks protocol version "
                    + helloAck.version() + "; listing states needs version 2");
        }
        return call(id -> new VnfMessage.ListStates(id, prefix), VnfMessage.StatesListed.class, null);
    }

    /** Publishes an update of a declared state; returns its update number. */
    public long publish(int stateId, byte[] payload) throws IOException {
        return call(id -> new VnfMessage.Publish(id, stateId, payload), VnfMessage.Published.class, null).updateNo();
    }

    /**
     * Subscribes to a state by name; {@code listener} gets every update from now on, on the reader
     * thread. Returns the state ID.
     */
    public int subscribe(String state, Consumer<VnfMessage.Deliver> listener) throws IOException {
        return subscribe(state, VnfMessage.Subscribe.FROM_NOW, listener);
    }

    /**
     * Subscribes from update {@code resumeFrom} on ({@link VnfMessage.Subscribe#FROM_NOW}: from now);
     * {@code listener} gets the updates on the reader thread. Returns the state ID.
     */
    public int subscribe(String state, long resumeFrom, Consumer<VnfMessage.Deliver> listener) throws IOException {
        Objects.requireNonNull(listener, "listener");
        return call(id -> new VnfMessage.Subscribe(id, state, resumeFrom), VnfMessage.Subscribed.class, listener)
                .stateId();
    }

    /** Ends a subscription. */
    public void unsubscribe(int stateId) throws IOException {
        call(id -> new VnfMessage.Unsubscribe(id, stateId), VnfMessage.Unsubscribed.class, null);
        synchronized (lock) {
            listeners.remove(stateId);
        }
    }

    /**
     * Completes, with the reason, once the connection has ended (closed by either side or broken)
     * and every request waiting on it has failed.
     */
    public CompletionStage<String> ended() {
        return ended;
    }

    /** Whether the connection is still open. */
    public boolean isOpen() {
        synchronized (lock) {
            return closedBecause == null;
        }
    }

    /** Closes the connection; the middleware detaches the VNF and ends its subscriptions. */
    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // Closed as far as it goes.
        }
        try {
            reader.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private <T extends VnfMessage> T call(LongFunction<VnfMessage> request, Class<T> answer,
                                          Consumer<VnfMessage.Deliver> listener) throws IOException {
        CompletableFuture<VnfMessage> reply = new CompletableFuture<>();
        long id;
        VnfMessage message;
        synchronized (lock) {
            if (closedBecause != null) {
                throw new ClosedException(closedBecause);
            }
            id = nextRequest;
            nextRequest = nextRequest % 0xFFFF_FFFFL + 1; // never 0
            message = request.apply(id);
            pending.put(id, new Pending(reply, listener));
        }
        try {
            byte[] frame = VnfFrameCodec.encode(message, helloAck.maxFrameBytes());
            synchronized (out) {
                out.write(frame);
                out.flush();
            }
        } catch (IllegalArgumentException e) {
            forget(id);
            throw new StareException(ErrorCode.PAYLOAD_TOO_LARGE, e.getMessage());
        } catch (IOException e) {
            forget(id);
            throw new ClosedException("connection to the middleware lost: " + e.getMessage());
        }
        VnfMessage got;
        try {
            got = reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            forget(id);
            throw new StareException(ErrorCode.UNAVAILABLE, "no answer from the middleware within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            forget(id);
            Thread.currentThread().interrupt();
            throw new ClosedException("interrupted");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof StareException s ? s : new ClosedException(String.valueOf(e.getCause()));
        }
        if (got instanceof VnfMessage.Error error) {
            throw new StareException(error.code(), error.message());
        }
        if (!answer.isInstance(got)) {
            throw new StareException(ErrorCode.INTERNAL, "unexpected answer " + got);
        }
        return answer.cast(got);
    }

    private void forget(long id) {
        synchronized (lock) {
            pending.remove(id);
        }
    }

    private void send(VnfMessage message) throws IOException {
        synchronized (out) {
            out.write(VnfFrameCodec.encode(message));
            out.flush();
        }
    }

    /** The next frame, reading as needed; frames beyond it stay in {@code queued}. */
    private VnfMessage readOne(VnfFrameDecoder decoder, List<VnfMessage> queued) throws IOException {
        byte[] chunk = new byte[65536];
        while (queued.isEmpty()) {
            int n = in.read(chunk);
            if (n < 0) {
                throw new ClosedException("the middleware closed the connection");
            }
            for (DecodeResult<VnfMessage> result : decoder.feed(chunk, 0, n)) {
                queued.add(result.orElseThrow());
            }
        }
        return queued.remove(0);
    }

    private void readLoop(VnfFrameDecoder decoder, List<VnfMessage> leftover) {
        String reason = "the middleware closed the connection";
        byte[] chunk = new byte[65536];
        try {
            for (VnfMessage message : leftover) {
                dispatch(message);
            }
            while (true) {
                int n = in.read(chunk);
                if (n < 0) {
                    break;
                }
                for (DecodeResult<VnfMessage> result : decoder.feed(chunk, 0, n)) {
                    dispatch(result.orElseThrow());
                }
            }
        } catch (IOException e) {
            reason = socket.isClosed() ? "the connection is closed" : "connection to the middleware lost: "
                    + e.getMessage();
        } catch (RuntimeException e) {
            reason = "the middleware sent a frame this client cannot read: " + e.getMessage();
        }
        List<Pending> waiting;
        synchronized (lock) {
            if (closedBecause == null) {
                closedBecause = reason;
            }
            waiting = new ArrayList<>(pending.values());
            pending.clear();
        }
        for (Pending p : waiting) {
            p.reply().completeExceptionally(new ClosedException(closedBecause));
        }
        ended.complete(closedBecause);
        try {
            socket.close();
        } catch (IOException e) {
            // Closing anyway.
        }
    }

    private void dispatch(VnfMessage message) {
        if (message instanceof VnfMessage.Deliver deliver) {
            Consumer<VnfMessage.Deliver> listener;
            synchronized (lock) {
                listener = listeners.get(deliver.stateId());
                if (listener == null) {
                    early.computeIfAbsent(deliver.stateId(), s -> new ArrayList<>()).add(deliver);
                    return;
                }
            }
            safely(listener, deliver);
        } else if (message instanceof VnfMessage.LossNotice loss) {
            safely(onLoss, loss);
        } else {
            long requestId = requestId(message);
            Pending p;
            List<VnfMessage.Deliver> held = List.of();
            synchronized (lock) {
                p = pending.remove(requestId);
                if (p == null && message instanceof VnfMessage.Error error && requestId == 0) {
                    closedBecause = error.code() + ": " + error.message();
                }
                if (p != null && p.listener() != null && message instanceof VnfMessage.Subscribed subscribed) {
                    listeners.put(subscribed.stateId(), p.listener());
                    List<VnfMessage.Deliver> before = early.remove(subscribed.stateId());
                    held = before == null ? List.of() : before;
                }
            }
            if (p != null) {
                for (VnfMessage.Deliver d : held) {
                    safely(p.listener(), d);
                }
                p.reply().complete(message);
            }
        }
    }

    private static long requestId(VnfMessage message) {
        if (message instanceof VnfMessage.Error m) {
            return m.requestId();
        } else if (message instanceof VnfMessage.VnfRegistered m) {
            return m.requestId();
        } else if (message instanceof VnfMessage.StateDeclared m) {
            return m.requestId();
        } else if (message instanceof VnfMessage.StateFound m) {
            return m.requestId();
        } else if (message instanceof VnfMessage.Subscribed m) {
            return m.requestId();
        } else if (message instanceof VnfMessage.Unsubscribed m) {
            return m.requestId();
        } else if (message instanceof VnfMessage.Published m) {
            return m.requestId();
        } else if (message instanceof VnfMessage.StatesListed m) {
            return m.requestId();
        }
        return -1;
    }

    private static <T> void safely(Consumer<T> callback, T value) {
        try {
            callback.accept(value);
        } catch (RuntimeException e) {
            // The caller's code: it must not stop the reader.
            System.err.println("stare: a VNF callback failed: " + e);
        }
    }

    private static String describe(InetSocketAddress address) {
        return address.getHostString() + ":" + address.getPort();
    }
}
