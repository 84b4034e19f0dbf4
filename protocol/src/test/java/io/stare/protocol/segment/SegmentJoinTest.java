package io.stare.protocol.segment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/** One update's value from its segments, only when they are exactly its segments. */
class SegmentJoinTest {

    private static Segment piece(long update, int no, int of, int... bytes) {
        byte[] payload = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            payload[i] = (byte) bytes[i];
        }
        return new Segment(1, 2, update, of, no, payload);
    }

    @Test
    void segmentsInAnyOrderJoinInSegmentOrder() {
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, Segment.join(List.of(piece(7, 2, 3, 5), piece(7, 0, 3, 1, 2),
                piece(7, 1, 3, 3, 4))));
        assertArrayEquals(new byte[] {9}, Segment.join(List.of(piece(7, 0, 1, 9))));
    }

    @Test
    void anythingButExactlyTheUpdatesSegmentsJoinsToNothing() {
        assertNull(Segment.join(null));
        assertNull(Segment.join(List.of()));
        assertNull(Segment.join(List.of(piece(7, 0, 2, 1))), "one missing");
        assertNull(Segment.join(List.of(piece(7, 0, 2, 1), piece(7, 0, 2, 1))), "one twice, one missing");
        assertNull(Segment.join(List.of(piece(7, 0, 2, 1), piece(8, 1, 2, 1))), "of two updates");
        assertNull(Segment.join(List.of(piece(7, 0, 2, 1), piece(7, 1, 3, 1))), "disagreeing counts");
    }
}
