package io.stare.bench.jmh;

import com.typesafe.config.ConfigFactory;
import io.stare.actors.middleware.MiddlewareSettings;
import io.stare.protocol.DecodeResult;
import io.stare.protocol.frame.ServerFrames;
import io.stare.protocol.header.StareHeader;
import io.stare.protocol.packet.StareFrameFlyweight;
import io.stare.protocol.packet.StarePacket;
import io.stare.protocol.segment.Reassembler;
import io.stare.protocol.segment.ReassemblyConfig;
import io.stare.protocol.segment.RecoveryRequest;
import io.stare.protocol.segment.Segment;
import io.stare.protocol.segment.Segmenter;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The subscriber's codec work per update, without actors, two ways. {@link #validateInPlace} is
 * what the main path does with each received frame: {@link StareFrameFlyweight#validate} where the
 * frame lies in the receive buffer (Ethernet, IPv4 and UDP checksums verified, STARE header), then
 * {@link Reassembler#acceptInPlace}, and for a segment of a larger update a copy into
 * {@link Reassembler#accept}. {@link #decodeAndReassemble} is the value-object path it replaced:
 * each frame decoded by the middleware's own {@code Frames.decode} into a {@link StarePacket} and
 * offered to the reassembler. Both use the middleware's configured limits.
 *
 * <p>The frames of {@value #UPDATES} consecutive updates are encoded once in setup; each invocation
 * feeds all of them to a fresh reassembler. Replaying the same frames into one long-lived reassembler
 * would not work: its 16-bit update numbers would be taken as duplicates the second time round. One
 * operation is one update delivered whole.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ReceiveDecodeBenchmark {

    /** Updates per invocation: enough that the fresh reassembler's setup cost is small beside them. */
    static final int UPDATES = 64;

    @Param({"64", "1024", "16384"})
    public int payloadBytes;

    private ReassemblyConfig reassembly;
    private byte[][][] frames;
    private Delivered delivered;
    private ByteBuffer received;
    private int[] offsets;
    private int[] lengths;
    private final StareFrameFlyweight flyweight = new StareFrameFlyweight();

    /** What the reassembler delivered: the receive path's dispatch, reduced to counting. */
    static final class Delivered implements Reassembler.Listener {
        long updates;
        long bytes;
        long lastUpdate = -1;
        byte[] lastValue;

        @Override
        public void onUpdate(int stateId, int vnfId, long update, byte[] value) {
            updates++;
            bytes += value.length;
            lastUpdate = update;
            lastValue = value;
        }

        /** An update delivered from the receive buffer: the caller hands it on without a copy. */
        void inPlace(long update, int length) {
            updates++;
            bytes += length;
            lastUpdate = update;
        }

        @Override
        public void onRecoveryRequest(RecoveryRequest request) {
            throw new IllegalStateException("a recovery was requested with every frame present: " + request);
        }

        @Override
        public void onUnrecoverable(int stateId, int vnfId, long first, long last) {
            throw new IllegalStateException("updates " + first + ".." + last + " reported lost");
        }
    }

    @Setup
    public void setup() {
        MiddlewareSettings settings = MiddlewareSettings.fromConfig(ConfigFactory.load());
        reassembly = settings.reassembly();
        Segmenter segmenter = settings.segmenter();
        ServerFrames encoder = new ServerFrames(settings.senderId());
        byte[] value = Payloads.of(payloadBytes);
        frames = new byte[UPDATES][][];
        for (int update = 0; update < UPDATES; update++) {
            List<Segment> segments = segmenter.split(PublishEncodeBenchmark.STATE, PublishEncodeBenchmark.VNF, update,
                    value);
            frames[update] = new byte[segments.size()][];
            for (int i = 0; i < segments.size(); i++) {
                frames[update][i] = encoder.publish(segments.get(i));
            }
        }
        // The same frames back to back in one direct buffer, as a data path's receive buffer holds them.
        int count = 0;
        int bytes = 0;
        for (byte[][] update : frames) {
            for (byte[] frame : update) {
                count++;
                bytes += frame.length;
            }
        }
        received = ByteBuffer.allocateDirect(bytes);
        offsets = new int[count];
        lengths = new int[count];
        int i = 0;
        for (byte[][] update : frames) {
            for (byte[] frame : update) {
                offsets[i] = received.position();
                lengths[i++] = frame.length;
                received.put(frame);
            }
        }
    }

    /**
     * Validates {@value #UPDATES} updates' frames where they lie and reassembles them (a single-segment
     * update in place, with no copy); returns the listener, which JMH consumes.
     */
    @Benchmark
    @OperationsPerInvocation(UPDATES)
    public Delivered validateInPlace() {
        delivered = new Delivered();
        Reassembler reassembler = new Reassembler(reassembly, delivered);
        reassembler.expect(PublishEncodeBenchmark.STATE, PublishEncodeBenchmark.VNF, 0);
        for (int i = 0; i < offsets.length; i++) {
            if (!flyweight.wrap(received, offsets[i], lengths[i]).validate().isValid()) {
                throw new IllegalStateException("frame " + i + " does not validate");
            }
            long now = System.nanoTime() / 1_000_000;
            long update = reassembler.acceptInPlace(flyweight.stateId(), flyweight.vnfId(), flyweight.updateNo(),
                    flyweight.totalSegments(), now);
            if (update >= 0) {
                delivered.inPlace(update, flyweight.payloadLength());
            } else {
                byte[] payload = new byte[flyweight.payloadLength()];
                flyweight.getPayload(payload, 0);
                reassembler.accept(new StareHeader(flyweight.kind(), flyweight.stateId(), flyweight.updateNo(),
                        flyweight.vnfId(), flyweight.totalSegments(), flyweight.segmentNo()), payload, now);
            }
        }
        return delivered;
    }

    /** Decodes and reassembles {@value #UPDATES} updates; returns the listener, which JMH consumes. */
    @Benchmark
    @OperationsPerInvocation(UPDATES)
    public Delivered decodeAndReassemble() {
        delivered = new Delivered();
        Reassembler reassembler = new Reassembler(reassembly, delivered);
        // As ReceivePath on Activate: the stream starts at the first update of the batch.
        reassembler.expect(PublishEncodeBenchmark.STATE, PublishEncodeBenchmark.VNF, 0);
        for (byte[][] update : frames) {
            for (byte[] frame : update) {
                DecodeResult<StarePacket> decoded = ServerFrames.decode(frame);
                StarePacket packet = decoded.orElseThrow();
                // The receive path reads its clock once per input, so per frame here too.
                reassembler.accept(packet.header(), packet.payload(), System.nanoTime() / 1_000_000);
            }
        }
        return delivered;
    }
}
