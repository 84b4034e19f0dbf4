package io.stare.protocol.header;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.stare.protocol.DecodeError;
import io.stare.protocol.DecodeResult;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.address.StareAddress;
import java.nio.ByteBuffer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class StareHeaderTest {

    @Test
    void goldenBytes() {
        // Publish of state 12345, update 0x1234, VNF 5, segment 3 of 10.
        StareHeader header = new StareHeader(MessageKind.PUBLISH, 12345, 0x1234, 5, 10, 3);
        // M_K 00 | STATE_ID 12345 = 0x003039; VNF 5 << 14 | (10-1) << 7 | 3 = 0x014483
        assertArrayEquals(new byte[] {0x00, 0x30, 0x39, 0x12, 0x34, 0x01, 0x44, (byte) 0x83}, header.toBytes());

        StareHeader sub = StareHeader.subscription(MessageKind.SUB_REGISTER, 12345, 7, 1023);
        // M_K 11 -> 0xC0 in the first byte, the same 24 bits as the low three address octets.
        assertArrayEquals(new byte[] {(byte) 0xC0, 0x30, 0x39, 0x00, 0x07, (byte) 0xFF, (byte) 0xC0, 0x00},
                sub.toBytes());
        byte[] address = sub.address().toBytes();
        assertArrayEquals(new byte[] {address[1], address[2], address[3]}, java.util.Arrays.copyOf(sub.toBytes(), 3));
    }

    @Test
    void largestFieldValuesRoundTrip() {
        StareHeader max = new StareHeader(MessageKind.SUB_REGISTER, StareAddress.MAX_STATE_ID, 65535,
                StareHeader.MAX_VNF_ID, 128, 127);
        assertArrayEquals(new byte[] {-1, -1, -1, -1, -1, -1, -1, -1}, max.toBytes());
        assertEquals(max, StareHeader.read(max.toBytes()).orElseThrow());
    }

    @Test
    void constructorRefusesOutOfRangeFields() {
        assertThrows(IllegalArgumentException.class, () -> new StareHeader(MessageKind.PUBLISH, 1, 65536, 0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new StareHeader(MessageKind.PUBLISH, 1, 0, 1024, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new StareHeader(MessageKind.PUBLISH, 1, 0, 0, 129, 0));
        assertThrows(IllegalArgumentException.class, () -> new StareHeader(MessageKind.PUBLISH, 1, 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new StareHeader(MessageKind.PUBLISH, 1, 0, 0, 4, 4));
        assertThrows(IllegalArgumentException.class,
                () -> StareHeader.subscription(MessageKind.PUBLISH, 1, 0, 0));
    }

    @Test
    void truncatedAndInconsistentInputAreTypedErrors() {
        assertEquals(DecodeError.Kind.TRUNCATED, StareHeader.read(new byte[7]).errorOrNull().kind());
        assertEquals(DecodeError.Kind.TRUNCATED, StareHeader.read(ByteBuffer.wrap(new byte[8]), 1).errorOrNull().kind());
        // TOT_SEG-1 = 0 (one segment) but SEGM_NO = 5.
        byte[] bad = {0, 0, 1, 0, 0, 0, 0, 5};
        assertEquals(DecodeError.Kind.OUT_OF_RANGE, StareHeader.read(bad).errorOrNull().kind());
    }

    @Property
    void roundTrips(@ForAll("headers") StareHeader header) {
        assertEquals(header, StareHeader.read(header.toBytes()).orElseThrow());
    }

    @Property
    void anyEightBytesDecodeOrFailTyped(@ForAll byte[] bytes) {
        DecodeResult<StareHeader> result = StareHeader.read(bytes);
        if (result.isOk()) {
            assertArrayEquals(java.util.Arrays.copyOf(bytes, 8), result.orElseThrow().toBytes());
        }
    }

    @Provide
    Arbitrary<StareHeader> headers() {
        return Arbitraries.integers().between(1, StareHeader.MAX_SEGMENTS).flatMap(total -> Combinators.combine(
                Arbitraries.of(MessageKind.class),
                Arbitraries.integers().between(0, StareAddress.MAX_STATE_ID),
                Arbitraries.integers().between(0, StareHeader.MAX_UPDATE_NO),
                Arbitraries.integers().between(0, StareHeader.MAX_VNF_ID),
                Arbitraries.integers().between(0, total - 1))
                .as((kind, state, update, vnf, seg) -> new StareHeader(kind, state, update, vnf, total, seg)));
    }
}
