package io.stare.bench.jmh;

import com.typesafe.config.ConfigFactory;
import io.stare.actors.middleware.MiddlewareSettings;
import io.stare.protocol.auth.PublishKey;
import io.stare.protocol.segment.Segmenter;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What authenticating an update costs each end: the SipHash-2-4 tag ({@link PublishKey#tag}) of
 * every one of its segments, over the segment's header fields and payload in a direct buffer, as the
 * publisher's middleware writes them and the subscriber's verifies them. One operation is one update
 * (1, 1 and 12 segments of at most 1,448 bytes at MTU 1500, as the other benchmarks split them).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PublishTagBenchmark {

    @Param({"64", "1024", "16384"})
    public int payloadBytes;

    private final PublishKey key = PublishKey.random();
    private ByteBuffer value;
    private int segmentPayload;
    private int segments;
    private long update;

    @Setup
    public void setup() {
        Segmenter segmenter = MiddlewareSettings.fromConfig(ConfigFactory.load()).segmenter();
        segmentPayload = segmenter.segmentPayload();
        segments = segmenter.segmentCount(payloadBytes);
        value = ByteBuffer.allocateDirect(payloadBytes);
        value.put(0, Payloads.of(payloadBytes));
    }

    /** The tags of one update's segments; the update number changes so nothing is hoisted out of the loop. */
    @Benchmark
    public long tagUpdate() {
        long tags = 0;
        long u = update++;
        for (int i = 0; i < segments; i++) {
            int from = i * segmentPayload;
            tags ^= key.tag(u, PublishEncodeBenchmark.STATE, PublishEncodeBenchmark.VNF, segments, i, value, from,
                    Math.min(segmentPayload, payloadBytes - from));
        }
        return tags;
    }
}
