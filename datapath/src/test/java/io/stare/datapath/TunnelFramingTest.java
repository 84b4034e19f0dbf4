package io.stare.datapath;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class TunnelFramingTest {

    private static byte[] frame(int length, int fill) {
        byte[] frame = new byte[length];
        Arrays.fill(frame, (byte) fill);
        return frame;
    }

    private static List<byte[]> scan(byte[] datagram, TunnelFraming.Verdict expected) {
        List<byte[]> frames = new ArrayList<>();
        ByteBuffer buffer = ByteBuffer.allocateDirect(datagram.length + 10);
        buffer.put(5, datagram);
        TunnelFraming.Verdict verdict = TunnelFraming.scan(buffer, 5, datagram.length, (offset, length) -> {
            byte[] copy = new byte[length];
            buffer.get(offset, copy);
            frames.add(copy);
        });
        assertEquals(expected, verdict);
        return frames;
    }

    @Test
    void aDatagramWithoutTheMagicIsOneRawFrame() {
        byte[] raw = frame(60, 7);
        List<byte[]> frames = scan(raw, TunnelFraming.Verdict.RAW);
        assertEquals(1, frames.size());
        assertArrayEquals(raw, frames.get(0));
    }

    @Test
    void aBatchGivesItsFramesInOrder() {
        byte[] a = frame(14, 1);
        byte[] b = frame(1500, 2);
        byte[] c = frame(64, 3);
        List<byte[]> frames = scan(TunnelFraming.batch(a, b, c), TunnelFraming.Verdict.BATCH);
        assertEquals(3, frames.size());
        assertArrayEquals(a, frames.get(0));
        assertArrayEquals(b, frames.get(1));
        assertArrayEquals(c, frames.get(2));
    }

    @Test
    void lengthsThatDoNotAddUpMakeTheWholeDatagramMalformed() {
        byte[] good = TunnelFraming.batch(frame(20, 1), frame(20, 2));
        assertTrue(scan(Arrays.copyOf(good, good.length - 1), TunnelFraming.Verdict.MALFORMED).isEmpty());
        assertTrue(scan(Arrays.copyOf(good, good.length + 1), TunnelFraming.Verdict.MALFORMED).isEmpty());
        byte[] tooShort = ByteBuffer.allocate(4 + 2 + 10).putInt(TunnelFraming.MAGIC).putShort((short) 10).array();
        assertTrue(scan(tooShort, TunnelFraming.Verdict.MALFORMED).isEmpty());
        assertTrue(scan(ByteBuffer.allocate(4).putInt(TunnelFraming.MAGIC).array(), TunnelFraming.Verdict.MALFORMED)
                .isEmpty());
    }

    @Test
    void framesOutsideTheFormatAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> TunnelFraming.batch(new byte[13]));
        assertThrows(IllegalArgumentException.class, () -> TunnelFraming.batch(new byte[70_000]));
    }

    @Property(tries = 2000)
    void anyBytesEitherScanWholeOrNotAtAll(@ForAll @Size(max = 300) byte[] bytes) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        int[] covered = {0};
        int[] count = {0};
        TunnelFraming.Verdict verdict = TunnelFraming.scan(buffer, 0, bytes.length, (offset, length) -> {
            assertTrue(offset >= 0 && length >= 0 && offset + length <= bytes.length);
            covered[0] += length;
            count[0]++;
        });
        switch (verdict) {
            case RAW -> assertEquals(bytes.length, covered[0]);
            case BATCH -> assertEquals(bytes.length, TunnelFraming.MAGIC_LENGTH + covered[0]
                    + count[0] * TunnelFraming.LENGTH_PREFIX);
            case MALFORMED -> assertEquals(0, count[0]);
        }
    }

    @Property(tries = 300)
    void batchesRoundTrip(@ForAll @Size(min = 1, max = 20) List<@Size(min = 14, max = 200) byte[]> frames) {
        List<byte[]> back = scan(TunnelFraming.batch(frames.toArray(byte[][]::new)), TunnelFraming.Verdict.BATCH);
        assertEquals(frames.size(), back.size());
        for (int i = 0; i < frames.size(); i++) {
            assertArrayEquals(frames.get(i), back.get(i));
        }
    }
}
