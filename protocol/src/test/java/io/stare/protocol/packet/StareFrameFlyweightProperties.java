package io.stare.protocol.packet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.protocol.DecodeError;
import io.stare.protocol.DecodeResult;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.address.StareAddress;
import io.stare.protocol.header.StareHeader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.EnumSet;
import java.util.Set;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/**
 * The flyweight decides every frame exactly as the slow path (Ethernet.unwrap, isIpv4,
 * PacketCodec.decode with checksums verified) does, and reads the same fields, wherever the frame
 * lies: at offset 0 of its own array, inside a larger heap or direct buffer, in a little-endian or
 * read-only buffer.
 */
class StareFrameFlyweightProperties {

    /** Where the frame is put for the flyweight. */
    enum Placement {
        HEAP_EXACT, HEAP_INSIDE, DIRECT_INSIDE, LITTLE_ENDIAN_INSIDE, READ_ONLY_DIRECT
    }

    /** What the slow path makes of a frame, exactly as the middleware's Frames.decode does. */
    static DecodeResult<StarePacket> slowDecode(byte[] frame) {
        DecodeResult<Ethernet.Frame> ethernet = Ethernet.unwrap(frame);
        if (!ethernet.isOk()) {
            return DecodeResult.fail(ethernet.errorOrNull());
        }
        if (!ethernet.orElseThrow().isIpv4()) {
            return DecodeResult.fail(DecodeError.Kind.NOT_STARE, "not IPv4");
        }
        return PacketCodec.decode(ethernet.orElseThrow().payload());
    }

