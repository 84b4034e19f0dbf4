package io.stare.protocol.packet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.protocol.DecodeError;
import io.stare.protocol.DecodeResult;
import io.stare.protocol.address.MessageKind;
import io.stare.protocol.header.StareHeader;
import java.util.Arrays;
import java.util.HexFormat;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class EthernetTest {

    private static final long HOST_MAC = 0x020000000001L;

    private static byte[] subRegister() {
        return PacketCodec.encode(new StarePacket(0x0a000001, 65432, 64,
                StareHeader.subscription(MessageKind.SUB_REGISTER, 12345, 7, 3), new byte[0]));
    }

    @Test
    void framesAStarePacketWithItsMulticastMac() {
        byte[] packet = subRegister();
        byte[] frame = Ethernet.wrapIpv4Multicast(HOST_MAC, packet);
        String hex = HexFormat.of().formatHex(frame);
        // 239.192.48.57 -> 01:00:5e + low 23 bits (0x403039); then the source MAC and EtherType 0x0800.
        assertEquals("01005e403039" + "020000000001" + "0800", hex.substring(0, 28));
        assertArrayEquals(packet, Arrays.copyOfRange(frame, 14, frame.length));

        Ethernet.Frame decoded = Ethernet.unwrap(frame).orElseThrow();
        assertEquals(0x01005e403039L, decoded.destination());
        assertEquals(HOST_MAC, decoded.source());
        assertTrue(decoded.isIpv4());
        assertArrayEquals(packet, decoded.payload());
        assertArrayEquals(frame, decoded.toBytes());
    }

    @Test
    void multicastMacKeepsOnlyTheLow23Bits() {
        assertEquals(0x01005e7fffffL, Ethernet.ipv4MulticastMac(0xefffffff)); // 239.255.255.255
        assertEquals(0x01005e003039L, Ethernet.ipv4MulticastMac(0xef003039)); // 239.0.48.57
        assertEquals(0x01005e000001L, Ethernet.ipv4MulticastMac(0xe0000001)); // 224.0.0.1
        assertThrows(IllegalArgumentException.class, () -> Ethernet.ipv4MulticastMac(0x0a000001));
        assertThrows(IllegalArgumentException.class, () -> Ethernet.wrapIpv4Multicast(HOST_MAC, new byte[19]));
    }

    @Test
    void refusesShortFramesAnd8023Lengths() {
        assertEquals(DecodeError.Kind.TRUNCATED, Ethernet.unwrap(new byte[13]).errorOrNull().kind());
        byte[] llc = new byte[60];
        llc[12] = 0x05;
        llc[13] = (byte) 0xdc; // 1500: an 802.3 length field
        assertEquals(DecodeError.Kind.MALFORMED, Ethernet.unwrap(llc).errorOrNull().kind());
        byte[] arp = Ethernet.wrap(-1L >>> 16, HOST_MAC, 0x0806, new byte[28]);
        Ethernet.Frame frame = Ethernet.unwrap(arp).orElseThrow();
        assertEquals(0x0806, frame.etherType());
        assertEquals(0xffffffffffffL, frame.destination());
        assertFalse(frame.isIpv4());
        assertEquals(0, Ethernet.unwrap(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0})
                .orElseThrow().payload().length);
    }

    @Test
    void formatsAndParsesMacs() {
        assertEquals("01:00:5e:40:30:39", Ethernet.formatMac(0x01005e403039L));
        assertEquals(0x01005e403039L, Ethernet.parseMac("01-00-5E-40-30-39").orElseThrow());
        assertEquals(DecodeError.Kind.MALFORMED, Ethernet.parseMac("01:00:5e:40:30").errorOrNull().kind());
        assertEquals(DecodeError.Kind.MALFORMED, Ethernet.parseMac("01:00:5e:40:30:3g").errorOrNull().kind());
        assertThrows(IllegalArgumentException.class, () -> Ethernet.formatMac(1L << 48));
        assertThrows(IllegalArgumentException.class, () -> Ethernet.wrap(0, 0, 0x05dc, new byte[0]));
    }

    @Property
    void unwrapInvertsWrap(@ForAll @LongRange(min = 0, max = Ethernet.MAX_MAC) long destination,
                           @ForAll @LongRange(min = 0, max = Ethernet.MAX_MAC) long source,
                           @ForAll @IntRange(min = Ethernet.MIN_ETHERTYPE, max = 0xffff) int etherType,
                           @ForAll @Size(max = 100) byte[] payload) {
        Ethernet.Frame frame = Ethernet.unwrap(Ethernet.wrap(destination, source, etherType, payload)).orElseThrow();
        assertEquals(new Ethernet.Frame(destination, source, etherType, payload), frame);
    }

    @Property
    void neverThrowsOnArbitraryBytes(@ForAll @Size(max = 40) byte[] bytes) {
        DecodeResult<Ethernet.Frame> result = Ethernet.unwrap(bytes);
        if (result.isOk()) {
            assertArrayEquals(bytes, result.orElseThrow().toBytes());
        }
        Ethernet.parseMac(new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1));
    }
}
