package io.stare.client;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What a VNF is written against: register by name, declare the states it publishes, publish,
 * subscribe and unsubscribe. Requests are {@link CompletionStage}s; one the middleware refuses
 * completes exceptionally with a {@link StareException} whose {@link StareException#code() code}
 * says why. No Pekko type appears here: the same VNF code runs on either implementation,
 *
 * <ul>
 *   <li>in the middleware's JVM ({@code InJvmClient} of stare-actors),
 *       where {@link #tryPublish} writes into the middleware's publish log on the caller's thread
 *       and an {@link UpdateHandler} reads updates where they lie; or</li>
 *   <li>in a process of its own, over a middleware's TCP gateway ({@link #connect}), with nothing
 *       but this artifact and stare-protocol on its class path.</li>
 * </ul>
 *
 * <pre>{@code
 * try (StareClient vnf = InJvmClient.connect(new InetSocketAddress("127.0.0.1", 65431), "tracker-1")) {
 *     int locations = vnf.declare("ue-locations").toCompletableFuture().get();
 *     vnf.subscribe("cell-loads", (state, update, value) -> ...).toCompletableFuture().get();
 *     vnf.publish("ue-locations", location, StateCodec.json(Location.class));
 * }
 * }</pre>
 */
public interface StareClient extends AutoCloseable {

    /**
     * Connects to the TCP gateway of the middleware at {@code gateway} and registers a VNF named
     * {@code vnfName}, with a 10 s bound on connecting and on every request. Needs no actor system.
     *
     * @throws StareException ({@code UNAVAILABLE}) if the gateway cannot be reached, or the
     *     middleware's refusal
     */
    static StareClient connect(InetSocketAddress gateway, String vnfName) {
        return connect(gateway, vnfName, Duration.ofSeconds(10));
    }

    /**
     * {@link #connect(InetSocketAddress, String)} with {@code timeout} bounding connecting and every
     * request, and the name's token from {@value #TOKEN_ENV} if it is set (a gateway that asks for
     * tokens refuses a VNF without one as {@code NOT_AUTHORIZED}).
     */
    static StareClient connect(InetSocketAddress gateway, String vnfName, Duration timeout) {
        String token = System.getenv(TOKEN_ENV);
        return connect(gateway, vnfName, timeout, token == null ? "" : token.trim());
    }

    /**
     * {@link #connect(InetSocketAddress, String, Duration)} with the token the middleware's operator
     * issued for {@code vnfName} ({@code stare token --name NAME}); "" for none.
     */
    static StareClient connect(InetSocketAddress gateway, String vnfName, Duration timeout, String token) {
        return TcpStareClient.connect(gateway, GatewayTls.fromEnvironment(), vnfName, timeout, token, false);
    }

    /**
     * {@link #connect(InetSocketAddress, String, Duration, String)} over TLS with {@code tls}'s
     * certificates (null: plain TCP), for a gateway configured with
     * {@code stare.middleware.gateway.tls-directory}. Without an argument the clients take the
     * directory from {@value GatewayTls#DIRECTORY_ENV}.
     */
    static StareClient connect(InetSocketAddress gateway, String vnfName, Duration timeout, String token,
                               GatewayTls tls) {
        return TcpStareClient.connect(gateway, tls, vnfName, timeout, token, false);
    }

    /**
     * {@link #connect(InetSocketAddress, String, Duration, String)} for a VNF that moves to this
     * gateway's middleware from another. A VNF name is bound to the middleware it first registered
     * at; any other refuses it ({@link StareException} with {@code NOT_AUTHORIZED}) unless it moves
     * explicitly, so that a stranger cannot take a VNF's ID and publish on its states. From then on
     * the name is bound here.
     */
    static StareClient moveTo(InetSocketAddress gateway, String vnfName, Duration timeout, String token) {
        return TcpStareClient.connect(gateway, GatewayTls.fromEnvironment(), vnfName, timeout, token, true);
    }

    /** The environment variable a VNF's token is read from when none is given. */
    String TOKEN_ENV = "STARE_VNF_TOKEN";

    /** The VNF's name. */
    String name();

    /** The globally unique VNF ID the replica controller assigned. */
    int vnfId();

    /** Declares a state this VNF publishes; completes with its state ID. */
    CompletionStage<Integer> declare(String stateName);

    /** The state ID of a state this VNF declared, or -1. */
    int stateId(String stateName);

    /**
     * Publishes an update of a state this VNF declared, from {@code value[offset, offset + length)}:
     * the update number (0 or more), or a negative {@link PublishResult} code
     * ({@link PublishResult#reason} names it). The bytes are copied before it returns. Thread-safe.
     */
    long tryPublish(int stateId, byte[] value, int offset, int length);

    /** The same from a buffer's absolute indexes {@code [offset, offset + length)} (its position is left alone). */
    long tryPublish(int stateId, ByteBuffer value, int offset, int length);

    /** Publishes an update of a declared state, by name; refused as NOT_DECLARED if this VNF did not declare it. */
    default CompletionStage<PublishResult> publish(String stateName, byte[] value) {
        int state = stateId(stateName);
        if (state < 0) {
            return CompletableFuture.completedFuture(new PublishResult.Refused(PublishResult.Reason.NOT_DECLARED,
                    name() + " did not declare " + stateName));
        }
        return publish(state, value);
    }

    /** Publishes an update of a state by ID (one this VNF did not declare is refused). */
    CompletionStage<PublishResult> publish(int stateId, byte[] value);

    /** Publishes a value of a declared state, by name, encoded by {@code codec}. */
    default <T> CompletionStage<PublishResult> publish(String stateName, T value, StateCodec<T> codec) {
        return publish(stateName, codec.encode(value));
    }

    /**
     * Subscribes to a state by name; completes with its state ID once the subscription is in place
     * (exceptionally if the state is unknown or the switch never acknowledged it).
     */
    CompletionStage<Integer> subscribe(String stateName, StateListener listener);

    /**
     * Subscribes from update {@code resumeFrom} on (or, with -1, from the next one): updates
     * between it and the stream the middleware is on come from the backlog; those it no longer
     * holds reach {@link StateListener#onLoss}. For a VNF that kept how far it got (the TCP client
     * does so itself when it reconnects).
     */
    CompletionStage<Integer> subscribeFrom(String stateName, long resumeFrom, StateListener listener);

    /**
     * Subscribes with a handler called with each update's bytes (see {@link UpdateHandler} for its
     * contract); completes with the state ID once the subscription is in place.
     */
    CompletionStage<Integer> subscribe(String stateName, UpdateHandler handler);

    /**
     * Subscribes as {@link #subscribe(String, StateListener)}, but if no VNF has declared the state
     * yet, asks again until one does or {@code wait} has passed (then it fails with
     * {@code UNKNOWN_STATE}): for a subscriber that may start before its publisher.
     */
    CompletionStage<Integer> subscribe(String stateName, StateListener listener, Duration wait);

    /** {@link #subscribe(String, UpdateHandler)}, waiting up to {@code wait} for the state's declaration. */
    CompletionStage<Integer> subscribe(String stateName, UpdateHandler handler, Duration wait);

    /**
     * Subscribes to a state by name, receiving values decoded by {@code codec}. Bytes the codec
     * refuses reach {@link ValueListener#onUndecodable}.
     */
    default <T> CompletionStage<Integer> subscribe(String stateName, StateCodec<T> codec, ValueListener<T> listener) {
        return subscribe(stateName, listener.decodingWith(codec));
    }

    /** Ends a subscription; once complete, the listener hears nothing more of the state. */
    CompletionStage<Void> unsubscribe(String stateName);

    /**
     * The declared states whose names start with {@code prefix}, sorted (with a subscribe policy,
     * those this VNF may subscribe to): how E-State's instances find their peers. At most a few
     * hundred names come back (256, and over TCP as many as fit in 3.5 KiB); a longer prefix lists
     * the rest. Over TCP it needs a middleware that speaks protocol version 2 (else
     * {@code BAD_REQUEST}).
     */
    CompletionStage<List<String>> states(String prefix);

    /**
     * How many times this VNF's listeners and update handlers threw (an exception, or a test's
     * failed assertion). Such a failure is never thrown into the data path: it is counted here and
     * logged, and the deliveries go on. The test kit fails a test whose VNFs' listeners threw.
     */
    long listenerFailures();

    /** The first exception (or failed assertion) a listener or handler of this VNF threw, if any. */
    Optional<Throwable> firstListenerFailure();

    /** Detaches the VNF: the middleware ends its subscriptions. */
    @Override
    void close();
}
