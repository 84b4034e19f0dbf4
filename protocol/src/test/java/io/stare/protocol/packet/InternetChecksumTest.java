package io.stare.protocol.packet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The incremental update (RFC 1624) and the wide sum give what a full recompute gives. */
class InternetChecksumTest {

    private static final int IP = Ethernet.HEADER_LENGTH;

    /** A frame whose IPv4 header (20 + 4 * optionWords bytes) is random but valid, with {@code ttl}. */
    private static byte[] frameWithHeader(SplittableRandom random, int optionWords, int ttl) {
        int headerLength = 20 + 4 * optionWords;
        byte[] frame = FrameEdits.randomBytes(IP + headerLength + 8, random);
        frame[IP] = (byte) (0x40 | headerLength / 4);
        frame[IP + 8] = (byte) ttl;
        return FrameEdits.fixIpChecksum(frame);
    }

    /** What FrameRewrite and Ipv4.withTtl do: TTL one lower, checksum zeroed and recomputed. */
    private static byte[] recomputed(byte[] frame) {
        byte[] ip = java.util.Arrays.copyOfRange(frame, IP, frame.length);
        byte[] rewritten = Ipv4.withTtl(ip, (ip[8] & 0xff) - 1);
        byte[] out = frame.clone();
        System.arraycopy(rewritten, 0, out, IP, rewritten.length);
        return out;
    }

    @Property(tries = 300)
    void ttlDecrementEqualsAFullRecomputeForEveryTtl(@ForAll long seed,
                                                     @ForAll @IntRange(min = 0, max = 10) int optionWords) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int ttl = 1; ttl <= 255; ttl++) {
            byte[] frame = frameWithHeader(random, optionWords, ttl);
            ByteBuffer buffer = ByteBuffer.wrap(frame.clone());
            StareFrameFlyweight.decrementTtl(buffer, 0);
            assertArrayEquals(recomputed(frame), buffer.array(), "TTL " + ttl);
        }
    }

    @Test
    void ttlDecrementEqualsAFullRecomputeForEveryTtlAndProtocol() {
        SplittableRandom random = new SplittableRandom(7);
        for (int ttl = 1; ttl <= 255; ttl++) {
            for (int protocol = 0; protocol <= 255; protocol++) {
                byte[] frame = frameWithHeader(random, 0, ttl);
                frame[IP + 9] = (byte) protocol;
                FrameEdits.fixIpChecksum(frame);
                ByteBuffer buffer = ByteBuffer.allocateDirect(frame.length + 3).put(3, frame)
                        .order(ByteOrder.LITTLE_ENDIAN);
                StareFrameFlyweight.decrementTtl(buffer, 3);
                byte[] out = new byte[frame.length];
                buffer.get(3, out);
                assertArrayEquals(recomputed(frame), out, "TTL " + ttl + ", protocol " + protocol);
            }
        }
    }

    @Test
    void ttlDecrementHandlesTheNegativeZeroChecksum() {
        // A header whose checksum field holds 0xffff where a recompute writes 0x0000 still verifies
        // (ones' complement has two zeros); the decremented header must match the recompute anyway.
        SplittableRandom random = new SplittableRandom(3);
        int found = 0;
        for (int ttl = 1; ttl <= 255; ttl++) {
            byte[] frame = frameWithHeader(random, 0, ttl);
            // Choose the identification so that the recomputed checksum is 0.
            frame[IP + 4] = 0;
            frame[IP + 5] = 0;
            FrameEdits.fixIpChecksum(frame);
            int checksum = (frame[IP + 10] & 0xff) << 8 | (frame[IP + 11] & 0xff);
            frame[IP + 4] = (byte) (checksum >>> 8);
            frame[IP + 5] = (byte) checksum;
            FrameEdits.fixIpChecksum(frame);
            if (frame[IP + 10] != 0 || frame[IP + 11] != 0) {
                continue;
            }
            found++;
            frame[IP + 10] = (byte) 0xff;
            frame[IP + 11] = (byte) 0xff;
            assertEquals(0, InternetChecksum.of(ByteBuffer.wrap(frame), IP, 20), "still verifies");
            ByteBuffer buffer = ByteBuffer.wrap(frame.clone());
            StareFrameFlyweight.decrementTtl(buffer, 0);
            assertArrayEquals(recomputed(frame), buffer.array(), "TTL " + ttl);
        }
        assertEquals(255, found);
    }

    @Test
    void ttlZeroIsNotDecremented() {
        byte[] frame = frameWithHeader(new SplittableRandom(1), 0, 0);
        ByteBuffer buffer = ByteBuffer.wrap(frame.clone());
        assertThrows(IllegalStateException.class, () -> StareFrameFlyweight.decrementTtl(buffer, 0));
        assertArrayEquals(frame, buffer.array());
    }

    @Property(tries = 2000)
    void updateEqualsARecomputeForAnyOtherWord(@ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] frame = frameWithHeader(random, random.nextInt(0, 3), random.nextInt(256));
        int headerLength = (frame[IP] & 0x0f) * 4;
        int word = random.nextInt(headerLength / 2);
        if (word == 0 || word == 5) {
            return; // version and IHL (which would change the header's length), and the checksum itself
        }
        int index = IP + 2 * word;
        int oldWord = (frame[index] & 0xff) << 8 | (frame[index + 1] & 0xff);
        int newWord = random.nextInt(0x10000);
        int checksum = (frame[IP + 10] & 0xff) << 8 | (frame[IP + 11] & 0xff);
        frame[index] = (byte) (newWord >>> 8);
        frame[index + 1] = (byte) newWord;
        byte[] expected = FrameEdits.fixIpChecksum(frame.clone());
        int recomputed = (expected[IP + 10] & 0xff) << 8 | (expected[IP + 11] & 0xff);
        // The documented exception is out of reach: a recomputed checksum is never 0xffff, and the
        // first word (0x4n..) keeps the sum non-zero.
        assertEquals(recomputed, InternetChecksum.update(checksum, oldWord, newWord));
    }

    @Property(tries = 2000)
    void wideSumGivesTheSameChecksum(@ForAll @Size(max = 300) byte[] bytes, @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int offset = bytes.length == 0 ? 0 : random.nextInt(bytes.length + 1);
        int length = random.nextInt(bytes.length - offset + 1);
        long start = random.nextLong(0, 1L << 32);
        ByteBuffer big = ByteBuffer.wrap(bytes);
        ByteBuffer little = ByteBuffer.allocateDirect(bytes.length).put(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int expected = InternetChecksum.finish(InternetChecksum.add(start, big, offset, length));
        assertEquals(expected, InternetChecksum.finish(InternetChecksum.addWide(start, big, offset, length)));
        assertEquals(expected, InternetChecksum.finish(InternetChecksum.addWide(start, little, offset, length)));
    }
}
