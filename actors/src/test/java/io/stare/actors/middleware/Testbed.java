package io.stare.actors.middleware;

import io.stare.actors.controller.ControllerSettings;
import io.stare.actors.controller.ReplicaController;
import io.stare.client.StareClient;
import io.stare.p4.program.StareProgram;
import io.stare.p4.softswitch.PortBinding;
import io.stare.p4.softswitch.SoftSwitchNode;
import io.stare.testing.TestTime;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;

/**
 * The paper's testbed (Fig. 7a) on loopback: one software switch in register mode (so no agent is
 * needed), servers H1, H2, H3 as three middlewares on its ports 0, 1, 2, and the replica controller
 * in the same JVM (the paper's H4).
 */
final class Testbed implements AutoCloseable {

    /** The bound of a wait in these tests; every wait scales it by the one time factor ({@link TestTime}). */
    static final Duration WAIT = Duration.ofSeconds(20);

    final ActorTestKit testKit;
    final SoftSwitchNode node;
    final ActorRef<ReplicaController.Command> controller;
    final List<ActorRef<Middleware.Command>> middlewares = new ArrayList<>();
    private final List<AutoCloseable> closeables = new ArrayList<>();

    /** A testbed whose servers reach their switch ports directly. */
    Testbed() throws Exception {
        this(UnaryOperator.identity(), (port, address) -> address);
    }

    /** Interposes something (a lossy relay) between server {@code i} and its switch port. */
    interface Link {
        InetSocketAddress between(int server, InetSocketAddress switchPort) throws Exception;
    }

    Testbed(UnaryOperator<MiddlewareSettings> tune, Link link) throws Exception {
        this(tune, link, null);
    }

    /** As above, with another replica controller (null: the real one). */
    Testbed(UnaryOperator<MiddlewareSettings> tune, Link link, Behavior<ReplicaController.Command> replicaController)
            throws Exception {
        this(tune, link, replicaController, com.typesafe.config.ConfigFactory.empty());
    }

    /** As above, with {@code config} over the defaults. */
    Testbed(UnaryOperator<MiddlewareSettings> tune, Link link, Behavior<ReplicaController.Command> replicaController,
            com.typesafe.config.Config config) throws Exception {
        testKit = ActorTestKit.create(config.withFallback(ActorTestKit.applicationTestConfig()));
        node = SoftSwitchNode.start(testKit.system(), new SoftSwitchNode.Settings("s1", 1,
                List.of(PortBinding.loopback(0), PortBinding.loopback(1), PortBinding.loopback(2), PortBinding.loopback(3)),
                new InetSocketAddress("127.0.0.1", 0), Optional.of(StareProgram.Mode.REGISTER), 0L));
        controller = testKit.spawn(replicaController != null ? replicaController
                : ReplicaController.create(ControllerSettings.fromConfig(testKit.system().settings().config())), "controller");
        MiddlewareSettings base = tune.apply(MiddlewareSettings.fromConfig(testKit.system().settings().config()));
        for (int server = 0; server < 3; server++) {
            InetSocketAddress port = link.between(server, node.portAddresses().get(server));
            middlewares.add(testKit.spawn(Middleware.create(base.forServer("h" + (server + 1), server + 1, port),
                    controller), "middleware-h" + (server + 1)));
        }
    }

    /** Registers a VNF on server {@code server} (0 = H1). */
    StareClient vnf(int server, String name) throws Exception {
        return InJvmClient.connect(testKit.system(), middlewares.get(server), name).toCompletableFuture()
                .get(TestTime.dilated(WAIT).toMillis(), TimeUnit.MILLISECONDS);
    }

    Middleware.Stats stats(int server) {
        TestProbe<Middleware.Stats> probe = testKit.createTestProbe();
        middlewares.get(server).tell(new Middleware.GetStats(probe.ref()));
        return probe.receiveMessage(WAIT);
    }

    void onClose(AutoCloseable closeable) {
        closeables.add(closeable);
    }

    static <T> T await(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(TestTime.dilated(WAIT).toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws Exception {
        for (ActorRef<Middleware.Command> middleware : middlewares) {
            testKit.stop(middleware, WAIT);
        }
        node.stop().toCompletableFuture().get(15, TimeUnit.SECONDS);
        for (AutoCloseable closeable : closeables) {
            closeable.close();
        }
        testKit.shutdownTestKit();
    }
}
