package io.stare.bench.jmh;

import com.typesafe.config.ConfigFactory;
import io.stare.actors.middleware.MiddlewareFrames;
import io.stare.actors.middleware.MiddlewareSettings;
import io.stare.protocol.segment.Segment;
import io.stare.protocol.segment.Segmenter;
import java.util.ArrayList;
import java.util.List;
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
 * The publisher's codec work per update, without actors: what {@code Middleware.onPublish} does
 * between numbering an update and handing frames to MAIN SEND. The update is split by the
 * middleware's {@link Segmenter} at the configured MTU, and every segment becomes a whole Ethernet
 * frame through the middleware's own {@code Frames} (IPv4 + UDP with checksum + STARE header).
 * One operation is one update, however many segments it takes (1, 1 and 12 at MTU 1500).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PublishEncodeBenchmark {

    /** The state and publishing VNF of every frame (values within their fields, otherwise arbitrary). */
    static final int STATE = 4242;
    static final int VNF = 7;

    @Param({"64", "1024", "16384"})
    public int payloadBytes;

    private Segmenter segmenter;
    private MiddlewareFrames frames;
    private byte[] value;
    private long update;

    @Setup
    public void setup() {
        // The middleware's MTU as configured (stare.middleware.mtu), so segment counts match a real run.
        MiddlewareSettings settings = MiddlewareSettings.fromConfig(ConfigFactory.load());
        segmenter = new Segmenter(settings.mtu());
        frames = new MiddlewareFrames(settings.senderId());
        value = Payloads.of(payloadBytes);
        update = 0;
    }

    /** Segments and encodes the next update; the frames are returned so JMH consumes them. */
    @Benchmark
    public List<byte[]> encode() {
        List<Segment> segments = segmenter.split(STATE, VNF, update++, value);
        List<byte[]> encoded = new ArrayList<>(segments.size());
        for (Segment segment : segments) {
            encoded.add(frames.publish(segment));
        }
        return encoded;
    }
}
