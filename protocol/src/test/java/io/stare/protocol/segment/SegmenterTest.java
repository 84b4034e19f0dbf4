package io.stare.protocol.segment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.protocol.packet.PacketCodec;
import io.stare.protocol.packet.StarePacket;
import java.io.ByteArrayOutputStream;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class SegmenterTest {

    @Test
    void largestUpdateAtTheEthernetMtu() {
        Segmenter segmenter = new Segmenter(1500);
        assertEquals(1464, segmenter.segmentPayload());
        assertEquals(187_392, segmenter.maxUpdateBytes());
        assertEquals(128, segmenter.split(1, 1, 0, new byte[187_392]).size());
        assertEquals(70, segmenter.segmentCount(100 * 1024));
        assertEquals(8_383_872, new Segmenter(65535).maxUpdateBytes());
    }

    @Test
    void refusesAnUpdateThatNeedsMoreThan128Segments() {
        Segmenter segmenter = new Segmenter(1500);
        Segmenter.UpdateTooLargeException e = assertThrows(Segmenter.UpdateTooLargeException.class,
                () -> segmenter.split(1, 1, 0, new byte[187_393]));
        assertEquals(187_392, e.limit());
        assertTrue(e.getMessage().contains("187392"), e.getMessage());
    }

    @Test
    void emptyUpdateIsOneEmptySegment() {
        List<Segment> segments = new Segmenter(1500).split(7, 3, 9, new byte[0]);
        assertEquals(1, segments.size());
        assertEquals(0, segments.get(0).payloadLength());
        assertEquals(1, segments.get(0).totalSegments());
    }

    @Test
    void refusesMtusThatCannotCarryAByte() {
        assertThrows(IllegalArgumentException.class, () -> new Segmenter(36));
        assertThrows(IllegalArgumentException.class, () -> new Segmenter(65536));
    }

    @Property
    void segmentsFitTheMtuAndConcatenateToTheUpdate(@ForAll @IntRange(min = 37, max = 9000) int mtu,
                                                    @ForAll @Size(max = 20_000) byte[] update) {
        Segmenter segmenter = new Segmenter(mtu);
        if (update.length > segmenter.maxUpdateBytes()) {
            assertThrows(Segmenter.UpdateTooLargeException.class, () -> segmenter.split(1, 2, 3, update));
            return;
        }
        List<Segment> segments = segmenter.split(1, 2, 3, update);
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (int i = 0; i < segments.size(); i++) {
            Segment segment = segments.get(i);
            assertEquals(i, segment.segmentNo());
            assertEquals(segments.size(), segment.totalSegments());
            StarePacket packet = new StarePacket(0x7f000001, 1, 64, segment.header(), segment.payload());
            assertTrue(PacketCodec.encode(packet).length <= mtu);
            joined.writeBytes(segment.payload());
        }
        assertArrayEquals(update, joined.toByteArray());
    }
}
