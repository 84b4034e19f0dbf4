package io.stare.protocol.packet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.stare.protocol.address.MessageKind;
import io.stare.protocol.address.StareAddress;
import io.stare.protocol.auth.PublishKey;
import io.stare.protocol.header.StareHeader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ReadOnlyBufferException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** The encoder writes byte for byte what Ethernet.wrapIpv4Multicast(PacketCodec.encode(...)) builds. */
class StareFrameEncoderTest {

    private static final long MAC = 0x020000000007L;
    private static final int LOOPBACK = 0x7f000001;

    /** Where the payload comes from. */
    enum Source {
        ARRAY, HEAP_BUFFER, DIRECT_BUFFER, LITTLE_ENDIAN_BUFFER
    }

    /** Where the frame goes. */
    enum Target {
        HEAP, DIRECT, LITTLE_ENDIAN_DIRECT
    }

    private static byte[] slow(long mac, int source, int port, int ttl, StareHeader header, byte[] payload) {
        return Ethernet.wrapIpv4Multicast(mac, PacketCodec.encode(new StarePacket(source, port, ttl, header, payload)));
    }

    @Property(tries = 1000)
    void writesWhatTheSlowEncoderBuilds(@ForAll @LongRange(min = 0, max = Ethernet.MAX_MAC) long mac,
                                        @ForAll int sourceAddress,
                                        @ForAll @IntRange(min = 0, max = 65535) int sourcePort,
                                        @ForAll @IntRange(min = 0, max = 255) int ttl,
                                        @ForAll("headers") StareHeader header,
                                        @ForAll @IntRange(min = 0, max = 3000) int payloadLength,
                                        @ForAll Source source, @ForAll Target target, @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] payload = FrameEdits.randomBytes(payloadLength, random);
        byte[] expected = slow(mac, sourceAddress, sourcePort, ttl, header, payload);

        int offset = random.nextInt(0, 50);
        int slack = random.nextInt(0, 50);
        byte[] noise = FrameEdits.randomBytes(offset + expected.length + slack, random);
        ByteBuffer buffer = target == Target.HEAP ? ByteBuffer.wrap(noise.clone())
                : ByteBuffer.allocateDirect(noise.length).put(noise).clear();
        if (target == Target.LITTLE_ENDIAN_DIRECT) {
            buffer.order(ByteOrder.LITTLE_ENDIAN);
        }
        buffer.position(1);

        StareFrameEncoder encoder = new StareFrameEncoder(mac, sourceAddress, sourcePort, ttl);
        int payloadOffset = random.nextInt(0, 20);
        byte[] around = FrameEdits.randomBytes(payloadOffset + payloadLength + 7, random);
        System.arraycopy(payload, 0, around, payloadOffset, payloadLength);
        int written = switch (source) {
            case ARRAY -> encode(encoder, buffer, offset, header, around, payloadOffset, payloadLength);
            case HEAP_BUFFER -> encode(encoder, buffer, offset, header, ByteBuffer.wrap(around), payloadOffset,
                    payloadLength);
            case DIRECT_BUFFER -> encode(encoder, buffer, offset, header,
                    ByteBuffer.allocateDirect(around.length).put(around).position(2), payloadOffset, payloadLength);
            case LITTLE_ENDIAN_BUFFER -> encode(encoder, buffer, offset, header,
                    ByteBuffer.wrap(around).order(ByteOrder.LITTLE_ENDIAN), payloadOffset, payloadLength);
        };

