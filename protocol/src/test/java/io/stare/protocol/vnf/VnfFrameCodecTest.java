package io.stare.protocol.vnf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.protocol.DecodeError;
import io.stare.protocol.DecodeResult;
import io.stare.protocol.vnf.VnfMessage.Deliver;
import io.stare.protocol.ErrorCode;
import io.stare.protocol.vnf.VnfMessage.Hello;
import io.stare.protocol.vnf.VnfMessage.HelloAck;
import io.stare.protocol.vnf.VnfMessage.LossNotice;
import io.stare.protocol.vnf.VnfMessage.Publish;
import io.stare.protocol.vnf.VnfMessage.RegisterVnf;
import io.stare.protocol.vnf.VnfMessage.StateFound;
import io.stare.protocol.vnf.VnfMessage.Subscribe;
import io.stare.protocol.vnf.VnfMessage.VnfRegistered;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class VnfFrameCodecTest {

    // ---------------------------------------------------------------- golden bytes

    @Test
    void helloGoldenBytes() {
        byte[] expected = hex("00 00 00 10"      // N = 16
                + " 01"                           // HELLO
                + " 53 54 41 52"                  // 'S' 'T' 'A' 'R'
                + " 00 01  00 01"                 // versions 1..1
                + " 00 05  76 6e 66 2d 61");      // "vnf-a"
        Hello hello = new Hello(1, 1, "vnf-a");
        assertArrayEquals(expected, VnfFrameCodec.encode(hello));
        assertEquals(List.of(DecodeResult.ok(hello)), new VnfFrameDecoder().feed(expected));
    }

    @Test
    void publishGoldenBytes() {
        byte[] expected = hex("00 00 00 10"      // N = 16
                + " 20"                           // PUBLISH
                + " 00 00 00 07"                  // requestId 7
                + " 00 00 30 39"                  // stateId 12345
                + " 00 00 00 03  ca fe 01");      // payload
        Publish publish = new Publish(7, 12345, new byte[] {(byte) 0xca, (byte) 0xfe, 0x01});
        assertArrayEquals(expected, VnfFrameCodec.encode(publish));
        assertEquals(List.of(DecodeResult.ok(publish)), new VnfFrameDecoder().feed(expected));
    }

    @Test
    void subscribeCarriesItsResumePointOnlyWhenItHasOne() {
        byte[] fromNow = hex("00 00 00 0a  16  00 00 00 05  00 03 61 62 63"); // requestId 5, "abc"
        byte[] resuming = hex("00 00 00 12  16  00 00 00 05  00 03 61 62 63  00 00 00 00 00 00 01 00");
        assertArrayEquals(fromNow, VnfFrameCodec.encode(new Subscribe(5, "abc")));
        assertArrayEquals(resuming, VnfFrameCodec.encode(new Subscribe(5, "abc", 256)));
        assertEquals(List.of(DecodeResult.ok(new Subscribe(5, "abc", Subscribe.FROM_NOW))),
                new VnfFrameDecoder().feed(fromNow));
        assertEquals(List.of(DecodeResult.ok(new Subscribe(5, "abc", 256))), new VnfFrameDecoder().feed(resuming));
        byte[] negative = hex("00 00 00 12  16  00 00 00 05  00 03 61 62 63  ff ff ff ff ff ff ff fe");
        assertEquals(DecodeError.Kind.OUT_OF_RANGE, ((DecodeResult.Failure<VnfMessage>) new VnfFrameDecoder()
                .feed(negative).get(0)).error().kind());
        byte[] shortTail = hex("00 00 00 0c  16  00 00 00 05  00 03 61 62 63  00 01");
        assertEquals(DecodeError.Kind.TRUNCATED, ((DecodeResult.Failure<VnfMessage>) new VnfFrameDecoder()
                .feed(shortTail).get(0)).error().kind());
    }

    @Test
    void frameTypeCodesAreUniqueAndCoverEveryMessage() {
        Set<Integer> codes = new HashSet<>();
        for (FrameType type : FrameType.values()) {
            assertTrue(codes.add(type.code()), "duplicate " + type);
            assertEquals(type, FrameType.fromCode(type.code()));
        }
        assertEquals(VnfMessage.class.getPermittedSubclasses().length, FrameType.values().length);
        assertEquals(null, FrameType.fromCode(0));
        assertEquals(null, FrameType.fromCode(-1));
        assertEquals(null, FrameType.fromCode(256));
    }

    // ---------------------------------------------------------------- streaming decoder

    @Test
    void unknownFrameTypeIsSkippedAndTheNextFrameDecodes() {
        RegisterVnf good = new RegisterVnf(1, "fw");
        VnfFrameDecoder decoder = new VnfFrameDecoder();
        List<DecodeResult<VnfMessage>> results =
                decoder.feed(concat(frame(0x7f, hex("01 02 03")), VnfFrameCodec.encode(good)));
        assertEquals(2, results.size());
        assertEquals(DecodeError.Kind.UNKNOWN_KIND, results.get(0).errorOrNull().kind());
        assertEquals(DecodeResult.ok(good), results.get(1));
        assertFalse(decoder.isBroken());
    }

    @Test
    void oversizeLengthBreaksTheDecoderForGood() {
        VnfFrameDecoder decoder = new VnfFrameDecoder(4096);
        byte[] good = VnfFrameCodec.encode(new RegisterVnf(1, "fw"));
        List<DecodeResult<VnfMessage>> results = decoder.feed(concat(good, hex("00 00 10 01"), good));
        assertEquals(2, results.size());
        assertTrue(results.get(0).isOk());
        assertEquals(DecodeError.Kind.OVERSIZE, results.get(1).errorOrNull().kind());
        assertTrue(decoder.isBroken());
        assertEquals(List.of(), decoder.feed(good));
        assertEquals(List.of(), decoder.feed(ByteBuffer.wrap(good)));
    }

    @Test
    void hugeLengthPrefixIsOversizeWithoutAllocating() {
        VnfFrameDecoder decoder = new VnfFrameDecoder();
        List<DecodeResult<VnfMessage>> results = decoder.feed(hex("ff ff ff ff 01"));
        assertEquals(DecodeError.Kind.OVERSIZE, results.get(0).errorOrNull().kind());
        assertTrue(decoder.isBroken());
    }

    @Test
    void zeroLengthIsAFramingError() {
        VnfFrameDecoder decoder = new VnfFrameDecoder();
        List<DecodeResult<VnfMessage>> results = decoder.feed(hex("00 00 00 00 00 00 00 02 01"));
        assertEquals(1, results.size());
        assertEquals(DecodeError.Kind.MALFORMED, results.get(0).errorOrNull().kind());
        assertTrue(decoder.isBroken());
    }

    @Test
    void frameOfExactlyTheLimitIsAcceptedAndOneMoreIsNot() {
        int max = VnfFrameCodec.MIN_MAX_FRAME_BYTES;
        Publish fits = new Publish(1, 2, new byte[max - 13]);
        byte[] bytes = VnfFrameCodec.encode(fits, max);
        assertEquals(4 + max, bytes.length);
        assertEquals(List.of(DecodeResult.ok(fits)), new VnfFrameDecoder(max).feed(bytes));

        Publish tooBig = new Publish(1, 2, new byte[max - 12]);
        assertThrows(IllegalArgumentException.class, () -> VnfFrameCodec.encode(tooBig, max));
        VnfFrameDecoder decoder = new VnfFrameDecoder(max);
        assertEquals(DecodeError.Kind.OVERSIZE,
                decoder.feed(VnfFrameCodec.encode(tooBig)).get(0).errorOrNull().kind());
    }

    @Test
    void maxPayloadFitsBothPayloadFrames() {
        int max = VnfFrameCodec.MIN_MAX_FRAME_BYTES;
        int payload = (int) VnfFrameCodec.maxPayloadBytes(max);
        VnfFrameCodec.encode(new Publish(1, 2, new byte[payload]), max);
        VnfFrameCodec.encode(new Deliver(2, 3, 4, new byte[payload]), max);
        assertThrows(IllegalArgumentException.class,
                () -> VnfFrameCodec.encode(new Deliver(2, 3, 4, new byte[payload + 1]), max));
    }

    @Test
    void decoderBuffersOnlyWhatHasArrived() {
        VnfFrameDecoder decoder = new VnfFrameDecoder();
        byte[] big = VnfFrameCodec.encode(new Publish(1, 2, new byte[100_000]));
        assertEquals(List.of(), decoder.feed(big, 0, 10_000));
        assertEquals(10_000, decoder.bufferedBytes());
        assertEquals(1, decoder.feed(big, 10_000, big.length - 10_000).size());
        assertEquals(0, decoder.bufferedBytes());
    }

    @Test
    void decoderRejectsSillyLimits() {
        assertThrows(IllegalArgumentException.class, () -> new VnfFrameDecoder(100));
        assertThrows(IllegalArgumentException.class, () -> new VnfFrameDecoder(Integer.MAX_VALUE));
    }

    // ---------------------------------------------------------------- typed body errors

    @Test
    void outOfRangeStateId() {
        assertKind(DecodeError.Kind.OUT_OF_RANGE, 0x15, "00 00 00 01  00 01 73  00 40 00 00"); // 4194304
        assertEquals(new StateFound(1, "s", 4194303),
                VnfFrameCodec.decode(0x15, hex("00 00 00 01  00 01 73  00 3f ff ff")).orElseThrow());
        assertKind(DecodeError.Kind.OUT_OF_RANGE, 0x18, "00 00 00 01  ff ff ff ff");
        assertKind(DecodeError.Kind.OUT_OF_RANGE, 0x20, "00 00 00 01  00 40 00 00  00 00 00 00");
    }

    @Test
    void outOfRangeVnfId() {
        assertKind(DecodeError.Kind.OUT_OF_RANGE, 0x11, "00 00 00 01  00 01 61  04 00"); // 1024
        assertEquals(new VnfRegistered(1, "a", 1023),
                VnfFrameCodec.decode(0x11, hex("00 00 00 01  00 01 61  03 ff")).orElseThrow());
        assertKind(DecodeError.Kind.OUT_OF_RANGE, 0x22,
                "00 00 00 01  04 00  00 00 00 00 00 00 00 01  00 00 00 00");
    }

    @Test
    void negativeUpdateNumbersAreOutOfRange() {
        assertKind(DecodeError.Kind.OUT_OF_RANGE, 0x21, "00 00 00 01  00 00 00 02  80 00 00 00 00 00 00 00");
        assertKind(DecodeError.Kind.OUT_OF_RANGE, 0x23,
                "00 00 00 01  ff ff ff ff ff ff ff ff  00 00 00 00 00 00 00 01  01");
    }

    @Test
    void unknownEnumCodesAreOutOfRange() {
        assertKind(DecodeError.Kind.OUT_OF_RANGE, 0x03, "00 00 00 00  00  00 00");
        assertKind(DecodeError.Kind.OUT_OF_RANGE, 0x03, "00 00 00 00  63  00 00");
        assertKind(DecodeError.Kind.OUT_OF_RANGE, 0x23,
                "00 00 00 01  00 00 00 00 00 00 00 01  00 00 00 00 00 00 00 01  04");
    }

    @Test
    void lossNoticeWithRangeBackwardsIsMalformed() {
        assertKind(DecodeError.Kind.MALFORMED, 0x23,
                "00 00 00 01  00 00 00 00 00 00 00 02  00 00 00 00 00 00 00 01  01");
    }

    @Test
    void badUtf8IsMalformed() {
        assertKind(DecodeError.Kind.MALFORMED, 0x10, "00 00 00 01  00 02 c3 28");    // bad continuation
        assertKind(DecodeError.Kind.MALFORMED, 0x10, "00 00 00 01  00 02 c0 af");    // overlong '/'
        assertKind(DecodeError.Kind.MALFORMED, 0x10, "00 00 00 01  00 03 ed a0 80"); // encoded surrogate
        assertKind(DecodeError.Kind.MALFORMED, 0x10, "00 00 00 01  00 01 ff");
        assertKind(DecodeError.Kind.MALFORMED, 0x03, "00 00 00 00  02  00 01 80");   // in an Error message
        assertEquals(new RegisterVnf(1, "é"),
                VnfFrameCodec.decode(0x10, hex("00 00 00 01  00 02 c3 a9")).orElseThrow());
    }

    @Test
    void emptyNameIsMalformedAndLongNameIsOversize() {
        assertKind(DecodeError.Kind.MALFORMED, 0x10, "00 00 00 01  00 00");
        assertKind(DecodeError.Kind.OVERSIZE, 0x10, "00 00 00 01  01 00" + " 61".repeat(256));
        assertKind(DecodeError.Kind.OVERSIZE, 0x10, "00 00 00 01  ff ff");
        assertEquals(new RegisterVnf(1, "a".repeat(255)),
                VnfFrameCodec.decode(0x10, hex("00 00 00 01  00 ff" + " 61".repeat(255))).orElseThrow());
    }

    @Test
    void aStateListingIsBoundedToTheSmallestFrameAndItsFlagIsOneBit() {
        String listing = "00 00 00 07  00 01 65  01  00 02  00 03 65 2f 30  00 03 65 2f 31"; // "e": "e/0", "e/1"
        assertEquals(new VnfMessage.StatesListed(7, "e", List.of("e/0", "e/1"), true),
                VnfFrameCodec.decode(0x1B, hex(listing)).orElseThrow());
        assertKind(DecodeError.Kind.MALFORMED, 0x1B, "00 00 00 07  00 01 65  02  00 00"); // complete = 2
        // 15 names of 255 bytes (3,855 bytes) do not fit in the smallest frame a peer may allow.
        String name = " 00 ff" + " 61".repeat(255);
        assertKind(DecodeError.Kind.OVERSIZE, 0x1B, "00 00 00 07  00 01 61  00  00 0f" + name.repeat(15));
        assertKind(DecodeError.Kind.TRUNCATED, 0x1B, "00 00 00 07  00 01 65  01  00 02  00 03 65 2f 30");
        assertThrows(IllegalArgumentException.class, () -> new VnfMessage.StatesListed(7, "a",
                java.util.Collections.nCopies(15, "a".repeat(255)), false));
        VnfMessage.StatesListed fitted = VnfMessage.StatesListed.fitting(7, "a",
                java.util.Collections.nCopies(15, "a".repeat(255)), true);
        assertEquals(13, fitted.stateNames().size(), "13 names of 257 bytes fit in 3,584");
        assertFalse(fitted.complete());
        assertTrue(VnfMessage.StatesListed.fitting(7, "e", List.of("e/0"), true).complete());
    }

    @Test
    void errorMessageMayBeEmptyButNotOver1024Bytes() {
        assertEquals(new VnfMessage.Error(0, ErrorCode.INTERNAL, ""),
                VnfFrameCodec.decode(0x03, hex("00 00 00 00  09  00 00")).orElseThrow());
        assertKind(DecodeError.Kind.OVERSIZE, 0x03, "00 00 00 00  09  04 01" + " 61".repeat(1025));
    }

    @Test
    void aRegistrationThatMovesTheVnfCarriesAFlagAfterTheTokenEvenAnEmptyOne() {
        byte[] moving = hex("00 00 00 0b  10  00 00 00 01  00 01 61  00 00  01");
        byte[] movingWithToken = hex("00 00 00 0c  10  00 00 00 01  00 01 61  00 01 74  01");
        byte[] staying = hex("00 00 00 0b  10  00 00 00 01  00 01 61  00 01 74"); // as before flags existed
        assertArrayEquals(moving, VnfFrameCodec.encode(new RegisterVnf(1, "a", "", true)));
        assertArrayEquals(movingWithToken, VnfFrameCodec.encode(new RegisterVnf(1, "a", "t", true)));
        assertArrayEquals(staying, VnfFrameCodec.encode(new RegisterVnf(1, "a", "t", false)));
        assertEquals(List.of(DecodeResult.ok(new RegisterVnf(1, "a", "", true))), new VnfFrameDecoder().feed(moving));
        assertEquals(List.of(DecodeResult.ok(new RegisterVnf(1, "a", "t", false))), new VnfFrameDecoder().feed(staying));
    }

    @Test
    void lengthMismatchesAreTypedErrors() {
        assertKind(DecodeError.Kind.TRUNCATED, 0x10, "");
        assertKind(DecodeError.Kind.TRUNCATED, 0x10, "00 00 00 01  00 05 61");
        assertKind(DecodeError.Kind.MALFORMED, 0x12, "00 00 00 01  00 01 61  00");      // trailing byte
        // REGISTER_VNF may end in a token: one byte after the name is a token's length cut short.
        assertKind(DecodeError.Kind.TRUNCATED, 0x10, "00 00 00 01  00 01 61  00");
        assertKind(DecodeError.Kind.MALFORMED, 0x10, "00 00 00 01  00 01 61  00 00");   // an empty token
        assertKind(DecodeError.Kind.OUT_OF_RANGE, 0x10, "00 00 00 01  00 01 61  00 00  02"); // unknown flags
        assertKind(DecodeError.Kind.MALFORMED, 0x10, "00 00 00 01  00 01 61  00 00  01 00"); // trailing byte
        assertKind(DecodeError.Kind.MALFORMED, 0x20, "00 00 00 01  00 00 00 02  00 00 00 01  aa bb");
        assertKind(DecodeError.Kind.TRUNCATED, 0x20, "00 00 00 01  00 00 00 02  00 00 00 03  aa bb");
        assertKind(DecodeError.Kind.TRUNCATED, 0x20, "00 00 00 01  00 00 00 02  ff ff ff ff  aa bb");
    }

    @Test
    void helloVersionRulesAreTyped() {
        assertKind(DecodeError.Kind.MALFORMED, 0x01, "53 54 41 52  00 03  00 02  00 01 63");
        assertKind(DecodeError.Kind.OUT_OF_RANGE, 0x01, "53 54 41 52  00 00  00 02  00 01 63");
        assertKind(DecodeError.Kind.OUT_OF_RANGE, 0x02, "00 01  00 01 73  00 00 00 10"); // maxFrameBytes 16
    }

    @Test
    void decodeLeavesTheCallersBufferAlone() {
        ByteBuffer body = ByteBuffer.wrap(hex("00 00 00 01  00 01 61"));
        assertTrue(VnfFrameCodec.decode(0x10, body).isOk());
        assertEquals(0, body.position());
    }

    // ---------------------------------------------------------------- records

    @Test
    void recordsRefuseValuesTheWireCannotCarry() {
        assertThrows(IllegalArgumentException.class, () -> new RegisterVnf(-1, "a"));
        assertThrows(IllegalArgumentException.class, () -> new RegisterVnf(1L << 32, "a"));
        assertThrows(IllegalArgumentException.class, () -> new RegisterVnf(1, ""));
        assertThrows(IllegalArgumentException.class, () -> new RegisterVnf(1, null));
        assertThrows(IllegalArgumentException.class, () -> new RegisterVnf(1, "a".repeat(256)));
        assertThrows(IllegalArgumentException.class, () -> new RegisterVnf(1, "é".repeat(128)));  // 256 bytes
        assertThrows(IllegalArgumentException.class, () -> new RegisterVnf(1, "a\uD800"));        // lone surrogate
        assertThrows(IllegalArgumentException.class, () -> new StateFound(1, "s", 4194304));
        assertThrows(IllegalArgumentException.class, () -> new StateFound(1, "s", -1));
        assertThrows(IllegalArgumentException.class, () -> new VnfRegistered(1, "v", 1024));
        assertThrows(IllegalArgumentException.class, () -> new Deliver(1, 1, -1, new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new Deliver(1, 1, 1, null));
        assertThrows(IllegalArgumentException.class, () -> new LossNotice(1, 5, 4, LossNotice.Outcome.RECOVERED));
        assertThrows(IllegalArgumentException.class, () -> new LossNotice(1, 1, 4, null));
        assertThrows(IllegalArgumentException.class, () -> new Hello(2, 1, "c"));
        assertThrows(IllegalArgumentException.class, () -> new Hello(0, 1, "c"));
        assertThrows(IllegalArgumentException.class, () -> new Hello(1, 65536, "c"));
        assertThrows(IllegalArgumentException.class, () -> new HelloAck(1, "s", 100));
        assertThrows(IllegalArgumentException.class, () -> new HelloAck(1, "s", 1L << 32));
        assertThrows(IllegalArgumentException.class, () -> new VnfMessage.Error(0, null, ""));
        assertThrows(IllegalArgumentException.class, () -> new VnfMessage.Error(0, ErrorCode.INTERNAL, "x".repeat(1025)));
        new RegisterVnf(0xFFFF_FFFFL, "é".repeat(127) + "a");                                     // 255 bytes
    }

    @Test
    void payloadRecordsCopyAndCompareByContent() {
        byte[] bytes = {1, 2, 3};
        Publish publish = new Publish(1, 2, bytes);
        bytes[0] = 9;
        assertArrayEquals(new byte[] {1, 2, 3}, publish.payload());
        publish.payload()[1] = 9;
        assertArrayEquals(new byte[] {1, 2, 3}, publish.payload());
        assertNotSame(publish.payload(), publish.payload());

        assertEquals(new Publish(1, 2, new byte[] {1, 2, 3}), publish);
        assertEquals(new Publish(1, 2, new byte[] {1, 2, 3}).hashCode(), publish.hashCode());
        assertNotEquals(new Publish(1, 2, new byte[] {1, 2, 4}), publish);
        assertEquals("Publish[requestId=1, stateId=2, payload=3 bytes]", publish.toString());

        Deliver deliver = new Deliver(2, 3, 4, new byte[] {5});
        assertEquals(new Deliver(2, 3, 4, new byte[] {5}), deliver);
        assertEquals(new Deliver(2, 3, 4, new byte[] {5}).hashCode(), deliver.hashCode());
        assertNotEquals(new Deliver(2, 3, 5, new byte[] {5}), deliver);
        assertEquals("Deliver[stateId=2, publisherVnfId=3, updateNo=4, payload=1 bytes]", deliver.toString());
    }

    @Test
    void errorOfFitsAnyTextToTheWire() {
        assertEquals("", VnfMessage.Error.of(0, ErrorCode.INTERNAL, null).message());
        assertEquals("a\uFFFDb", VnfMessage.Error.of(0, ErrorCode.INTERNAL, "a\uD800b").message());
        String cut = VnfMessage.Error.of(0, ErrorCode.INTERNAL, "€".repeat(400)).message(); // 3 bytes each
        assertEquals("€".repeat(341), cut);
        assertEquals(1024, VnfMessage.Error.of(0, ErrorCode.INTERNAL, "x".repeat(5000)).message().length());
    }

    // ---------------------------------------------------------------- helpers

    private static void assertKind(DecodeError.Kind expected, int type, String bodyHex) {
        DecodeResult<VnfMessage> result = VnfFrameCodec.decode(type, hex(bodyHex));
        assertEquals(expected, result.errorOrNull() == null ? null : result.errorOrNull().kind(),
                () -> "got " + result);
        // The same body inside a stream gives the same error and leaves the decoder usable.
        VnfFrameDecoder decoder = new VnfFrameDecoder();
        List<DecodeResult<VnfMessage>> streamed = decoder.feed(frame(type, hex(bodyHex)));
        assertEquals(List.of(result), streamed);
        assertFalse(decoder.isBroken());
    }

    static byte[] frame(int type, byte[] body) {
        ByteBuffer frame = ByteBuffer.allocate(5 + body.length);
        frame.putInt(1 + body.length).put((byte) type).put(body);
        return frame.array();
    }

    static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        ByteBuffer all = ByteBuffer.allocate(length);
        for (byte[] part : parts) {
            all.put(part);
        }
        return all.array();
    }

    static byte[] hex(String text) {
        String digits = text.replace(" ", "");
        byte[] bytes = new byte[digits.length() / 2];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) Integer.parseInt(digits.substring(2 * i, 2 * i + 2), 16);
        }
        return bytes;
    }
}
