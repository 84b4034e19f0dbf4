package io.stare.bench.jmh;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.stare.protocol.frame.ServerFrames;
import io.stare.protocol.packet.StarePacket;
import io.stare.protocol.segment.Reassembler;
import io.stare.protocol.segment.ReassemblyConfig;
import io.stare.protocol.segment.RecoveryRequest;
import java.io.ByteArrayOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The codec benchmarks' methods, called directly (not through JMH), do the work they claim: the
 * frames one encode invocation produces decode back into the update, and one decode invocation
 * delivers all its updates whole.
 */
class CodecBenchmarksTest {

    @ParameterizedTest
    @ValueSource(ints = {64, 1024, 16384})
    void encodedFramesDecodeAndReassembleIntoTheUpdate(int size) {
        PublishEncodeBenchmark benchmark = new PublishEncodeBenchmark();
        benchmark.payloadBytes = size;
        benchmark.setup();
        benchmark.encode(); // update 0
        List<byte[]> frames = benchmark.encode(); // update 1
        assertEquals(size <= 1464 ? 1 : 12, frames.size(), "segments at MTU 1500");

        ByteArrayOutputStream value = new ByteArrayOutputStream();
        long[] delivered = {-1};
        Reassembler reassembler = new Reassembler(ReassemblyConfig.defaults(), new Reassembler.Listener() {
            @Override
            public void onUpdate(int stateId, int vnfId, long update, byte[] bytes) {
                assertEquals(PublishEncodeBenchmark.STATE, stateId);
                assertEquals(PublishEncodeBenchmark.VNF, vnfId);
                delivered[0] = update;
                value.writeBytes(bytes);
            }

            @Override
            public void onRecoveryRequest(RecoveryRequest request) {
            }

            @Override
            public void onUnrecoverable(int stateId, int vnfId, long first, long last) {
            }
        });
        reassembler.expect(PublishEncodeBenchmark.STATE, PublishEncodeBenchmark.VNF, 1);
        for (byte[] frame : frames) {
            StarePacket packet = ServerFrames.decode(frame).orElseThrow();
            reassembler.accept(packet.header(), packet.payload(), 0);
        }
        assertEquals(1, delivered[0]);
        assertArrayEquals(Payloads.of(size), value.toByteArray());
    }

    @ParameterizedTest
    @ValueSource(ints = {64, 1024, 16384})
    void theInPlaceEncoderWritesTheSameFramesAsTheValueCodec(int size) {
        PublishEncodeBenchmark values = new PublishEncodeBenchmark();
        PublishEncodeBenchmark inPlace = new PublishEncodeBenchmark();
        values.payloadBytes = size;
        inPlace.payloadBytes = size;
        values.setup();
        inPlace.setup();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        values.encode().forEach(expected::writeBytes); // update 0, both
        int written = inPlace.encodeInPlace();
        byte[] actual = new byte[written];
        inPlace.egress().get(0, actual);
        assertArrayEquals(expected.toByteArray(), actual);
    }

    @ParameterizedTest
    @ValueSource(ints = {64, 1024, 16384})
    void oneInPlaceInvocationDeliversEveryUpdate(int size) {
        ReceiveDecodeBenchmark benchmark = new ReceiveDecodeBenchmark();
        benchmark.payloadBytes = size;
        benchmark.setup();
        for (int round = 0; round < 2; round++) {
            ReceiveDecodeBenchmark.Delivered delivered = benchmark.validateInPlace();
            assertEquals(ReceiveDecodeBenchmark.UPDATES, delivered.updates);
            assertEquals((long) ReceiveDecodeBenchmark.UPDATES * size, delivered.bytes);
            assertEquals(ReceiveDecodeBenchmark.UPDATES - 1, delivered.lastUpdate);
        }
    }

    @Test
    void oneDecodeInvocationDeliversEveryUpdateWhole() {
        ReceiveDecodeBenchmark benchmark = new ReceiveDecodeBenchmark();
        benchmark.payloadBytes = 16384;
        benchmark.setup();
        for (int round = 0; round < 2; round++) { // a second invocation starts afresh
            ReceiveDecodeBenchmark.Delivered delivered = benchmark.decodeAndReassemble();
            assertEquals(ReceiveDecodeBenchmark.UPDATES, delivered.updates);
            assertEquals((long) ReceiveDecodeBenchmark.UPDATES * 16384, delivered.bytes);
            assertEquals(ReceiveDecodeBenchmark.UPDATES - 1, delivered.lastUpdate);
            assertArrayEquals(Payloads.of(16384), delivered.lastValue);
        }
    }
}
