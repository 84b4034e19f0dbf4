package io.stare.protocol.vnf;

import static io.stare.protocol.vnf.VnfFrameCodecTest.frame;
import static io.stare.protocol.vnf.VnfFrameCodecTest.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.stare.protocol.DecodeError;
import io.stare.protocol.DecodeResult;
import io.stare.protocol.ErrorCode;
import io.stare.protocol.vnf.VnfMessage.Hello;
import io.stare.protocol.vnf.VnfMessage.HelloAck;
import java.util.List;
import org.junit.jupiter.api.Test;

class VnfHandshakeTest {

    private static final long MAX = VnfFrameCodec.DEFAULT_MAX_FRAME_BYTES;

    @Test
    void overlappingRangesPickTheHighestCommonVersion() {
        assertEquals(new HelloAck(2, "mw", MAX), VnfHandshake.answer(new Hello(1, 3, "c"), 1, 2, "mw", MAX));
        assertEquals(new HelloAck(3, "mw", MAX), VnfHandshake.answer(new Hello(2, 5, "c"), 1, 3, "mw", MAX));
        assertEquals(new HelloAck(4, "mw", MAX), VnfHandshake.answer(new Hello(4, 4, "c"), 1, 9, "mw", MAX));
        assertEquals(new HelloAck(1, "mw", MAX), VnfHandshake.answer(new Hello(1, 1, "c"), "mw", MAX));
    }

    @Test
    void disjointRangesAreUnsupportedVersion() {
        for (VnfMessage answer : List.of(
                VnfHandshake.answer(new Hello(2, 3, "c"), 1, 1, "mw", MAX),
                VnfHandshake.answer(new Hello(1, 1, "c"), 2, 4, "mw", MAX),
                VnfHandshake.answer(new Hello(7, 9, "c"), "mw", MAX))) {
            VnfMessage.Error error = (VnfMessage.Error) answer;
            assertEquals(ErrorCode.UNSUPPORTED_VERSION, error.code());
            assertEquals(0, error.requestId());
        }
    }

    @Test
    void invalidServerRangeIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> VnfHandshake.answer(new Hello(1, 1, "c"), 2, 1, "mw", MAX));
        assertThrows(IllegalArgumentException.class, () -> VnfHandshake.answer(new Hello(1, 1, "c"), 0, 1, "mw", MAX));
    }

    @Test
    void badMagicIsMalformedAtDecode() {
        VnfFrameDecoder decoder = new VnfFrameDecoder();
        List<DecodeResult<VnfMessage>> results =
                decoder.feed(frame(0x01, hex("53 54 41 58  00 01  00 01  00 01 63"))); // "STAX"
        assertEquals(1, results.size());
        assertEquals(DecodeError.Kind.MALFORMED, results.get(0).errorOrNull().kind());
        assertFalse(decoder.isBroken());
    }

    @Test
    void helloAckRoundTrips() {
        HelloAck ack = new HelloAck(1, "middleware-1", 0xFFFF_FFFFL);
        assertEquals(List.of(DecodeResult.ok(ack)), new VnfFrameDecoder().feed(VnfFrameCodec.encode(ack)));
    }
}
