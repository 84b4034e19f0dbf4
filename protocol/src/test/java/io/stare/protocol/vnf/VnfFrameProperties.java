package io.stare.protocol.vnf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.protocol.DecodeResult;
import io.stare.protocol.ErrorCode;
import io.stare.protocol.address.StareAddress;
import io.stare.protocol.header.StareHeader;
import io.stare.protocol.vnf.VnfMessage.*;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.statistics.Statistics;

class VnfFrameProperties {

    // ---------------------------------------------------------------- round trips

    @Property(tries = 1000)
    void everyMessageRoundTripsThroughAChoppedStream(
            @ForAll("messageLists") List<VnfMessage> messages,
            @ForAll @Size(min = 1, max = 10) List<@IntRange(min = 1, max = 300) Integer> chunkSizes) {
        for (VnfMessage m : messages) {
            Statistics.label("type").collect(m.frameType());
        }
        byte[] stream = VnfFrameCodecTest.concat(
                messages.stream().map(VnfFrameCodec::encode).toArray(byte[][]::new));

        VnfFrameDecoder decoder = new VnfFrameDecoder();
        List<DecodeResult<VnfMessage>> results = feedInChunks(decoder, stream, chunkSizes);

        assertEquals(messages.stream().map(DecodeResult::ok).collect(Collectors.toList()), results);
        assertFalse(decoder.isBroken());
        assertEquals(0, decoder.bufferedBytes());
    }

    @Example
    void everyFrameTypeIsCoveredByTheGenerator() {
        // 17 equally likely types in 2000 draws: missing one has probability far below 1e-40.
        assertEquals(FrameType.values().length,
                messages().sampleStream().limit(2000).map(VnfMessage::frameType).distinct().count());
    }

    // ---------------------------------------------------------------- hostile input

    @Property(tries = 1000)
    void randomBytesOnlyEverYieldDecodeResults(
            @ForAll @Size(max = 2000) byte[] junk,
            @ForAll @Size(min = 1, max = 10) List<@IntRange(min = 1, max = 64) Integer> chunkSizes) {
        VnfFrameDecoder decoder = new VnfFrameDecoder(VnfFrameCodec.MIN_MAX_FRAME_BYTES);
        feedInChunks(decoder, junk, chunkSizes).forEach(r -> assertNotNull(r));
        assertTrue(decoder.bufferedBytes() <= 4 + VnfFrameCodec.MIN_MAX_FRAME_BYTES);
    }

    /** Well-framed junk reaches the body decoders, which random bytes rarely do. */
    @Property(tries = 2000)
    void wellFramedJunkYieldsOneResultPerFrame(
            @ForAll @IntRange(min = 0, max = 0x30) int type,
            @ForAll @Size(max = 300) byte[] body) {
        VnfFrameDecoder decoder = new VnfFrameDecoder();
        List<DecodeResult<VnfMessage>> results = decoder.feed(VnfFrameCodecTest.frame(type, body));
        assertEquals(1, results.size());
        assertFalse(decoder.isBroken());
    }

    @Property(tries = 1000)
    void corruptedValidFramesYieldOneResultPerFrame(
            @ForAll("messages") VnfMessage message,
            @ForAll @Size(min = 1, max = 8) List<@IntRange(min = 0, max = Integer.MAX_VALUE) Integer> positions,
            @ForAll byte value) {
        byte[] frame = VnfFrameCodec.encode(message);
        for (int p : positions) {
            frame[4 + p % (frame.length - 4)] ^= (byte) (value | 1); // keep the length prefix intact
        }
        VnfFrameDecoder decoder = new VnfFrameDecoder();
        List<DecodeResult<VnfMessage>> results = decoder.feed(frame);
        assertEquals(1, results.size());
        assertFalse(decoder.isBroken());
    }

    @Property(tries = 1000)
    void truncatedFrameYieldsNothingUntilCompleted(
            @ForAll("messages") VnfMessage message, @ForAll @IntRange(min = 0, max = Integer.MAX_VALUE) int cut) {
        byte[] frame = VnfFrameCodec.encode(message);
        int split = cut % frame.length; // 0..length-1: never the whole frame
        VnfFrameDecoder decoder = new VnfFrameDecoder();

        assertEquals(List.of(), decoder.feed(frame, 0, split));
        assertEquals(split, decoder.bufferedBytes());
        assertFalse(decoder.isBroken());

        assertEquals(List.of(DecodeResult.ok(message)), decoder.feed(frame, split, frame.length - split));
        assertEquals(0, decoder.bufferedBytes());
    }

    // ---------------------------------------------------------------- helpers

    /** Feeds the stream in chunks of the given sizes (cycled), alternating array and buffer calls. */
    private static List<DecodeResult<VnfMessage>> feedInChunks(
            VnfFrameDecoder decoder, byte[] stream, List<Integer> chunkSizes) {
        List<DecodeResult<VnfMessage>> results = new ArrayList<>();
        int offset = 0;
        for (int i = 0; offset < stream.length; i++) {
            int size = Math.min(chunkSizes.get(i % chunkSizes.size()), stream.length - offset);
            if (i % 2 == 0) {
                results.addAll(decoder.feed(stream, offset, size));
            } else {
                ByteBuffer direct = ByteBuffer.allocateDirect(size).put(stream, offset, size).flip();
                results.addAll(decoder.feed(direct));
                assertFalse(direct.hasRemaining());
            }
            offset += size;
        }
        return results;
    }

