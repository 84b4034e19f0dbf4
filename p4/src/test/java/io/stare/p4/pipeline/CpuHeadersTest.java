package io.stare.p4.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.stare.protocol.DecodeError;
import io.stare.protocol.DecodeResult;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class CpuHeadersTest {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void packetOutBitLayout() {
        // op 1 | egress_port 0x1ff (9 bits) | pad 0 (7) | count 8 | index 0x01020304
        assertEquals("01" + "ff80" + "08" + "01020304",
                HEX.formatHex(new CpuHeaders.PacketOut(CpuHeaders.Op.READ, 0x1ff, 8, 0x01020304).encode()));
        assertEquals("00" + "0380" + "00" + "00000000", HEX.formatHex(CpuHeaders.PacketOut.forward(7).encode()));
        byte[] message = CpuHeaders.PacketOut.forward(2).encode(new byte[] {9, 8});
        assertEquals("00010000000000000908", HEX.formatHex(message));
        assertEquals(CpuHeaders.PacketOut.forward(2), CpuHeaders.PacketOut.decode(message).orElseThrow());
    }

    @Test
    void packetInBitLayout() {
        // ingress_port 5 (9 bits) | reason 4 (7) | count 0 | index 12345 | value 0x22
        CpuHeaders.PacketIn in = new CpuHeaders.PacketIn(5, CpuHeaders.Reason.STATE_CHANGED, 0, 12345, 0x22);
        assertEquals("02" + "84" + "00" + "00003039" + "00000022", HEX.formatHex(in.encode()));
        CpuHeaders.PacketIn cpu = new CpuHeaders.PacketIn(255, CpuHeaders.Reason.REGISTER_VALUES, 2, 0xfffffffeL,
                0xffffffffL);
        assertEquals("7f" + "85" + "02" + "fffffffe" + "ffffffff", HEX.formatHex(cpu.encode()));
    }

    @Test
    void metadataIdsFollowTheHeaderOrder() {
        assertEquals(List.of(1, 2, 3, 4, 5), Arrays.stream(CpuHeaders.PacketOut.Field.values())
                .map(CpuHeaders.PacketOut.Field::id).toList());
        assertEquals(List.of(8, 9, 7, 8, 32), Arrays.stream(CpuHeaders.PacketOut.Field.values())
                .map(CpuHeaders.PacketOut.Field::bitWidth).toList());
        assertEquals(List.of(1, 2, 3, 4, 5), Arrays.stream(CpuHeaders.PacketIn.Field.values())
                .map(CpuHeaders.PacketIn.Field::id).toList());
        assertEquals(List.of(9, 7, 8, 32, 32), Arrays.stream(CpuHeaders.PacketIn.Field.values())
                .map(CpuHeaders.PacketIn.Field::bitWidth).toList());
        assertEquals(8 * CpuHeaders.PacketOut.LENGTH, Arrays.stream(CpuHeaders.PacketOut.Field.values())
                .mapToInt(CpuHeaders.PacketOut.Field::bitWidth).sum());
        assertEquals(8 * CpuHeaders.PacketIn.LENGTH, Arrays.stream(CpuHeaders.PacketIn.Field.values())
                .mapToInt(CpuHeaders.PacketIn.Field::bitWidth).sum());
        CpuHeaders.PacketIn in = new CpuHeaders.PacketIn(3, CpuHeaders.Reason.SUB_PROPAGATED, 0, 7, 6);
        assertEquals(3, in.get(CpuHeaders.PacketIn.Field.REASON));
        assertEquals(6, in.get(CpuHeaders.PacketIn.Field.VALUE));
        assertEquals(2, new CpuHeaders.PacketOut(CpuHeaders.Op.WRITE, 0, 1, 0).get(CpuHeaders.PacketOut.Field.OP));
    }

    @Test
    void refusesShortHeadersAndUnassignedCodes() {
        assertEquals(DecodeError.Kind.TRUNCATED, CpuHeaders.PacketOut.decode(new byte[7]).errorOrNull().kind());
        assertEquals(DecodeError.Kind.TRUNCATED, CpuHeaders.PacketIn.decode(new byte[10]).errorOrNull().kind());
        assertEquals(DecodeError.Kind.UNKNOWN_KIND,
                CpuHeaders.PacketOut.decode(HEX.parseHex("0400000000000000")).errorOrNull().kind());
        assertEquals(DecodeError.Kind.UNKNOWN_KIND,
                CpuHeaders.PacketIn.decode(HEX.parseHex("0000000000000000000000")).errorOrNull().kind());
        assertEquals(DecodeError.Kind.UNKNOWN_KIND,
                CpuHeaders.PacketIn.decode(HEX.parseHex("0006000000000000000000")).errorOrNull().kind());
        // The pad bits are ignored, as the P4 parser ignores them.
        assertEquals(CpuHeaders.PacketOut.forward(1),
                CpuHeaders.PacketOut.decode(HEX.parseHex("0000ff0000000000")).orElseThrow());
        assertThrows(IllegalArgumentException.class, () -> CpuHeaders.PacketOut.forward(512));
        assertThrows(IllegalArgumentException.class,
                () -> new CpuHeaders.PacketIn(0, CpuHeaders.Reason.SUB_ACK, 256, 0, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new CpuHeaders.PacketIn(0, CpuHeaders.Reason.SUB_ACK, 0, 1L << 32, 0));
    }

    @Provide
    Arbitrary<CpuHeaders.PacketOut> packetOuts() {
        return Combinators.combine(Arbitraries.of(CpuHeaders.Op.class), Arbitraries.integers().between(0, 511),
                Arbitraries.integers().between(0, 255), Arbitraries.longs().between(0, CpuHeaders.MAX_WORD))
                .as(CpuHeaders.PacketOut::new);
    }

    @Provide
    Arbitrary<CpuHeaders.PacketIn> packetIns() {
        return Combinators.combine(Arbitraries.integers().between(0, 511), Arbitraries.of(CpuHeaders.Reason.class),
                Arbitraries.integers().between(0, 255), Arbitraries.longs().between(0, CpuHeaders.MAX_WORD),
                Arbitraries.longs().between(0, CpuHeaders.MAX_WORD))
                .as(CpuHeaders.PacketIn::new);
    }

    @Property
    void packetOutRoundTrips(@ForAll("packetOuts") CpuHeaders.PacketOut header, @ForAll @Size(max = 20) byte[] payload) {
        byte[] message = header.encode(payload);
        assertEquals(header, CpuHeaders.PacketOut.decode(message).orElseThrow());
        assertArrayEquals(payload, CpuHeaders.payloadAfter(message, CpuHeaders.PacketOut.LENGTH));
    }

    @Property
    void packetInRoundTrips(@ForAll("packetIns") CpuHeaders.PacketIn header, @ForAll @Size(max = 20) byte[] payload) {
        byte[] message = new PipelineResult.PacketInMessage(header, payload).toBytes();
        assertEquals(header, CpuHeaders.PacketIn.decode(message).orElseThrow());
        assertArrayEquals(payload, CpuHeaders.payloadAfter(message, CpuHeaders.PacketIn.LENGTH));
    }

    @Property
    void decodingArbitraryBytesNeverThrowsAndReencodesTheSameBits(@ForAll @Size(max = 16) byte[] bytes) {
        DecodeResult<CpuHeaders.PacketIn> in = CpuHeaders.PacketIn.decode(bytes);
        if (in.isOk()) {
            assertArrayEquals(Arrays.copyOf(bytes, CpuHeaders.PacketIn.LENGTH), in.orElseThrow().encode());
        }
        DecodeResult<CpuHeaders.PacketOut> out = CpuHeaders.PacketOut.decode(bytes);
        if (out.isOk()) {
            byte[] expected = Arrays.copyOf(bytes, CpuHeaders.PacketOut.LENGTH);
            expected[2] &= (byte) 0x80; // pad bits come back as zero
            assertArrayEquals(expected, out.orElseThrow().encode());
        }
    }
}
