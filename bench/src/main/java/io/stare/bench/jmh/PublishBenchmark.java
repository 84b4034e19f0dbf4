package io.stare.bench.jmh;

import io.stare.client.StareClient;
import java.util.concurrent.TimeUnit;
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
 * The publish call through a real middleware actor ({@link MiddlewareRig}): completed publishes per
 * second. Each invocation issues {@value #BATCH} publishes of one declared state at once and waits
 * for all their results, so the middleware always has work queued and the score is its sustained
 * rate, not one round trip's latency. The controller says another server subscribes, so every
 * update is segmented, encoded and sent on the UDP socket, and appended to the (stub) backlog.
 *
 * <ul>
 *   <li>{@code stareClient}: the VNF's API, {@code StareClient.publish}: {@code tryPublish} on the
 *       caller's thread (numbered, segmented and copied into the publish log; the main path sends it
 *       on its own thread), wrapped in an already completed {@code CompletionStage}.</li>
 *   <li>{@code middleware}: {@code Middleware.Publish} asked of the EXT module with all {@value #BATCH}
 *       in flight, which makes the same call on the actor's thread: the difference to
 *       {@code stareClient} is the cost of an ask per publish, which the hot path no longer pays.</li>
 * </ul>
 * {@value #BATCH} stays far below the INT outbound queue (4096 by default), so no publish is refused
 * for a full queue; see {@link Outcomes} for refusals and the middleware's counters printed at the end.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PublishBenchmark {

    /** Publishes in flight per invocation. */
    static final int BATCH = 128;

    @Param({"64", "1024", "16384"})
    public int payloadBytes;

    private MiddlewareRig rig;
    private StareClient publisher;
    private int stateId;
    private byte[] value;

    @Setup(Level.Trial)
    public void start() throws Exception {
        rig = MiddlewareRig.start(true);
        publisher = rig.vnf("jmh-publisher");
        stateId = MiddlewareRig.await(publisher.declare("jmh-state"));
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

    /** {@value #BATCH} publishes through {@code StareClient.publish}; returns how many were published. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int stareClient(Outcomes outcomes) throws Exception {
        return outcomes.await(MiddlewareRig.publishThroughClient(publisher, stateId, value, BATCH));
    }

    /** {@value #BATCH} {@code Middleware.Publish} asks straight to the EXT module. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int middleware(Outcomes outcomes) throws Exception {
        return outcomes.await(rig.publishToMiddleware(publisher.vnfId(), stateId, value, BATCH));
    }
}
