package io.stare.actors.ingest;

import com.typesafe.config.Config;
import io.stare.actors.controller.DataPlaneIngest;
import io.stare.actors.controller.ReplicaController;
import io.stare.actors.controller.StateBacklog;
import io.stare.actors.middleware.InJvmClient;
import io.stare.actors.middleware.Middleware;
import io.stare.actors.middleware.MiddlewareSettings;
import io.stare.client.Delivery;
import io.stare.client.StareClient;
import io.stare.client.StateListener;
import io.stare.protocol.segment.Segmenter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.RecipientRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A controller node receiving publishes from the data plane, like any subscriber (the paper's
 * design): the node runs a middleware of its own on a switch port, and a VNF on it subscribes to
 * every state whose backlog runs on this node, following the shards as they move
 * ({@link DataPlaneIngest}). Each update it receives whole is appended to the local backlog, which
 * confirms it to the publishing servers; a publisher appends an update itself only if no
 * confirmation came (stare.middleware.appends = repair), so a hole in the backlog is repaired from
 * the publisher.
 */
public final class BacklogIngest implements DataPlaneIngest {

    private static final Logger log = LoggerFactory.getLogger(BacklogIngest.class);
    private static final int FOLLOW_ATTEMPTS = 5;

    private final ActorSystem<?> system;
    private final MiddlewareSettings settings;
    private final IntFunction<RecipientRef<StateBacklog.Command>> backlogs;
    private final Segmenter segmenter;
    private final CompletableFuture<StareClient> client = new CompletableFuture<>();
    private final Set<String> following = ConcurrentHashMap.newKeySet();
    private final LongAdder ingested = new LongAdder();
    private final StateListener listener = new StateListener() {
        @Override
        public void onUpdate(int stateId, long update, byte[] value) {
            throw new UnsupportedOperationException("onDelivery is used");
        }

        @Override
        public void onDelivery(Delivery.Update update) {
            ingested.increment();
            backlogs.apply(update.stateId()).tell(new StateBacklog.AppendSegments(
                    segmenter.split(update.stateId(), update.publisherVnfId(), update.update(), update.value()), null));
        }
    };

    /**
     * The ingest of a controller node, on the middleware its configuration describes
     * ({@code stare.controller.ingest}: its switch port and server ID): the
     * {@link DataPlaneIngest.Factory} that {@code stare controller} hands the controller.
     */
    public static BacklogIngest create(ActorSystem<?> system, IntFunction<RecipientRef<StateBacklog.Command>> backlogs) {
        return new BacklogIngest(system, ingestSettings(system), backlogs);
    }

    /**
     * An ingest whose middleware is started by {@link #start}; until then, the states to follow
     * wait.
     *
     * @param settings the node's middleware: its server ID, switch port and transport
     * @param backlogs the backlog of a state (the sharded entity)
     */
    public BacklogIngest(ActorSystem<?> system, MiddlewareSettings settings,
                         IntFunction<RecipientRef<StateBacklog.Command>> backlogs) {
        this.system = system;
        this.settings = settings;
        this.backlogs = backlogs;
        this.segmenter = settings.segmenter();
    }

    /** Starts the node's middleware, talking to {@code router}, and attaches the ingesting VNF. */
    @Override
    public void start(ActorRef<ReplicaController.Command> router) {
        ActorRef<Middleware.Command> middleware = system.systemActorOf(Middleware.create(settings, router),
                "ingest-middleware", Props.empty());
        InJvmClient.connect(system, middleware, "replica-controller@" + settings.serverId())
                .whenComplete((connected, error) -> {
                    if (error != null) {
                        log.error("Data-plane ingest of {} cannot attach: {}", settings.serverId(), error.toString());
                        client.completeExceptionally(error);
                    } else {
                        client.complete(connected);
                    }
                });
    }

    @Override
    public void follow(int stateId, String stateName) {
        if (following.add(stateName)) {
            subscribe(stateName, 1);
        }
    }

    @Override
    public void unfollow(int stateId, String stateName) {
        if (following.remove(stateName)) {
            client.thenCompose(c -> c.unsubscribe(stateName)).whenComplete((done, error) -> {
                if (error != null) {
                    log.debug("Data-plane ingest: unsubscribing {} failed: {}", stateName, error.toString());
                }
            });
        }
    }

    /** Updates received from the data plane and appended to a backlog. */
    public long ingested() {
        return ingested.sum();
    }

    private void subscribe(String stateName, int attempt) {
        client.thenCompose(c -> c.subscribe(stateName, listener)).whenComplete((state, error) -> {
            if (error == null || !following.contains(stateName)) {
                return;
            }
            if (attempt >= FOLLOW_ATTEMPTS) {
                log.warn("Data-plane ingest: cannot subscribe to {} ({}); its publishers' repairs keep its backlog "
                        + "whole", stateName, error.toString());
                return;
            }
            CompletableFuture.delayedExecutor(Duration.ofSeconds(attempt).toMillis(), TimeUnit.MILLISECONDS)
                    .execute(() -> subscribe(stateName, attempt + 1));
        });
    }

    /** The middleware of a controller node that ingests from the data plane: its own switch port. */
    private static MiddlewareSettings ingestSettings(ActorSystem<?> system) {
        Config config = system.settings().config();
        String port = config.getString("stare.controller.ingest.switch-port").trim();
        int colon = port.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("stare.controller.ingest.switch-port must be host:port for the "
                    + "data-plane ingest, got '" + port + "'");
        }
        org.apache.pekko.actor.Address self = org.apache.pekko.cluster.typed.Cluster.get(system).selfMember().address();
        return MiddlewareSettings.fromConfig(config).forServer(
                "controller@" + self.host().getOrElse(() -> "local") + ":" + self.port().getOrElse(() -> 0),
                config.getInt("stare.controller.ingest.sender-id"),
                new InetSocketAddress(port.substring(0, colon), Integer.parseInt(port.substring(colon + 1))));
    }
}
