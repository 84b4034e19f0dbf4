package io.stare.bench.jmh;

import io.stare.client.Delivery;
import io.stare.client.StareClient;
import io.stare.client.StateListener;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * Local delivery: a publisher VNF and a subscriber VNF on the same middleware, updates delivered per
 * second to the subscriber's {@link StateListener}. The controller says no other server subscribes,
 * so the middleware keeps the updates off the network (as the real controller would) and the path is
 * the publish log → the main path, which hands each update to the server's own subscribers → a copy
 * into the subscriber's INT inbound queue → the subscriber's VNF actor, woken once per batch → the
 * listener.
 *
 * <p>Each invocation publishes {@value #BATCH} updates and waits until the listener has had every one
 * that was published, so publishing and delivery overlap as in a steady stream but the inbound queue
 * (1024) never overflows. {@code viaStareClient} publishes through {@code StareClient.publish}
 * ({@code tryPublish} on the caller's thread); {@code viaMiddleware} asks the EXT module, which makes
 * the same call, so that the cost of an ask per publish shows beside it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LocalDeliveryBenchmark {

    /** Updates published per invocation. */
    static final int BATCH = 128;

    @Param({"64", "1024", "16384"})
    public int payloadBytes;

    private MiddlewareRig rig;
    private StareClient publisher;
    private int stateId;
    private byte[] value;
    /** One permit per update the listener has had (or was told it lost). */
    private final Semaphore delivered = new Semaphore(0);
    private final AtomicLong lost = new AtomicLong();

    @Setup(Level.Trial)
    public void start() throws Exception {
        rig = MiddlewareRig.start(false);
        publisher = rig.vnf("jmh-publisher");
        stateId = MiddlewareRig.await(publisher.declare("jmh-state"));
        StareClient subscriber = rig.vnf("jmh-subscriber");
        MiddlewareRig.await(subscriber.subscribe("jmh-state", new StateListener() {
            @Override
            public void onUpdate(int state, long update, byte[] bytes) {
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

    /** The middleware under test (for the tests, which call the benchmark methods directly). */
    MiddlewareRig rig() {
        return rig;
    }

    @TearDown(Level.Trial)
    public void stop() throws Exception {
        System.out.println(rig.statsLine());
        rig.close();
    }

    /** {@value #BATCH} updates published through {@code StareClient.publish}, awaited at the listener. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int viaStareClient(Outcomes outcomes) throws Exception {
        return awaitDeliveries(outcomes,
                outcomes.await(MiddlewareRig.publishThroughClient(publisher, stateId, value, BATCH)));
    }

    /** {@value #BATCH} updates published by {@code Middleware.Publish} asks, awaited at the listener. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int viaMiddleware(Outcomes outcomes) throws Exception {
        return awaitDeliveries(outcomes,
                outcomes.await(rig.publishToMiddleware(publisher.vnfId(), stateId, value, BATCH)));
    }

    private int awaitDeliveries(Outcomes outcomes, int published) throws InterruptedException {
        if (!delivered.tryAcquire(published, MiddlewareRig.TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            throw new IllegalStateException("the subscriber did not get " + published + " updates within "
                    + MiddlewareRig.TIMEOUT);
        }
        outcomes.lost += lost.getAndSet(0);
        return published;
    }
}
