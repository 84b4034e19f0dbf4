package io.stare.actors.middleware.gateway;

import io.stare.actors.controller.ControllerSettings;
import io.stare.actors.controller.ReplicaController;
import io.stare.actors.middleware.InJvmClient;
import io.stare.actors.middleware.Middleware;
import io.stare.actors.middleware.MiddlewareSettings;
import io.stare.client.StareClient;
import io.stare.p4.program.StareProgram;
import io.stare.p4.softswitch.PortBinding;
import io.stare.p4.softswitch.SoftSwitchNode;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A software switch in register mode, the replica controller and two middlewares (H1 on port 0,
 * H2 on port 1) in one JVM, with a {@link VnfGateway} for H1 on 127.0.0.1 and an ephemeral port.
 */
final class GatewayFabric implements AutoCloseable {

    static final Duration WAIT = Duration.ofSeconds(15);

    final ActorTestKit testKit;
    final SoftSwitchNode node;
    final List<ActorRef<Middleware.Command>> middlewares = new ArrayList<>();
    final VnfGateway gateway;

    GatewayFabric(int outboundBuffer) throws Exception {
        this(outboundBuffer, settings -> settings);
    }

    /** The same with gateway settings of the test's ({@code tweak} of the defaults). */
    GatewayFabric(int outboundBuffer, java.util.function.UnaryOperator<GatewaySettings> tweak) throws Exception {
        this(outboundBuffer, 0, tweak);
    }

    /** The same with the middlewares' INT inbound queues of {@code inboundQueue} updates (0: the default). */
    GatewayFabric(int outboundBuffer, int inboundQueue, java.util.function.UnaryOperator<GatewaySettings> tweak)
            throws Exception {
        this(outboundBuffer, inboundQueue, tweak, controller -> controller);
    }

    /** The same with the replica controller's settings of the test's ({@code controllerTweak} of the defaults). */
    GatewayFabric(int outboundBuffer, int inboundQueue, java.util.function.UnaryOperator<GatewaySettings> tweak,
                  java.util.function.UnaryOperator<ControllerSettings> controllerTweak) throws Exception {
        testKit = ActorTestKit.create();
        node = SoftSwitchNode.start(testKit.system(), new SoftSwitchNode.Settings("s1", 1,
                List.of(PortBinding.loopback(0), PortBinding.loopback(1)),
                new InetSocketAddress("127.0.0.1", 0), Optional.of(StareProgram.Mode.REGISTER), 0L));
        ActorRef<ReplicaController.Command> controller = testKit.spawn(
                ReplicaController.create(controllerTweak.apply(
                        ControllerSettings.fromConfig(testKit.system().settings().config()))),
                "controller");
        MiddlewareSettings defaults = MiddlewareSettings.fromConfig(testKit.system().settings().config());
        MiddlewareSettings base = inboundQueue > 0 ? defaults.withIntQueues(inboundQueue, defaults.outboundQueue()) : defaults;
        for (int server = 0; server < 2; server++) {
            middlewares.add(testKit.spawn(Middleware.create(base.forServer("h" + (server + 1), server + 1,
                    node.portAddresses().get(server)), controller), "middleware-h" + (server + 1)));
        }
        GatewaySettings settings = GatewaySettings.fromConfig(testKit.system().settings().config())
                .withAddress("127.0.0.1", 0).withOutboundBuffer(outboundBuffer);
        gateway = await(VnfGateway.start(testKit.system(), middlewares.get(0), tweak.apply(settings)));
    }

    /** An in-JVM VNF on server {@code server} (0 = H1, the gateway's). */
    StareClient vnf(int server, String name) throws Exception {
        return await(InJvmClient.connect(testKit.system(), middlewares.get(server), name));
    }

    /** A TCP VNF connected to the gateway, not yet past the handshake. */
    TcpVnf connect() throws Exception {
        return new TcpVnf(gateway.localAddress());
    }

    /** The same with a small socket receive buffer. */
    TcpVnf connect(int receiveBuffer) throws Exception {
        return new TcpVnf(gateway.localAddress(), receiveBuffer);
    }

    /** Server {@code server}'s EXT module counters. */
    Middleware.Stats stats(int server) {
        var probe = testKit.<Middleware.Stats>createTestProbe();
        middlewares.get(server).tell(new Middleware.GetStats(probe.ref()));
        return probe.receiveMessage(WAIT);
    }

    static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        await(gateway.close());
        for (ActorRef<Middleware.Command> middleware : middlewares) {
            testKit.stop(middleware, WAIT);
        }
        node.stop().toCompletableFuture().get(15, TimeUnit.SECONDS);
        testKit.shutdownTestKit();
    }
}