    @Property(tries = 3000)
    void agreesWithTheSlowPathOnEveryFrame(@ForAll("packets") StarePacket packet,
                                           @ForAll @LongRange(min = 0, max = Ethernet.MAX_MAC) long sourceMac,
                                           @ForAll FrameEdits.Edit edit,
                                           @ForAll Placement placement,
                                           @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] valid = Ethernet.wrapIpv4Multicast(sourceMac, PacketCodec.encode(packet));
        byte[] frame = FrameEdits.apply(edit, valid, random);
        checkAgainstSlowPath(frame, placement, random);
    }

    @Property(tries = 500)
    void agreesOnRandomBytes(@ForAll @Size(max = 200) byte[] bytes, @ForAll Placement placement, @ForAll long seed) {
        checkAgainstSlowPath(bytes, placement, new SplittableRandom(seed));
    }

    @Example
    void everyVerdictIsReachedByTheEdits() {
        // 22 edits, each drawn 400 times: a verdict the edits aim at and never reach means a
        // generator that stopped testing what it claims to.
        Set<StareFrameFlyweight.Verdict> seen = EnumSet.noneOf(StareFrameFlyweight.Verdict.class);
        SplittableRandom random = new SplittableRandom(42);
        StareFrameFlyweight flyweight = new StareFrameFlyweight();
        for (StarePacket packet : packets().sampleStream().limit(400).toList()) {
            byte[] valid = Ethernet.wrapIpv4Multicast(1, PacketCodec.encode(packet));
            for (FrameEdits.Edit edit : FrameEdits.Edit.values()) {
                byte[] frame = FrameEdits.apply(edit, valid, random);
                seen.add(flyweight.wrap(ByteBuffer.wrap(frame), 0, frame.length).validate());
            }
        }
        assertEquals(EnumSet.allOf(StareFrameFlyweight.Verdict.class), seen);
    }

    @Example
    void wrapRefusesARangeOutsideTheLimit() {
        StareFrameFlyweight flyweight = new StareFrameFlyweight();
        ByteBuffer buffer = ByteBuffer.allocate(100).limit(60);
        assertThrows(IndexOutOfBoundsException.class, () -> flyweight.wrap(buffer, 10, 51));
        assertThrows(IndexOutOfBoundsException.class, () -> flyweight.wrap(buffer, -1, 5));
        assertEquals(StareFrameFlyweight.Verdict.ETHERNET_TRUNCATED, flyweight.wrap(buffer, 60, 0).validate());
    }

    private static void checkAgainstSlowPath(byte[] frame, Placement placement, SplittableRandom random) {
        DecodeResult<StarePacket> slow = slowDecode(frame);
        int before = random.nextInt(0, 64);
        int after = random.nextInt(0, 64);
        ByteBuffer buffer = place(frame, placement, before, after, random);
        byte[] untouched = contents(buffer);
        int position = buffer.position();
        int limit = buffer.limit();
        int offset = placement == Placement.HEAP_EXACT ? 0 : before;

        StareFrameFlyweight flyweight = new StareFrameFlyweight().wrap(buffer, offset, frame.length);
        StareFrameFlyweight.Verdict verdict = flyweight.validate();

        assertEquals(slow.isOk() ? null : slow.errorOrNull().kind(), verdict.errorKind(),
                () -> verdict + " vs " + slow);
        assertEquals(slow.isOk(), verdict.isValid());
        if (slow.isOk()) {
            StarePacket packet = slow.orElseThrow();
            StareHeader header = packet.header();
            assertEquals(header.kind(), flyweight.kind());
            assertEquals(header.kind().code(), flyweight.kindCode());
            assertEquals(header.stateId(), flyweight.stateId());
            assertEquals(header.updateNo(), flyweight.updateNo());
            assertEquals(header.vnfId(), flyweight.vnfId());
            assertEquals(header.totalSegments(), flyweight.totalSegments());
            assertEquals(header.segmentNo(), flyweight.segmentNo());
            assertEquals(packet.ttl(), flyweight.ttl());
            assertEquals(packet.sourceAddress(), flyweight.sourceAddress());
            assertEquals(packet.sourcePort(), flyweight.sourcePort());
            assertEquals(packet.destination().toInt(), flyweight.destinationAddress());
            Ethernet.Frame ethernet = Ethernet.unwrap(frame).orElseThrow();
            assertEquals(ethernet.destination(), flyweight.destinationMac());
            assertEquals(ethernet.source(), flyweight.sourceMac());
            assertEquals(ethernet.etherType(), flyweight.etherType());

            byte[] payload = packet.payload();
            assertEquals(payload.length, flyweight.payloadLength());
            byte[] atOffset = new byte[payload.length];
            buffer.get(flyweight.payloadOffset(), atOffset);
            assertArrayEquals(payload, atOffset);
            byte[] copied = new byte[payload.length + 3];
            assertEquals(payload.length, flyweight.getPayload(copied, 3));
            assertArrayEquals(payload, java.util.Arrays.copyOfRange(copied, 3, copied.length));
            ByteBuffer into = ByteBuffer.allocateDirect(payload.length + 5);
            assertEquals(payload.length, flyweight.getPayload(into, 5));
            byte[] fromDirect = new byte[payload.length];
            into.get(5, fromDirect);
            assertArrayEquals(payload, fromDirect);
            assertEquals(0, into.position());
        } else if (verdict.isOtherIpv4()) {
            assertEquals(DecodeError.Kind.NOT_STARE, verdict.errorKind());
            assertTrue(Ipv4.parse(ByteBuffer.wrap(frame, 14, frame.length - 14).slice()).isOk());
        }
        // Reading never writes or moves anything.
        assertArrayEquals(untouched, contents(buffer));
        assertEquals(position, buffer.position());
        assertEquals(limit, buffer.limit());
    }

    /** The frame inside a buffer of the given kind, with {@code before} and {@code after} bytes of noise around it. */
    static ByteBuffer place(byte[] frame, Placement placement, int before, int after, SplittableRandom random) {
        if (placement == Placement.HEAP_EXACT) {
            return ByteBuffer.wrap(frame.clone());
        }
        byte[] noise = FrameEdits.randomBytes(before + frame.length + after, random);
        System.arraycopy(frame, 0, noise, before, frame.length);
        ByteBuffer buffer = switch (placement) {
            case DIRECT_INSIDE, READ_ONLY_DIRECT -> ByteBuffer.allocateDirect(noise.length).put(noise).clear();
            default -> ByteBuffer.wrap(noise);
        };
        if (placement == Placement.LITTLE_ENDIAN_INSIDE) {
            buffer.order(ByteOrder.LITTLE_ENDIAN);
        }
        // A position and limit of the caller's own that the flyweight must not disturb.
        buffer.position(Math.min(3, buffer.limit()));
        return placement == Placement.READ_ONLY_DIRECT ? buffer.asReadOnlyBuffer() : buffer;
    }

    static byte[] contents(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.limit()];
        buffer.get(0, bytes);
        return bytes;
    }

    @Provide
    Arbitrary<StarePacket> packets() {
        Arbitrary<StareHeader> headers = Arbitraries.integers().between(1, StareHeader.MAX_SEGMENTS).flatMap(total ->
                Combinators.combine(Arbitraries.of(MessageKind.class),
                                Arbitraries.integers().between(0, StareAddress.MAX_STATE_ID),
                                Arbitraries.integers().between(0, StareHeader.MAX_UPDATE_NO),
                                Arbitraries.integers().between(0, StareHeader.MAX_VNF_ID),
                                Arbitraries.integers().between(0, total - 1))
                        .as((kind, state, update, vnf, seg) -> new StareHeader(kind, state, update, vnf, total, seg)));
        return Combinators.combine(Arbitraries.integers(), Arbitraries.integers().between(0, 65535),
                        Arbitraries.integers().between(0, 255), headers,
                        Arbitraries.bytes().array(byte[].class).ofMaxSize(1500))
                .as(StarePacket::new);
    }

    @Example
    void aValidVerdictHasNoErrorKind() {
        assertNull(StareFrameFlyweight.Verdict.VALID.errorKind());
    }
}
