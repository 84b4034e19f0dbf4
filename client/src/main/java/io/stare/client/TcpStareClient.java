package io.stare.client;

import io.stare.protocol.ErrorCode;
import io.stare.protocol.vnf.VnfMessage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
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
 */
final class TcpStareClient implements StareClient {

    private static final Logger log = LoggerFactory.getLogger(TcpStareClient.class);

    private final TcpVnfClient connection;
    private final String name;
    private final int vnfId;
    private final ExecutorService requests;
    private final Map<String, Integer> declared = new ConcurrentHashMap<>();
    private final Map<Integer, Consumer<Delivery.Loss>> lossListeners = new ConcurrentHashMap<>();
    private final AtomicLong listenerFailures = new AtomicLong();
    private final AtomicReference<Throwable> firstListenerFailure = new AtomicReference<>();

    private TcpStareClient(TcpVnfClient connection, String name, int vnfId, ExecutorService requests) {
        this.connection = connection;
        this.name = name;
        this.vnfId = vnfId;
        this.requests = requests;
    }

    static StareClient connect(InetSocketAddress gateway, String vnfName, Duration timeout) {
        AtomicReference<TcpStareClient> self = new AtomicReference<>();
        TcpVnfClient connection = null;
        try {
            connection = TcpVnfClient.connect(gateway, vnfName, timeout, notice -> {
                TcpStareClient client = self.get();
                if (client != null) {
                    client.onLossNotice(notice);
                }
            });
            int vnfId = connection.register(vnfName);
            ExecutorService requests = Executors.newSingleThreadExecutor(runnable -> {
                Thread thread = new Thread(runnable, "stare-vnf-" + vnfName);
                thread.setDaemon(true);
                return thread;
            });
            TcpStareClient client = new TcpStareClient(connection, vnfName, vnfId, requests);
            self.set(client);
            return client;
        } catch (IOException e) {
            if (connection != null) {
                connection.close();
            }
            throw refusal(e);
        }
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
        return request(() -> {
            int stateId = connection.subscribe(stateName, deliver -> guarded(() -> listener.onDelivery(
                    new Delivery.Update(deliver.stateId(), deliver.publisherVnfId(), deliver.updateNo(),
                            deliver.payload()))));
            lossListeners.put(stateId, loss -> guarded(() -> listener.onLoss(loss)));
            return stateId;
        });
    }

    @Override
    public CompletionStage<Integer> subscribe(String stateName, UpdateHandler handler) {
        return request(() -> {
            int stateId = connection.subscribe(stateName, deliver -> guarded(() -> handler.onUpdate(deliver.stateId(),
                    deliver.publisherVnfId(), deliver.updateNo(), ByteBuffer.wrap(deliver.payload()), 0,
                    deliver.payload().length)));
            lossListeners.put(stateId, loss -> guarded(() -> handler.onLoss(loss)));
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
            lossListeners.remove(stateId);
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
        Consumer<Delivery.Loss> listener = lossListeners.get(notice.stateId());
        if (listener != null) {
            listener.accept(new Delivery.Loss(notice.stateId(), -1, notice.firstUpdate(), notice.lastUpdate(),
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
