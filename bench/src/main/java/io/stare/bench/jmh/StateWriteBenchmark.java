package io.stare.bench.jmh;

import com.typesafe.config.ConfigFactory;
import io.stare.client.StateCodec;
import io.stare.state.CounterMapState;
import io.stare.state.CounterState;
import io.stare.state.StateSettings;
import io.stare.state.StateSpace;
import io.stare.state.store.memory.MemoryStore;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one asynchronous write of the state API costs the packet path (FlexState's async mode): the
 * call that lands in the local cache, with the flusher taking the merged changes to an in-memory
 * store every millisecond on its own thread, as {@code stare bench state} runs it. One operation
 * is one write: a counter's {@code add}, a per-flow countermap's {@code addTo} over 1,024 flows,
 * and the same for a countermap shared with E-State's global view (its writes are also kept for
 * the peers).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class StateWriteBenchmark {

    private static final int FLOWS = 1024;

    private MemoryStore store;
    private StateSpace space;
    private CounterState counter;
    private CounterMapState<String> perFlow;
    private CounterMapState<String> sharedPerFlow;
    private final String[] flows = new String[FLOWS];
    private int next;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        store = new MemoryStore();
        space = StateSpace.over(new StateSettings("bench", "0", io.stare.state.Mode.ASYNC, Duration.ofMillis(1),
                1_000_000, ConfigFactory.empty()), store, System::currentTimeMillis);
        counter = space.partition(0).counter("packets");
        perFlow = space.partition(0).counterMap("matches", StateCodec.utf8());
        sharedPerFlow = space.partition(0).counterMap("shared-matches", StateCodec.utf8());
        space.share(sharedPerFlow);
        for (int i = 0; i < FLOWS; i++) {
            flows[i] = "10.0." + (i >> 8) + "." + (i & 0xFF) + ":443";
        }
        // The first read of each item is the store's; the writes after it are what is measured.
        counter.get().toCompletableFuture().get(10, TimeUnit.SECONDS);
        perFlow.get().toCompletableFuture().get(10, TimeUnit.SECONDS);
        sharedPerFlow.get().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        space.close();
        store.close();
    }

    /** A counter's {@code add(1)}. */
    @Benchmark
    public CompletionStage<Void> counterAdd() {
        return counter.add(1);
    }

    /** A countermap's {@code addTo(flow, 1)}, the flows taken in turn. */
    @Benchmark
    public CompletionStage<Void> counterMapAddTo() {
        return perFlow.addTo(flows[next++ & (FLOWS - 1)], 1);
    }

    /** The same on a countermap shared with the global view. */
    @Benchmark
    public CompletionStage<Void> sharedCounterMapAddTo() {
        return sharedPerFlow.addTo(flows[next++ & (FLOWS - 1)], 1);
    }
}
