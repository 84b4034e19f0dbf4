package io.stare.protocol.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.protocol.DecodeResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class SegmentBlockProperties {

    private static List<Segment> segments(Random random, int count) {
        List<Segment> segments = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int total = 1 + random.nextInt(128);
            byte[] payload = new byte[random.nextInt(100)];
            random.nextBytes(payload);
            segments.add(new Segment(random.nextInt(1 << 22), random.nextInt(1024), Math.abs(random.nextLong()),
                    total, random.nextInt(total), payload));
        }
        return segments;
    }

    @Property(tries = 200)
    void blocksRoundTrip(@ForAll long seed) {
        Random random = new Random(seed);
        List<Segment> segments = segments(random, random.nextInt(50));
        assertEquals(segments, SegmentBlock.decode(SegmentBlock.encode(segments)).orElseThrow());
    }

    @Property(tries = 1000)
    void anyBytesDecodeWholeOrAreRefused(@ForAll @Size(max = 200) byte[] bytes) {
        DecodeResult<List<Segment>> decoded = SegmentBlock.decode(bytes); // never throws
        if (decoded.isOk()) {
            assertTrue(Arrays.equals(bytes, SegmentBlock.encode(decoded.orElseThrow())));
        }
    }

    @Test
    void cutsAndLiesAreRefused() {
        byte[] good = SegmentBlock.encode(segments(new Random(1), 3));
        assertFalse(SegmentBlock.decode(Arrays.copyOf(good, good.length - 1)).isOk(), "cut short");
        assertFalse(SegmentBlock.decode(Arrays.copyOf(good, good.length + 1)).isOk(), "trailing bytes");
        byte[] lyingCount = good.clone();
        lyingCount[3] = 100;
        assertFalse(SegmentBlock.decode(lyingCount).isOk(), "more segments than bytes");
        byte[] badSegment = good.clone();
        badSegment[4 + 4 + 2 + 8 + 1] = (byte) 200; // SEGM_NO beyond TOT_SEG
        assertFalse(SegmentBlock.decode(badSegment).isOk(), "a field out of range");
        assertFalse(SegmentBlock.decode(new byte[3]).isOk());
        assertEquals(List.of(), SegmentBlock.decode(new byte[4]).orElseThrow());
    }
}