        assertEquals(expected.length, written);
        assertEquals(StareFrameEncoder.frameLength(payloadLength), written);
        byte[] out = StareFrameFlyweightProperties.contents(buffer);
        assertArrayEquals(expected, Arrays.copyOfRange(out, offset, offset + written));
        // Nothing outside the frame is touched, and the buffer's position stays.
        assertArrayEquals(Arrays.copyOf(noise, offset), Arrays.copyOf(out, offset));
        assertArrayEquals(Arrays.copyOfRange(noise, offset + written, noise.length),
                Arrays.copyOfRange(out, offset + written, out.length));
        assertEquals(1, buffer.position());
        assertEquals(noise.length, buffer.limit());
    }

    @Property(tries = 200)
    void writesSubscriptionsAsTheMiddlewareBuildsThem(@ForAll("subscriptionKinds") MessageKind kind,
                                                      @ForAll @IntRange(min = 0, max = StareAddress.MAX_STATE_ID) int state,
                                                      @ForAll @IntRange(min = 0, max = 65535) int sequence,
                                                      @ForAll @IntRange(min = 0, max = StareHeader.MAX_VNF_ID) int sender) {
        byte[] expected = slow(MAC, LOOPBACK, StareAddress.UDP_PORT, StarePacket.DEFAULT_TTL,
                StareHeader.subscription(kind, state, sequence, sender), new byte[0]);
        ByteBuffer buffer = ByteBuffer.allocate(80);
        int written = new StareFrameEncoder(MAC, LOOPBACK, StareAddress.UDP_PORT, StarePacket.DEFAULT_TTL)
                .encodeSubscription(buffer, 10, kind, state, sequence, sender);
        assertEquals(StareFrameFlyweight.HEADER_LENGTH, written);
        assertArrayEquals(expected, Arrays.copyOfRange(buffer.array(), 10, 10 + written));
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<MessageKind> subscriptionKinds() {
        return net.jqwik.api.Arbitraries.of(MessageKind.SUB_ACK, MessageKind.SUB_REMOVE, MessageKind.SUB_REGISTER);
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<StareHeader> headers() {
        return new StareFrameFlyweightProperties().packets().map(StarePacket::header);
    }

    @Test
    void writesTheDocumentedLayout() {
        StareHeader header = new StareHeader(MessageKind.PUBLISH, 12345, 1, 5, 1, 0);
        ByteBuffer buffer = ByteBuffer.allocate(StareFrameEncoder.frameLength(2));
        new StareFrameEncoder(MAC, 0x0a000001, 40000, 64).encode(buffer, 0, MessageKind.PUBLISH, 12345, 1, 5, 1, 0,
                new byte[] {'h', 'i'}, 0, 2);
        String hex = HexFormat.of().formatHex(buffer.array());
        // 239.0.48.57's multicast MAC, the source MAC, IPv4; then IPv4, UDP, STARE, payload as PacketCodecTest reads them.
        assertEquals("01005e003039" + "020000000007" + "0800", hex.substring(0, 28));
        assertEquals("45000026" + "00004000" + "4011", hex.substring(28, 48));
        assertEquals("9c40" + "ff98" + "0012", hex.substring(68, 80));
        assertEquals("003039" + "0001" + "014000" + "6869", hex.substring(84));
        assertArrayEquals(slow(MAC, 0x0a000001, 40000, 64, header, new byte[] {'h', 'i'}), buffer.array());
    }

    /** A tagged Publish is the untagged frame of payload + tag: the tag (big-endian) ends the UDP payload. */
    @Test
    void appendsTheTagOfTheFullUpdateNumber() {
        PublishKey key = new PublishKey(11, 22);
        byte[] payload = "segment".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        long update = 3 * 65_536L + 9;
        StareFrameEncoder encoder = new StareFrameEncoder(MAC, LOOPBACK, 40000, 64);
        ByteBuffer tagged = ByteBuffer.allocate(StareFrameEncoder.frameLength(payload.length + PublishKey.TAG_LENGTH));
        int length = encoder.encodePublish(tagged, 0, 77, update, 5, 2, 1, ByteBuffer.wrap(payload), 0,
                payload.length, key);
        assertEquals(tagged.capacity(), length);
        byte[] withTag = Arrays.copyOf(payload, payload.length + PublishKey.TAG_LENGTH);
        ByteBuffer.wrap(withTag).putLong(payload.length,
                key.tag(update, 77, 5, 2, 1, ByteBuffer.wrap(payload), 0, payload.length));
        StareHeader header = new StareHeader(MessageKind.PUBLISH, 77, 9, 5, 2, 1);
        assertArrayEquals(slow(MAC, LOOPBACK, 40000, 64, header, withTag), tagged.array());

        ByteBuffer untagged = ByteBuffer.allocate(StareFrameEncoder.frameLength(payload.length));
        encoder.encodePublish(untagged, 0, 77, update, 5, 2, 1, ByteBuffer.wrap(payload), 0, payload.length, null);
        assertArrayEquals(slow(MAC, LOOPBACK, 40000, 64, header, payload), untagged.array());
    }

    @Test
    void sendsAComputedZeroUdpChecksumAsAllOnes() {
        // A two-byte payload equal to the checksum without it brings the sum to 0xffff: checksum 0.
        StareHeader header = new StareHeader(MessageKind.PUBLISH, 77, 3, 9, 1, 0);
        byte[] zero = slow(MAC, LOOPBACK, 40000, 64, header, new byte[2]);
        int udpChecksum = (zero[40] & 0xff) << 8 | (zero[41] & 0xff);
        byte[] payload = {(byte) (udpChecksum >>> 8), (byte) udpChecksum};
        byte[] expected = slow(MAC, LOOPBACK, 40000, 64, header, payload);
        assertEquals(0xffff, (expected[40] & 0xff) << 8 | (expected[41] & 0xff));

        ByteBuffer buffer = ByteBuffer.allocate(expected.length);
        new StareFrameEncoder(MAC, LOOPBACK, 40000, 64).encode(buffer, 0, MessageKind.PUBLISH, 77, 3, 9, 1, 0,
                payload, 0, 2);
        assertArrayEquals(expected, buffer.array());
    }

    @Test
    void writesTheLargestPayload() {
        byte[] payload = FrameEdits.randomBytes(StarePacket.MAX_PAYLOAD, new SplittableRandom(1));
        StareHeader header = new StareHeader(MessageKind.PUBLISH, StareAddress.MAX_STATE_ID, 65535, 1023, 128, 127);
        byte[] expected = slow(MAC, LOOPBACK, 1, 255, header, payload);
        ByteBuffer buffer = ByteBuffer.allocateDirect(expected.length);
        new StareFrameEncoder(MAC, LOOPBACK, 1, 255).encode(buffer, 0, MessageKind.PUBLISH,
                StareAddress.MAX_STATE_ID, 65535, 1023, 128, 127, ByteBuffer.wrap(payload), 0, payload.length);
        assertArrayEquals(expected, StareFrameFlyweightProperties.contents(buffer));
    }

    @Test
    void refusesBadArgumentsBeforeWritingAnything() {
        StareFrameEncoder encoder = new StareFrameEncoder(MAC, LOOPBACK, 40000, 64);
        ByteBuffer buffer = ByteBuffer.allocate(100);
        byte[] payload = new byte[10];
        assertThrows(IllegalArgumentException.class, () -> encoder.encode(buffer, 0, MessageKind.PUBLISH,
                StareAddress.MAX_STATE_ID + 1, 0, 0, 1, 0, payload, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> encoder.encode(buffer, 0, MessageKind.PUBLISH,
                1, 65536, 0, 1, 0, payload, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> encoder.encode(buffer, 0, MessageKind.PUBLISH,
                1, 0, 1024, 1, 0, payload, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> encoder.encode(buffer, 0, MessageKind.PUBLISH,
                1, 0, 0, 2, 2, payload, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> encoder.encode(buffer, 0, null,
                1, 0, 0, 1, 0, payload, 0, 10));
        assertThrows(IllegalArgumentException.class, () -> encoder.encodeSubscription(buffer, 0, MessageKind.PUBLISH,
                1, 0, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> encoder.encode(buffer, 0, MessageKind.PUBLISH,
                1, 0, 0, 1, 0, payload, 5, 10));
        assertThrows(IndexOutOfBoundsException.class, () -> encoder.encode(buffer, 41, MessageKind.PUBLISH,
                1, 0, 0, 1, 0, payload, 0, 10));
        assertThrows(IndexOutOfBoundsException.class, () -> encoder.encode(buffer.limit(59), 0, MessageKind.PUBLISH,
                1, 0, 0, 1, 0, payload, 0, 10));
        assertThrows(ReadOnlyBufferException.class, () -> encoder.encode(ByteBuffer.allocate(100).asReadOnlyBuffer(),
                0, MessageKind.PUBLISH, 1, 0, 0, 1, 0, payload, 0, 10));
        assertArrayEquals(new byte[100], buffer.array());
        assertEquals(60, encoder.encode(buffer.limit(60), 0, MessageKind.PUBLISH, 1, 0, 0, 1, 0, payload, 0, 10));

        assertThrows(IllegalArgumentException.class, () -> new StareFrameEncoder(1L << 48, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new StareFrameEncoder(0, 0, 65536, 0));
        assertThrows(IllegalArgumentException.class, () -> new StareFrameEncoder(0, 0, 0, 256));
    }

    private static int encode(StareFrameEncoder encoder, ByteBuffer buffer, int offset, StareHeader h, byte[] payload,
                              int payloadOffset, int payloadLength) {
        return encoder.encode(buffer, offset, h.kind(), h.stateId(), h.updateNo(), h.vnfId(), h.totalSegments(),
                h.segmentNo(), payload, payloadOffset, payloadLength);
    }

    private static int encode(StareFrameEncoder encoder, ByteBuffer buffer, int offset, StareHeader h,
                              ByteBuffer payload, int payloadOffset, int payloadLength) {
        return encoder.encode(buffer, offset, h.kind(), h.stateId(), h.updateNo(), h.vnfId(), h.totalSegments(),
                h.segmentNo(), payload, payloadOffset, payloadLength);
    }
}
