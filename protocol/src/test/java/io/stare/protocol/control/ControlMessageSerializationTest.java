package io.stare.protocol.control;

import io.stare.protocol.ErrorCode;
import io.stare.protocol.segment.Segment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.protocol.address.StareAddress;
import io.stare.protocol.header.StareHeader;
import io.stare.protocol.segment.MissingUpdate;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every control message crosses Pekko's Jackson CBOR serializer unchanged, chosen through the
 * {@code CborSerializable} binding in this module's reference.conf.
 */
class ControlMessageSerializationTest {

    private static CborRoundTrip cbor;

    @BeforeAll
    static void startActorSystem() {
        cbor = new CborRoundTrip("cbor-test");
    }

    @AfterAll
    static void stopActorSystem() throws Exception {
        cbor.shutdown();
    }

    private static final Segment SEGMENT_0 =
            new Segment(7, 3, 70_000L, 2, 0, new byte[] {1, 2, 3, (byte) 0xff});
    private static final Segment SEGMENT_1 =
            new Segment(7, 3, 70_000L, 2, 1, new byte[0]);

    /** One instance of every message record, at least one at the edges of its ranges. */
    static Stream<Object> everyMessage() {
        return Stream.of(
                new RegisterVnf("ddos-detector-1", "middleware@10.0.0.1"),
                new RegisterVnf("ünïcödé €", "m"),
                new VnfRegistered("ddos-detector-1", 0),
                new VnfRegistered("ddos-detector-1", StareHeader.MAX_VNF_ID),
                new DeclareState(StareHeader.MAX_VNF_ID, "flow-counters"),
                new StateDeclared("flow-counters", StareAddress.MAX_STATE_ID, 5),
                new LookupState("flow-counters"),
                new StateFound("flow-counters", 0, 0),
                new StateFound("flow-counters", 0, 0, new io.stare.protocol.auth.PublishKey(-1L, 42L)),
                new StateDeclared("flow-counters", 9, 5, new io.stare.protocol.auth.PublishKey(7L, Long.MIN_VALUE)),
                new StateUnknown("nobody-publishes-this"),
                new ListStates("estate/ids/", "ids-0"),
                new ListStates("e", ""),
                new StatesListed("estate/ids/", List.of("estate/ids/0", "estate/ids/ids-b"), true),
                new StatesListed("x", List.of(), false),
                new Recover(42L, 7, "middleware@10.0.0.2",
                        List.of(MissingUpdate.whole(69_999L), new MissingUpdate(70_000L, List.of(0, 1, 127)))),
                new Recover(Long.MIN_VALUE, 7, "s", List.of(MissingUpdate.whole(Long.MAX_VALUE))),
                new Recovered(42L, 7, List.of(SEGMENT_0, SEGMENT_1),
                        List.of(MissingUpdate.whole(69_999L)), 70_001L),
                new Recovered(43L, 7, List.of(), List.of(), -1L),
                new LatestUpdateQuery(7),
                new LatestUpdate(7, -1L),
                new LatestUpdate(7, Long.MAX_VALUE),
                new TruncationQuery(9L, 7),
                new TruncationReport(9L, 7, "middleware@10.0.0.2", 70_000L, 1),
                TruncationReport.nothingYet(9L, 7, "middleware@10.0.0.3"),
                new ControlFailure(ErrorCode.UNKNOWN_STATE, "state 7 was never declared"),
                new ControlFailure(ErrorCode.UNAVAILABLE, ""));
    }

    @ParameterizedTest
    @MethodSource("everyMessage")
    void roundTripsThroughJacksonCbor(Object message) {
        cbor.assertRoundTrips(message);
    }

    @ParameterizedTest
    @EnumSource(ErrorCode.class)
    void everyFailureCodeRoundTrips(ErrorCode code) {
        cbor.assertRoundTrips(new ControlFailure(code, code.name()));
    }

    /** Keeps {@link #everyMessage} honest when a message type is added to the sealed interfaces. */
    @Test
    void samplesCoverEveryPermittedMessageType() {
        Set<Class<?>> permitted = new HashSet<>();
        permitted.addAll(Arrays.asList(ControlRequest.class.getPermittedSubclasses()));
        permitted.addAll(Arrays.asList(ControlReply.class.getPermittedSubclasses()));
        Set<Class<?>> sampled = new HashSet<>();
        everyMessage().forEach(m -> sampled.add(m.getClass()));
        assertEquals(permitted, sampled);
    }

    /** Jackson builds records through the canonical constructor, so bad input from the wire is refused too. */
    @Test
    void invalidMessagesFromTheWireAreRefused() {
        LookupState valid = new LookupState("x");
        byte[] bytes = cbor.serialize(valid);
        int at = lastIndexOf(bytes, (byte) 'x');
        bytes[at] = (byte) ' '; // the name becomes blank
        Exception refused = assertThrows(Exception.class, () -> cbor.deserialize(bytes, cbor.manifest(valid)));
        Throwable cause = refused;
        while (cause != null && !(cause instanceof IllegalArgumentException)) {
            cause = cause.getCause();
        }
        assertNotNull(cause, () -> "no IllegalArgumentException behind " + refused);
        assertTrue(cause.getMessage().startsWith("stateName"), cause.getMessage());
    }

    private static int lastIndexOf(byte[] bytes, byte b) {
        for (int i = bytes.length - 1; i >= 0; i--) {
            if (bytes[i] == b) {
                return i;
            }
        }
        throw new AssertionError("byte " + b + " not found");
    }

    @Test
    void recoveredSegmentsKeepTheirPayloadBytes() {
        Recovered back = (Recovered) cbor.roundTrip(
                new Recovered(1L, 7, List.of(SEGMENT_0), List.of(), 70_000L));
        assertArrayEquals(new byte[] {1, 2, 3, (byte) 0xff}, back.segments().get(0).payload());
    }
}
