package io.stare.actors.middleware;

import static io.stare.actors.middleware.MulticastSupport.eventually;
import static io.stare.actors.middleware.MulticastSupport.heldOnLoopback;
import static io.stare.actors.middleware.MulticastSupport.igmpGroups;
import static io.stare.actors.middleware.Testbed.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.actors.controller.ControllerSettings;
import io.stare.actors.controller.ReplicaController;
import io.stare.client.PublishResult;
import io.stare.client.StareClient;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.address.StareAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * (e) Two real middlewares with the {@code multicast} transport on {@code lo}, the replica controller
 * in the same JVM, and the first switch played by the real register pipeline
 * ({@link LoopbackFirstSwitch}): a VNF on H1 publishes, a VNF on H2 subscribes and receives every
 * update in order exactly once over IP multicast; after it unsubscribes, H2 holds no membership.
 */
@Timeout(60)
class MiddlewareMulticastTest {

    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final int UPDATES = 50;

    private ActorTestKit testKit;
    private LoopbackFirstSwitch firstSwitch;
    private final List<ActorRef<Middleware.Command>> middlewares = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        testKit = ActorTestKit.create();
        // H1 (sender ID 1) hangs off switch port 1, H2 (sender ID 2) off port 2.
        firstSwitch = new LoopbackFirstSwitch(Map.of(1, 1, 2, 2));
        ActorRef<ReplicaController.Command> controller = testKit.spawn(
                ReplicaController.create(ControllerSettings.fromConfig(testKit.system().settings().config())),
                "controller");
        MiddlewareSettings base = MiddlewareSettings.fromConfig(testKit.system().settings().config())
                .withTransport(MiddlewareSettings.TransportSettings.multicast(MulticastSupport.onLoopback(0)));
        for (int server = 1; server <= 2; server++) {
            // No switch-port socket: the multicast transport does not use it.
            MiddlewareSettings settings = base.forServer("h" + server, server, new InetSocketAddress("127.0.0.1", 9));
            middlewares.add(testKit.spawn(Middleware.create(settings, controller), "middleware-h" + server));
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (ActorRef<Middleware.Command> middleware : middlewares) {
            testKit.stop(middleware, WAIT);
        }
        firstSwitch.close();
        testKit.shutdownTestKit();
    }

    private Middleware.Stats stats(int server) {
        TestProbe<Middleware.Stats> probe = testKit.createTestProbe();
        middlewares.get(server).tell(new Middleware.GetStats(probe.ref()));
        return probe.receiveMessage(WAIT);
    }

    private static byte[] value(int i) {
        return ("update #" + i).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aRemoteSubscriberGetsEveryUpdateInOrderOnceOverIpMulticast() throws Exception {
        StareClient publisher = await(InJvmClient.connect(testKit.system(), middlewares.get(0), "pub"));
        StareClient subscriber = await(InJvmClient.connect(testKit.system(), middlewares.get(1), "sub"));
        int state = await(publisher.declare("state-pub"));
        firstSwitch.serve(state);
        StareAddress publishGroup = new StareAddress(MessageKind.PUBLISH, state);
        StareAddress ackGroup = new StareAddress(MessageKind.SUB_ACK, state);

        Recorder recorder = new Recorder();
        assertEquals(state, await(subscriber.subscribe("state-pub", recorder)));
        assertEquals(1, firstSwitch.acked(MessageKind.SUB_REGISTER), "the pipeline acknowledged the SUB-register");
        assertEquals(1L << 2, firstSwitch.statePorts(state), "state_ports now holds H2's port");
        assertTrue(heldOnLoopback(publishGroup) && heldOnLoopback(ackGroup),
                "H2 holds both groups of the state: " + igmpGroups("lo"));

        // The last update is a marker: once it is heard, a duplicate of any before it would be too.
        List<CompletionStage<PublishResult>> results = new ArrayList<>();
        for (int i = 0; i <= UPDATES; i++) {
            results.add(publisher.publish("state-pub", value(i)));
        }
        for (CompletionStage<PublishResult> result : results) {
            assertInstanceOf(PublishResult.Published.class, await(result));
        }
        List<Recorder.Heard> heard = recorder.awaitCount(UPDATES + 1, WAIT);
        assertEquals(UPDATES + 1, heard.size(), "every update exactly once");
        for (int i = 0; i <= UPDATES; i++) {
            assertEquals(i, heard.get(i).update(), "in order");
            assertArrayEquals(value(i), heard.get(i).value());
        }
        assertTrue(recorder.losses().isEmpty(), "no loss: " + recorder.losses());
        Middleware.Stats h2 = stats(1);
        assertEquals(0, h2.transport().malformed());
        assertTrue(h2.transport().received() >= UPDATES + 2, "the updates and the SUB-ack came by multicast: " + h2);
        assertEquals(UPDATES + 1, stats(0).transport().sent(), "H1 multicast one datagram per update");

        await(subscriber.unsubscribe("state-pub"));
        eventually(() -> !heldOnLoopback(publishGroup) && !heldOnLoopback(ackGroup), WAIT,
                () -> "H2 leaving the groups after its SUB-remove was acknowledged: " + igmpGroups("lo"));
        eventually(() -> firstSwitch.acked(MessageKind.SUB_REMOVE) >= 1, WAIT, () -> "the SUB-remove's ack");
        assertEquals(0, firstSwitch.statePorts(state), "state_ports is empty again");
        assertEquals(2, stats(1).arq().acknowledged(), "one SUB-register and one SUB-remove, both acknowledged");
    }
}
