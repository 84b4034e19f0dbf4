package io.stare.client;

import io.stare.protocol.ErrorCode;
import io.stare.protocol.vnf.VnfMessage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link StareClient} over a middleware's TCP gateway ({@link TcpVnfClient}): for a VNF in a
 * process of its own, with no actor system. Requests run one at a time, in the order they were
 * made, on one thread of the client's own; deliveries and loss notices reach listeners on the
 * connection's reader thread, in the order they arrive. {@link #tryPublish} waits for the
 * middleware's answer (one round trip): the in-JVM client is the one without a round trip.
 *
 * <p>Two differences from the in-JVM client follow from what the TCP protocol carries: only losses
 * given up for good ({@code UNRECOVERABLE}) reach {@link StateListener#onLoss}, with publisher -1
 * (the notice does not name it), and "recovering" and "recovered" notices are logged at DEBUG; an
 * {@link UpdateHandler} reads a buffer over the delivered copy, not the receive buffer.
 *
 * <p>When the connection breaks (its middleware died or restarted), the client connects again with
 * backoff ({@value #FIRST_BACKOFF_MS} ms doubling to {@value #MAX_BACKOFF_MS} ms) until it is
 * closed, registers under the same name (so the same VNF ID), declares its states again and
 * subscribes to each state again from the update after the last one it delivered (or from now,
 * if none was delivered yet); the middleware recovers the updates in between from the backlog,
 * and the listener hears of those the backlog no longer holds as a loss. Updates delivered before
 * are not delivered again. Meanwhile requests fail as {@code UNAVAILABLE} (publishes are refused
 * so), which a VNF may retry.
 */
final class TcpStareClient implements StareClient {

    private static final Logger log = LoggerFactory.getLogger(TcpStareClient.class);

    static final long FIRST_BACKOFF_MS = 50;
    static final long MAX_BACKOFF_MS = 2_000;

    private final InetSocketAddress gateway;
    private final Duration timeout;
    /** TLS towards the gateway, null for plain TCP. */
    private final GatewayTls tls;
    private final String token;
    private final String name;
    private final int vnfId;
    private final ExecutorService requests;
    private final Map<String, Integer> declared = new ConcurrentHashMap<>();
    /** Subscriptions by state name, to make again after a reconnect. */
    private final Map<String, Subscription> subscriptions = new ConcurrentHashMap<>();
    private final Map<Integer, Subscription> byStateId = new ConcurrentHashMap<>();
    private final AtomicLong listenerFailures = new AtomicLong();
    private final AtomicReference<Throwable> firstListenerFailure = new AtomicReference<>();
    private final AtomicLong reconnects = new AtomicLong();
    private volatile TcpVnfClient connection;
    private volatile boolean closed;

    /** One subscription: where its deliveries go and how far they got. */
    private static final class Subscription {
        final String stateName;
        final Consumer<VnfMessage.Deliver> deliver;
        final Consumer<Delivery.Loss> loss;
        /** The last update delivered or declared lost (-1: none yet). Written on the reader thread. */
        volatile long last = -1;

        Subscription(String stateName, Consumer<VnfMessage.Deliver> deliver, Consumer<Delivery.Loss> loss,
                     long resumeFrom) {
            this.stateName = stateName;
            this.deliver = deliver;
            this.loss = loss;
            this.last = resumeFrom - 1;
        }

        /** Each update once: a resumed stream may bring again what was delivered before the break. */
        void onDeliver(VnfMessage.Deliver update) {
            if (update.updateNo() <= last) {
                return;
            }
            last = update.updateNo();
            deliver.accept(update);
        }

        long resumeFrom() {
            return last < 0 ? VnfMessage.Subscribe.FROM_NOW : last + 1;
        }
    }

    private TcpStareClient(InetSocketAddress gateway, GatewayTls tls, Duration timeout, String token, String name,
                           int vnfId, ExecutorService requests) {
        this.gateway = gateway;
        this.tls = tls;
        this.timeout = timeout;
        this.token = token;
        this.name = name;
        this.vnfId = vnfId;
        this.requests = requests;
    }

    static StareClient connect(InetSocketAddress gateway, GatewayTls tls, String vnfName, Duration timeout,
                               String token, boolean move) {
        AtomicReference<TcpStareClient> self = new AtomicReference<>();
        TcpVnfClient connection = null;
        try {
            connection = open(gateway, tls, vnfName, timeout, self);
            int vnfId = connection.register(vnfName, token, move); // reconnections register without: it is here
            ExecutorService requests = Executors.newSingleThreadExecutor(runnable -> {
                Thread thread = new Thread(runnable, "stare-vnf-" + vnfName);
                thread.setDaemon(true);
                return thread;
            });
            TcpStareClient client = new TcpStareClient(gateway, tls, timeout, token, vnfName, vnfId, requests);
            self.set(client);
            client.use(connection);
            return client;
        } catch (IOException e) {
            if (connection != null) {
                connection.close();
            }
            throw refusal(e);
        }
    }

    private static TcpVnfClient open(InetSocketAddress gateway, GatewayTls tls, String vnfName, Duration timeout,
                                     AtomicReference<TcpStareClient> self) throws IOException {
        return TcpVnfClient.connect(gateway, tls, vnfName, timeout, notice -> {
            TcpStareClient client = self.get();
            if (client != null) {
                client.onLossNotice(notice);
            }
        });
    }

    /** Makes {@code fresh} the connection, and reconnects once it ends (unless this client closed). */
    private void use(TcpVnfClient fresh) {
        connection = fresh;
        fresh.ended().thenRun(() -> {
            if (!closed) {
                try {
                    requests.execute(() -> reconnect(fresh));
                } catch (java.util.concurrent.RejectedExecutionException closing) {
                    // closed meanwhile
                }
            }
        });
    }

    /**
     * Connects again, with backoff, until it works or this client closes: same name, the states
     * declared again, every subscription made again from where it got. On the request thread, so
     * requests wait behind it.
     */
    private void reconnect(TcpVnfClient broken) {
        long backoff = FIRST_BACKOFF_MS;
        while (!closed && connection == broken) {
            TcpVnfClient fresh = null;
            try {
                AtomicReference<TcpStareClient> self = new AtomicReference<>(this);
                fresh = open(gateway, tls, name, timeout, self);
                int again = fresh.register(name, token);
                if (again != vnfId) {
                    log.warn("{}: registered again as VNF {}, was {}", name, again, vnfId);
                }
                for (String state : declared.keySet()) {
                    declared.put(state, fresh.declare(state));
                }
                for (Subscription subscription : subscriptions.values()) {
                    int stateId = fresh.subscribe(subscription.stateName, subscription.resumeFrom(),
                            subscription::onDeliver);
                    byStateId.put(stateId, subscription);
                }
                reconnects.incrementAndGet();
                log.info("{}: connected again to {} ({} declared, {} subscribed)", name, gateway, declared.size(),
                        subscriptions.size());
                use(fresh);
                return;
            } catch (IOException e) {
                if (fresh != null) {
                    fresh.close();
                }
                log.debug("{}: reconnecting to {}: {}", name, gateway, e.getMessage());
                java.util.concurrent.locks.LockSupport.parkNanos(
                        java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(backoff));
                backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
            }
        }
    }

    /** Times this client connected again after its connection broke. */
    long reconnects() {
        return reconnects.get();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int vnfId() {
        return vnfId;
    }

    @Override
    public CompletionStage<Integer> declare(String stateName) {
        return request(() -> {
            int stateId = connection.declare(stateName);
            declared.put(stateName, stateId);
            return stateId;
        });
    }

    @Override
    public CompletionStage<List<String>> states(String prefix) {
        return request(() -> connection.listStates(prefix).stateNames());
    }

    @Override
    public int stateId(String stateName) {
        Integer state = declared.get(stateName);
        return state == null ? -1 : state;
    }

    @Override
    public long tryPublish(int stateId, byte[] value, int offset, int length) {
        byte[] copy = new byte[length];
        System.arraycopy(value, offset, copy, 0, length);
        return publishCode(stateId, copy);
    }

    @Override
    public long tryPublish(int stateId, ByteBuffer value, int offset, int length) {
        byte[] copy = new byte[length];
        value.get(offset, copy, 0, length);
        return publishCode(stateId, copy);
    }

    @Override
    public CompletionStage<PublishResult> publish(int stateId, byte[] value) {
        byte[] copy = value.clone();
        return request(() -> {
            try {
                return new PublishResult.Published(stateId, connection.publish(stateId, copy), 0);
            } catch (TcpVnfClient.StareException e) {
                return new PublishResult.Refused(PublishResult.reason(refusalCode(e.code())), e.detail());
            }
        });
    }

    @Override
    public CompletionStage<Integer> subscribe(String stateName, StateListener listener) {
        return subscribeFrom(stateName, VnfMessage.Subscribe.FROM_NOW, listener);
    }

    @Override
    public CompletionStage<Integer> subscribeFrom(String stateName, long resumeFrom, StateListener listener) {
        return subscribe(new Subscription(stateName, deliver -> guarded(() -> listener.onDelivery(
                new Delivery.Update(deliver.stateId(), deliver.publisherVnfId(), deliver.updateNo(),
                        deliver.payload()))), loss -> guarded(() -> listener.onLoss(loss)), resumeFrom));
    }

    @Override
    public CompletionStage<Integer> subscribe(String stateName, UpdateHandler handler) {
        return subscribe(new Subscription(stateName, deliver -> guarded(() -> handler.onUpdate(deliver.stateId(),
                deliver.publisherVnfId(), deliver.updateNo(), ByteBuffer.wrap(deliver.payload()), 0,
                deliver.payload().length)), loss -> guarded(() -> handler.onLoss(loss)),
                VnfMessage.Subscribe.FROM_NOW));
    }

    private CompletionStage<Integer> subscribe(Subscription subscription) {
        return request(() -> {
            int stateId = connection.subscribe(subscription.stateName, subscription.resumeFrom(),
                    subscription::onDeliver);
            subscriptions.put(subscription.stateName, subscription);
            byStateId.put(stateId, subscription);
            return stateId;
        });
    }

    @Override
    public CompletionStage<Integer> subscribe(String stateName, StateListener listener, Duration wait) {
        return DeclarationWait.untilDeclared(() -> subscribe(stateName, listener), System.nanoTime() + wait.toNanos());
    }

    @Override
    public CompletionStage<Integer> subscribe(String stateName, UpdateHandler handler, Duration wait) {
        return DeclarationWait.untilDeclared(() -> subscribe(stateName, handler), System.nanoTime() + wait.toNanos());
    }

    @Override
    public CompletionStage<Void> unsubscribe(String stateName) {
        return request(() -> {
            int stateId = connection.lookup(stateName);
            connection.unsubscribe(stateId);
            subscriptions.remove(stateName);
            byStateId.remove(stateId);
            return null;
        });
    }

    @Override
    public long listenerFailures() {
        return listenerFailures.get();
    }

    @Override
    public Optional<Throwable> firstListenerFailure() {
        return Optional.ofNullable(firstListenerFailure.get());
    }

    @Override
    public void close() {
        // Connection first: requests still queued then run, fail at once as closed, and complete
        // their stages exceptionally (UNAVAILABLE) instead of never.
        closed = true;
        connection.close();
        requests.shutdown();
    }

    /** A blocking request of the connection, on the client's request thread. */
    private interface Request<T> {
        T run() throws IOException;
    }

    private <T> CompletionStage<T> request(Request<T> request) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            requests.execute(() -> {
                try {
                    result.complete(request.run());
                } catch (IOException | RuntimeException e) {
                    result.completeExceptionally(e instanceof IOException io ? refusal(io) : e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            result.completeExceptionally(new StareException(ErrorCode.UNAVAILABLE, name + " is closed"));
        }
        return result;
    }

    private long publishCode(int stateId, byte[] value) {
        try {
            return connection.publish(stateId, value);
        } catch (TcpVnfClient.StareException e) {
            return refusalCode(e.code());
        } catch (IOException e) {
            return PublishResult.UNAVAILABLE;
        }
    }

    /** The publish refusal code of a gateway's error code. */
    private static long refusalCode(ErrorCode code) {
        return switch (code) {
            case NOT_PUBLISHER, UNKNOWN_STATE, NOT_REGISTERED -> PublishResult.NOT_DECLARED;
            case PAYLOAD_TOO_LARGE -> PublishResult.TOO_LARGE;
            case BACK_PRESSURED -> PublishResult.BACK_PRESSURED;
            default -> PublishResult.UNAVAILABLE;
        };
    }


    private void onLossNotice(VnfMessage.LossNotice notice) {
        if (notice.outcome() != VnfMessage.LossNotice.Outcome.UNRECOVERABLE) {
            log.debug("{}: updates {}..{} of state {}: {}", name, notice.firstUpdate(), notice.lastUpdate(),
                    notice.stateId(), notice.outcome());
            return;
        }
        Subscription subscription = byStateId.get(notice.stateId());
        if (subscription != null) {
            // Lost for good: a resumed stream must not ask for these again.
            subscription.last = Math.max(subscription.last, notice.lastUpdate());
            subscription.loss.accept(new Delivery.Loss(notice.stateId(), -1, notice.firstUpdate(), notice.lastUpdate(),
                    Delivery.Loss.Reason.UNRECOVERABLE));
        }
    }

    /** Runs a listener's call; what it throws is counted and logged, never thrown into the reader. */
    private void guarded(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException | AssertionError e) {
            long failures = listenerFailures.incrementAndGet();
            firstListenerFailure.compareAndSet(null, e);
            if (Long.bitCount(failures) == 1) {
                log.warn("{}: a listener threw ({} so far): {}", name, failures, e.toString());
            }
        }
    }

    private static StareException refusal(IOException e) {
        if (e instanceof TcpVnfClient.StareException refused) {
            return new StareException(refused.code(), refused.getMessage(), e);
        }
        return new StareException(ErrorCode.UNAVAILABLE, e.getMessage(), e);
    }
}