    // ---------------------------------------------------------------- generators

    @Provide
    Arbitrary<List<VnfMessage>> messageLists() {
        return messages().list().ofMinSize(1).ofMaxSize(8);
    }

    @Provide
    Arbitrary<VnfMessage> messages() {
        return Arbitraries.oneOf(List.of(
                Combinators.combine(versionRanges(), names())
                        .as((v, n) -> new Hello(v[0], v[1], n)),
                Combinators.combine(versions(), names(),
                                Arbitraries.longs().between(VnfFrameCodec.MIN_MAX_FRAME_BYTES, 0xFFFF_FFFFL))
                        .as(HelloAck::new),
                Combinators.combine(requestIds(), Arbitraries.of(ErrorCode.class), errorMessages())
                        .as(VnfMessage.Error::new),
                Combinators.combine(requestIds(), names()).as(RegisterVnf::new),
                Combinators.combine(requestIds(), names(), names()).as(RegisterVnf::new),
                Combinators.combine(requestIds(), names(), Arbitraries.of("", "a-token"))
                        .as((id, name, token) -> new RegisterVnf(id, name, token, true)),
                Combinators.combine(requestIds(), names(), vnfIds()).as(VnfRegistered::new),
                Combinators.combine(requestIds(), names()).as(DeclarePublishState::new),
                Combinators.combine(requestIds(), names(), stateIds()).as(StateDeclared::new),
                Combinators.combine(requestIds(), names()).as(LookupState::new),
                Combinators.combine(requestIds(), names(), stateIds()).as(StateFound::new),
                Combinators.combine(requestIds(), names()).as(VnfMessage.ListStates::new),
                Combinators.combine(requestIds(), names(), names().list().ofMaxSize(12), Arbitraries.of(true, false))
                        .as(VnfMessage.StatesListed::new),
                Combinators.combine(requestIds(), names()).as(Subscribe::new),
                Combinators.combine(requestIds(), names(), updateNos()).as(Subscribe::new),
                Combinators.combine(requestIds(), names(), stateIds()).as(Subscribed::new),
                Combinators.combine(requestIds(), stateIds()).as(Unsubscribe::new),
                Combinators.combine(requestIds(), stateIds()).as(Unsubscribed::new),
                Combinators.combine(requestIds(), stateIds(), payloads()).as(Publish::new),
                Combinators.combine(requestIds(), stateIds(), updateNos()).as(Published::new),
                Combinators.combine(stateIds(), vnfIds(), updateNos(), payloads()).as(Deliver::new),
                Combinators.combine(stateIds(), updateNos(), updateNos(), Arbitraries.of(LossNotice.Outcome.class))
                        .as((s, a, b, o) -> new LossNotice(s, Math.min(a, b), Math.max(a, b), o))));
    }

    private static Arbitrary<Long> requestIds() {
        return Arbitraries.longs().between(0, 0xFFFF_FFFFL);
    }

    private static Arbitrary<Integer> stateIds() {
        return Arbitraries.integers().between(0, StareAddress.MAX_STATE_ID);
    }

    private static Arbitrary<Integer> vnfIds() {
        return Arbitraries.integers().between(0, StareHeader.MAX_VNF_ID);
    }

    private static Arbitrary<Long> updateNos() {
        return Arbitraries.longs().between(0, Long.MAX_VALUE);
    }

    private static Arbitrary<Integer> versions() {
        return Arbitraries.integers().between(1, 0xFFFF);
    }

    private static Arbitrary<int[]> versionRanges() {
        return Combinators.combine(versions(), versions())
                .as((a, b) -> new int[] {Math.min(a, b), Math.max(a, b)});
    }

    private static Arbitrary<byte[]> payloads() {
        return Arbitraries.bytes().array(byte[].class).ofMaxSize(2000);
    }

    /** Names of 1..255 UTF-8 bytes: ASCII up to the limit, or any Unicode (1..4 bytes per code point). */
    private static Arbitrary<String> names() {
        return Arbitraries.oneOf(
                Arbitraries.strings().ascii().ofMinLength(1).ofMaxLength(255),
                unicode(1, 63));
    }

    /** Error messages of 0..1024 UTF-8 bytes. */
    private static Arbitrary<String> errorMessages() {
        return Arbitraries.oneOf(
                Arbitraries.strings().ascii().ofMaxLength(1024),
                unicode(0, 256));
    }

    /** Strings of whole code points (no lone surrogates), at most 4 UTF-8 bytes each. */
    private static Arbitrary<String> unicode(int minCodePoints, int maxCodePoints) {
        Arbitrary<Integer> codePoint = Arbitraries.oneOf(
                        Arbitraries.integers().between(0, 0x7ff),
                        Arbitraries.integers().between(0x800, 0xffff),
                        Arbitraries.integers().between(0x10000, 0x10ffff))
                .filter(cp -> cp < 0xd800 || cp > 0xdfff);
        return codePoint.list().ofMinSize(minCodePoints).ofMaxSize(maxCodePoints).map(cps -> {
            StringBuilder sb = new StringBuilder();
            cps.forEach(sb::appendCodePoint);
            return sb.toString();
        });
    }
}
