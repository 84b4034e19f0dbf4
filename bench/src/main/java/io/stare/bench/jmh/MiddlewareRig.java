package io.stare.bench.jmh;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.stare.actors.controller.ReplicaController;
import io.stare.actors.middleware.InJvmClient;
import io.stare.actors.middleware.Middleware;
import io.stare.actors.middleware.MiddlewareSettings;
import io.stare.client.PublishResult;
import io.stare.client.StareClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * One real middleware (EXT module, INT modules, main path, tunnel transport) in an actor system
 * of its own, with nothing in its way: its transport is a real UDP socket on 127.0.0.1, sending to a
 * "switch port" that is a bound UDP socket nobody reads (the kernel queues datagrams until its
 * buffer is full, then discards them without telling anyone), and its replica controller is the
 * {@link StubController}. No switch, no agent, no persistence.
 */
final class MiddlewareRig implements AutoCloseable {

    /** Bound on every wait for the middleware in setup and in a benchmark's invocation. */
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final ActorSystem<Void> system;
    private final DatagramChannel switchPort;
    private final ActorRef<Middleware.Command> middleware;

    private MiddlewareRig(ActorSystem<Void> system, DatagramChannel switchPort, ActorRef<Middleware.Command> middleware) {
        this.system = system;
        this.switchPort = switchPort;
        this.middleware = middleware;
    }

    /**
     * Starts the actor system, the stub controller and the middleware.
     *
     * @param remoteSubscribers whether the controller says another server subscribes to the states
     *     published here (see {@link StubController#create})
     */
    static MiddlewareRig start(boolean remoteSubscribers) throws IOException {
        // Quiet Pekko unless something is wrong; the rest is the stare defaults (and, in stare.jar,
        // the tool's application.conf).
        Config config = ConfigFactory.parseString("pekko.loglevel = WARNING\npekko.stdout-loglevel = WARNING")
                .withFallback(ConfigFactory.load());
        DatagramChannel port = DatagramChannel.open(StandardProtocolFamily.INET);
        ActorSystem<Void> system = null;
        try {
            port.bind(new InetSocketAddress("127.0.0.1", 0));
            system = ActorSystem.create(Behaviors.empty(), "stare-jmh", config);
            ActorRef<ReplicaController.Command> controller = system.systemActorOf(
                    StubController.create(remoteSubscribers), "stub-controller", Props.empty());
            MiddlewareSettings settings = MiddlewareSettings.fromConfig(config)
                    .forServer("jmh", 1, (InetSocketAddress) port.getLocalAddress());
            ActorRef<Middleware.Command> middleware = system.systemActorOf(Middleware.create(settings, controller),
                    "middleware-jmh", Props.empty());
            return new MiddlewareRig(system, port, middleware);
        } catch (IOException | RuntimeException e) {
            if (system != null) {
                system.terminate();
            }
            port.close();
            throw e;
        }
    }

    ActorSystem<Void> system() {
        return system;
    }

    ActorRef<Middleware.Command> middleware() {
        return middleware;
    }

    /** Attaches a VNF through {@link StareClient#connect}, as an in-JVM VNF does. */
    StareClient vnf(String name) throws Exception {
        return await(InJvmClient.connect(system, middleware, name, TIMEOUT));
    }

    /** The middleware's counters. */
    Middleware.Stats stats() throws Exception {
        return await(AskPattern.ask(middleware, Middleware.GetStats::new, TIMEOUT, system.scheduler()));
    }

    /** One line of the counters that tell whether the run measured what it claims. */
    String statsLine() throws Exception {
        Middleware.Stats s = stats();
        return "middleware: " + s.updatesPublished() + " updates published, " + s.publishesRefused() + " refused, "
                + s.transport().sent() + " frames sent, " + s.transport().dropped() + " frames dropped by MAIN SEND, "
                + s.keptLocal() + " kept local, " + s.localDeliveries() + " local deliveries, " + s.inboundDropped()
                + " inbound drops, " + s.unconfirmedAppends() + " appends unconfirmed";
    }

    /** {@code count} publishes of {@code value} through {@code StareClient.publish}, not awaited. */
    static List<CompletableFuture<PublishResult>> publishThroughClient(StareClient publisher, int stateId,
                                                                       byte[] value, int count) {
        List<CompletableFuture<PublishResult>> results = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            results.add(publisher.publish(stateId, value).toCompletableFuture());
        }
        return results;
    }

    /** {@code count} {@code Middleware.Publish} asks straight to the EXT module, as the INT module makes them. */
    List<CompletableFuture<PublishResult>> publishToMiddleware(int vnfId, int stateId, byte[] value, int count) {
        List<CompletableFuture<PublishResult>> results = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            // The INT module hands over its own copy of the value; this one is never changed.
            results.add(AskPattern.<Middleware.Command, PublishResult>ask(middleware(),
                    replyTo -> new Middleware.Publish(vnfId, stateId, value, replyTo), TIMEOUT,
                    system().scheduler()).toCompletableFuture());
        }
        return results;
    }

    static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    @Override
    public void close() throws IOException, ExecutionException, TimeoutException {
        system.terminate();
        try {
            system.getWhenTerminated().toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the fork is being torn down; the socket still closes
        } finally {
            switchPort.close();
        }
    }
}
