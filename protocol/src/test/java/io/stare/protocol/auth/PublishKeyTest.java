package io.stare.protocol.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PublishKeyTest {

    private final PublishKey key = new PublishKey(0x1234_5678_9abc_def0L, 0x0fed_cba9_8765_4321L);
    private final ByteBuffer payload = ByteBuffer.wrap("price=42;volume=7".getBytes());

    private long tag(PublishKey k, long update, int state, int vnf, int total, int segment, int length) {
        return k.tag(update, state, vnf, total, segment, payload, 0, length);
    }

    @Test
    void aTagVerifiesOnlyTheSegmentItWasMadeFor() {
        int length = payload.limit();
        long genuine = tag(key, 70_000, 5, 3, 2, 1, length);
        assertTrue(key.verifies(genuine, 70_000, 5, 3, 2, 1, payload, 0, length));
        // Every field and every byte takes part: changing any one yields another tag.
        Set<Long> tags = new HashSet<>();
        tags.add(genuine);
        tags.add(tag(key, 70_000 - 65_536, 5, 3, 2, 1, length)); // the same wire number, one wrap earlier
        tags.add(tag(key, 70_001, 5, 3, 2, 1, length));
        tags.add(tag(key, 70_000, 6, 3, 2, 1, length));
        tags.add(tag(key, 70_000, 5, 4, 2, 1, length));
        tags.add(tag(key, 70_000, 5, 3, 3, 1, length));
        tags.add(tag(key, 70_000, 5, 3, 2, 0, length));
        tags.add(tag(key, 70_000, 5, 3, 2, 1, length - 1));
        tags.add(tag(new PublishKey(key.k0(), key.k1() + 1), 70_000, 5, 3, 2, 1, length));
        assertEquals(9, tags.size());
        byte[] altered = payload.array().clone();
        altered[3] ^= 1;
        assertFalse(key.verifies(genuine, 70_000, 5, 3, 2, 1, ByteBuffer.wrap(altered), 0, length));
    }

    @Test
    void randomKeysDifferAndNeverPrintThemselves() {
        PublishKey a = PublishKey.random();
        PublishKey b = PublishKey.random();
        assertNotEquals(a, b);
        assertFalse(a.toString().contains(Long.toString(a.k0())));
        assertFalse(a.toString().contains(Long.toHexString(a.k0())));
    }
}
