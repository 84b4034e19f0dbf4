package io.stare.bench.jmh;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.stare.actors.controller.ReplicaController;
import io.stare.actors.middleware.InJvmClient;
import io.stare.actors.middleware.Middleware;
import io.stare.actors.middleware.MiddlewareSettings;
import io.stare.client.Delivery;
import io.stare.client.PublishResult;
import io.stare.client.StareClient;
import io.stare.client.UpdateHandler;
import io.stare.p4.program.StareProgram;
import io.stare.p4.softswitch.PortBinding;
import io.stare.p4.softswitch.SoftSwitchNode;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The steady data path, one update at a time through every part that carries it: a publisher VNF's
 * {@code tryPublish} on the benchmark's thread, its server's middleware main path, a software switch
 * (register mode, a standalone program, no agent), the subscriber server's middleware main path and
 * an {@link UpdateHandler} called in place. Both middlewares and the switch run in this JVM on their
 * own data-path threads, over real UDP sockets on 127.0.0.1; the replica controller is the
 * {@link StubController}, so its persistence is not measured here.
 *
 * <p>Run with JMH's GC profiler ({@code stare bench jmh} adds it), {@code gc.alloc.rate.norm} is the
 * bytes allocated per delivered update by every thread of the JVM: the publisher's thread, the three
 * data paths, the actors that confirm appends.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DeliveryBenchmark {

    /** Updates published per invocation, each awaited at the subscriber's handler. */
    static final int BATCH = 128;

    @Param({"64", "1024", "16384"})
    public int payloadBytes;

    /** Publish segments tagged and verified (stare.controller.publish-authentication), or not: its cost. */
    @Param({"true", "false"})
    public boolean authenticated;

    private ActorSystem<Void> system;
    private SoftSwitchNode node;
    private StareClient publisher;
    private int stateId;
    private byte[] value;
    private final Semaphore delivered = new Semaphore(0);
    private final AtomicLong lost = new AtomicLong();
    private long refused;

    @Setup(Level.Trial)
    public void start() throws Exception {
        Config config = ConfigFactory.parseString("pekko.loglevel = WARNING\npekko.stdout-loglevel = WARNING")
                .withFallback(ConfigFactory.load());
        system = ActorSystem.create(Behaviors.empty(), "stare-jmh-delivery", config);
        node = SoftSwitchNode.start(system, new SoftSwitchNode.Settings("s1", 1,
                List.of(PortBinding.loopback(0), PortBinding.loopback(1)),
                new InetSocketAddress("127.0.0.1", 0), Optional.of(StareProgram.Mode.REGISTER), 0));
        ActorRef<ReplicaController.Command> controller = system.systemActorOf(StubController.create(true, authenticated),
                "stub-controller", Props.empty());
        MiddlewareSettings defaults = MiddlewareSettings.fromConfig(config);
        ActorRef<Middleware.Command> publishing = system.systemActorOf(Middleware.create(
                defaults.forServer("h1", 1, node.portAddresses().get(0)), controller), "middleware-h1", Props.empty());
        ActorRef<Middleware.Command> subscribing = system.systemActorOf(Middleware.create(
                defaults.forServer("h2", 2, node.portAddresses().get(1)), controller), "middleware-h2", Props.empty());
        publisher = MiddlewareRig.await(InJvmClient.connect(system, publishing, "jmh-publisher", MiddlewareRig.TIMEOUT));
        stateId = MiddlewareRig.await(publisher.declare("jmh-state"));
        StareClient subscriber = MiddlewareRig.await(InJvmClient.connect(system, subscribing, "jmh-subscriber",
                MiddlewareRig.TIMEOUT));
        MiddlewareRig.await(subscriber.subscribe("jmh-state", new UpdateHandler() {
            @Override
            public void onUpdate(int state, int from, long update, ByteBuffer buffer, int offset, int length) {
                delivered.release();
            }

            @Override
            public void onLoss(Delivery.Loss loss) {
                int count = (int) (loss.last() - loss.first() + 1);
                lost.addAndGet(count);
                delivered.release(count); // accounted for, so the invocation does not wait for them
            }
        }));
        value = Payloads.of(payloadBytes);
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        System.out.println("delivery: " + lost.get() + " updates lost, " + refused + " publishes refused (retried)");
        node.stop().toCompletableFuture().get(MiddlewareRig.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(MiddlewareRig.TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    /** {@value #BATCH} updates published with {@code tryPublish}, each awaited at the subscriber's handler. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int publishAndDeliver() throws InterruptedException {
        for (int i = 0; i < BATCH; i++) {
            // Back-pressure is an answer, not an error: try again until the log has room.
            while (publisher.tryPublish(stateId, value, 0, value.length) == PublishResult.BACK_PRESSURED) {
                refused++;
                Thread.onSpinWait();
            }
        }
        if (!delivered.tryAcquire(BATCH, MiddlewareRig.TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            throw new IllegalStateException("the subscriber did not get " + BATCH + " updates within "
                    + MiddlewareRig.TIMEOUT);
        }
        return BATCH;
    }
}
