package io.stare.bench.jmh;

import com.typesafe.config.ConfigFactory;
import io.stare.actors.middleware.MiddlewareSettings;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.address.StareAddress;
import io.stare.protocol.frame.ServerFrames;
import io.stare.protocol.packet.StareFrameEncoder;
import io.stare.protocol.packet.StarePacket;
import io.stare.protocol.segment.Segment;
import io.stare.protocol.segment.Segmenter;
import java.nio.ByteBuffer;
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
 * The publisher's codec work per update, without actors, two ways. {@link #encodeInPlace} is what
 * the main path does for each segment it drains from the publish log: {@link StareFrameEncoder}
 * writes the whole Ethernet frame (IPv4 + UDP with checksum + STARE header) straight into the
 * socket's direct buffer. {@link #encode} is the value-object codec the hot path used before (and
 * tools, tests and SUB frames still use): the update split by the {@link Segmenter} into
 * {@link Segment}s, each encoded into a {@code byte[]} by the middleware's own {@code Frames}.
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
    private ServerFrames frames;
    private StareFrameEncoder encoder;
    private ByteBuffer egress;
    private byte[] value;
    private long update;

    @Setup
    public void setup() {
        // The middleware's MTU as configured (stare.middleware.mtu), so segment counts match a real run.
        MiddlewareSettings settings = MiddlewareSettings.fromConfig(ConfigFactory.load());
        segmenter = settings.segmenter();
        frames = new ServerFrames(settings.senderId());
        encoder = new StareFrameEncoder(0x02_00_00_00_00_00L | settings.senderId(), 0x7f000001, StareAddress.UDP_PORT,
                StarePacket.DEFAULT_TTL);
        egress = ByteBuffer.allocateDirect(1 << 20);
        value = Payloads.of(payloadBytes);
        update = 0;
    }

    /**
     * Encodes the next update's segments one after the other into the egress buffer, as the main
     * path does; returns the bytes written, which JMH consumes.
     */
    @Benchmark
    public int encodeInPlace() {
        int segmentPayload = segmenter.segmentPayload();
        int segments = Math.max(1, (value.length + segmentPayload - 1) / segmentPayload);
        int updateNo = (int) (update++ & 0xFFFF);
        int at = 0;
        for (int segment = 0; segment < segments; segment++) {
            int from = segment * segmentPayload;
            at += encoder.encode(egress, at, MessageKind.PUBLISH, STATE, updateNo, VNF, segments, segment, value, from,
                    Math.min(segmentPayload, value.length - from));
        }
        return at;
    }

    /** The buffer {@link #encodeInPlace} writes into (for tests). */
    ByteBuffer egress() {
        return egress;
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
