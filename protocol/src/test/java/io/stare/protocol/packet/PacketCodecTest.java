package io.stare.protocol.packet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.protocol.DecodeError;
import io.stare.protocol.DecodeResult;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.address.StareAddress;
import io.stare.protocol.header.StareHeader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class PacketCodecTest {

    private static final int SOURCE = 0x0a000001; // 10.0.0.1, only ever a header value here

    private static StarePacket publish(byte[] payload) {
        return new StarePacket(SOURCE, 40000, 64, new StareHeader(MessageKind.PUBLISH, 12345, 1, 5, 1, 0), payload);
    }

    @Test
    void encodesTheFixedThirtySixByteOverhead() {
        byte[] wire = PacketCodec.encode(publish("hi".getBytes(StandardCharsets.US_ASCII)));
        assertEquals(36 + 2, wire.length);
        String hex = HexFormat.of().formatHex(wire);
        // IPv4: version 4, IHL 5, total length 38, DF, TTL 64, UDP, 10.0.0.1 -> 239.0.48.57
        assertTrue(hex.startsWith("45000026" + "00004000" + "4011"), hex);
        assertEquals("0a000001" + "ef003039", hex.substring(24, 40));
        // UDP: 40000 -> 65432, length 18
        assertEquals("9c40" + "ff98" + "0012", hex.substring(40, 52));
        // STARE header then payload
        assertEquals("003039" + "0001" + "014000" + "6869", hex.substring(56));
        // Both checksums verify: the IPv4 header and the UDP pseudo-header sum to zero.
        ByteBuffer buffer = ByteBuffer.wrap(wire);
        assertEquals(0, InternetChecksum.of(buffer, 0, 20));
        assertEquals(0, Udp.checksum(buffer, 20, 18, SOURCE, new StareAddress(MessageKind.PUBLISH, 12345).toInt()));
    }

    @Test
    void decodesWhatItEncodes() {
        StarePacket packet = publish(new byte[] {1, 2, 3});
        assertEquals(packet, PacketCodec.decode(PacketCodec.encode(packet)).orElseThrow());
    }

    @Test
    void refusesCorruptedChecksums() {
        byte[] wire = PacketCodec.encode(publish(new byte[] {1, 2, 3}));
        byte[] badPayload = wire.clone();
        badPayload[badPayload.length - 1] ^= 0x01;
        assertEquals(DecodeError.Kind.BAD_CHECKSUM, PacketCodec.decode(badPayload).errorOrNull().kind());
        byte[] badIp = wire.clone();
        badIp[8] = 63; // TTL changed without fixing the checksum
        assertEquals(DecodeError.Kind.BAD_CHECKSUM, PacketCodec.decode(badIp).errorOrNull().kind());
        // Captures taken before checksum offload can still be read, deliberately.
        assertEquals(63, PacketCodec.decode(ByteBuffer.wrap(badIp), PacketCodec.ChecksumPolicy.IGNORE)
                .orElseThrow().ttl());
    }

    @Test
    void zeroUdpChecksumMeansNotComputed() {
        byte[] wire = PacketCodec.encode(publish(new byte[] {9}));
        wire[26] = 0;
        wire[27] = 0;
        assertTrue(PacketCodec.decode(wire).isOk());
    }

    @Test
    void ttlRewriteKeepsTheHeaderValid() {
        byte[] wire = PacketCodec.encode(publish(new byte[] {4, 5}));
        byte[] forwarded = Ipv4.withTtl(wire, 63);
        assertEquals(63, PacketCodec.decode(forwarded).orElseThrow().ttl());
    }

    @Test
    void otherTrafficIsNotStare() {
        byte[] wire = PacketCodec.encode(publish(new byte[0]));
        byte[] otherPort = wire.clone();
        otherPort[22] = 0x00;
        otherPort[23] = 0x35; // port 53
        fixUdpChecksum(otherPort);
        assertEquals(DecodeError.Kind.NOT_STARE, PacketCodec.decode(otherPort).errorOrNull().kind());

        byte[] tcp = wire.clone();
        tcp[9] = 6;
        fixIpChecksum(tcp);
        assertEquals(DecodeError.Kind.NOT_STARE, PacketCodec.decode(tcp).errorOrNull().kind());

        byte[] unicast = wire.clone();
        unicast[16] = 10;
        fixIpChecksum(unicast);
        assertEquals(DecodeError.Kind.NOT_STARE, PacketCodec.decode(unicast).errorOrNull().kind());
    }

    @Test
    void headerMustAgreeWithTheAddress() {
        byte[] wire = PacketCodec.encode(publish(new byte[0]));
        wire[28] = (byte) 0xC0; // header says SUB-register, address says Publish
        fixUdpChecksum(wire);
        assertEquals(DecodeError.Kind.MALFORMED, PacketCodec.decode(wire).errorOrNull().kind());
    }

    @Test
    void structuralErrorsAreTyped() {
        byte[] wire = PacketCodec.encode(publish(new byte[] {1, 2, 3, 4}));
        assertEquals(DecodeError.Kind.TRUNCATED, PacketCodec.decode(Arrays.copyOf(wire, 19)).errorOrNull().kind());
        assertEquals(DecodeError.Kind.TRUNCATED,
                PacketCodec.decode(Arrays.copyOf(wire, wire.length - 1)).errorOrNull().kind());

        byte[] ipv6 = wire.clone();
        ipv6[0] = 0x65;
        assertEquals(DecodeError.Kind.MALFORMED, PacketCodec.decode(ipv6).errorOrNull().kind());

        byte[] fragment = wire.clone();
        fragment[6] = 0x20; // more fragments
        fixIpChecksum(fragment);
        assertEquals(DecodeError.Kind.MALFORMED, PacketCodec.decode(fragment).errorOrNull().kind());

        byte[] udpLength = wire.clone();
        udpLength[25] -= 1;
        fixUdpChecksum(udpLength);
        assertEquals(DecodeError.Kind.MALFORMED, PacketCodec.decode(udpLength).errorOrNull().kind());

        // A UDP datagram to port 65432 too short for the STARE header.
        byte[] shortStare = Arrays.copyOf(wire, 32);
        ByteBuffer b = ByteBuffer.wrap(shortStare);
        b.putShort(2, (short) 32);
        b.putShort(24, (short) 12);
        fixIpChecksum(shortStare);
        fixUdpChecksum(shortStare);
        assertEquals(DecodeError.Kind.TRUNCATED, PacketCodec.decode(shortStare).errorOrNull().kind());

        // Ethernet-style padding after the IPv4 total length is ignored.
        byte[] padded = Arrays.copyOf(wire, wire.length + 6);
        assertEquals(4, PacketCodec.decode(padded).orElseThrow().payloadLength());
    }

    @Property
    void roundTripsAnyPacket(@ForAll("packets") StarePacket packet) {
        assertEquals(packet, PacketCodec.decode(PacketCodec.encode(packet)).orElseThrow());
    }

    @Property
    void randomBytesGiveOnlyTypedResults(@ForAll byte[] bytes) {
        DecodeResult<StarePacket> result = PacketCodec.decode(bytes);
        // A random array is almost never a valid packet; what matters is that no exception escapes.
        if (result.isOk()) {
            assertEquals(StareAddress.PROTO_ID, bytes[16] & 0xff);
        }
    }

    @Property
    void everyTruncationIsATypedError(@ForAll("packets") StarePacket packet,
                                      @ForAll @IntRange(min = 0, max = 100_000) int cutSeed) {
        byte[] wire = PacketCodec.encode(packet);
        int cut = cutSeed % wire.length;
        DecodeResult<StarePacket> result = PacketCodec.decode(Arrays.copyOf(wire, cut));
        assertEquals(DecodeError.Kind.TRUNCATED, result.errorOrNull().kind());
    }

    @Property
    void singleBitFlipsNeverDecodeToADifferentPacket(@ForAll("packets") StarePacket packet,
                                                     @ForAll @IntRange(min = 0, max = 1_000_000) int bitSeed) {
        byte[] wire = PacketCodec.encode(packet);
        int bit = bitSeed % (wire.length * 8);
        wire[bit / 8] ^= (byte) (1 << (bit % 8));
        DecodeResult<StarePacket> result = PacketCodec.decode(wire);
        if (result.isOk()) {
            // Only fields the checksums do not cover may change: none carry STARE meaning except TTL.
            StarePacket decoded = result.orElseThrow();
            assertEquals(packet.header(), decoded.header());
            assertArrayEquals(packet.payload(), decoded.payload());
        }
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

    private static void fixIpChecksum(byte[] wire) {
        ByteBuffer buffer = ByteBuffer.wrap(wire);
        buffer.putShort(10, (short) 0);
        buffer.putShort(10, (short) InternetChecksum.of(buffer, 0, 20));
    }

    private static void fixUdpChecksum(byte[] wire) {
        ByteBuffer buffer = ByteBuffer.wrap(wire);
        int udpLength = Math.min(buffer.getShort(24) & 0xffff, wire.length - 20);
        buffer.putShort(26, (short) 0);
        int sum = Udp.checksum(buffer, 20, udpLength, buffer.getInt(12), buffer.getInt(16));
        buffer.putShort(26, (short) (sum == 0 ? 0xffff : sum));
    }
}
