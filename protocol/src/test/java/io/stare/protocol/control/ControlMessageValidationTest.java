package io.stare.protocol.control;

import io.stare.protocol.ErrorCode;
import io.stare.protocol.segment.Segment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.protocol.address.StareAddress;
import io.stare.protocol.header.StareHeader;
import io.stare.protocol.segment.MissingUpdate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The compact constructors refuse invalid messages, naming the offending field. */
class ControlMessageValidationTest {

    private static final String OK = "ok-name";
    private static final List<MissingUpdate> MISSING = List.of(MissingUpdate.whole(3));

    private static void assertRefused(String field, Executable construction) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, construction);
        assertTrue(e.getMessage().startsWith(field + " ") || e.getMessage().startsWith(field + "["),
                () -> "message does not name " + field + ": " + e.getMessage());
    }

    @Test
    void vnfIdsOutOfRangeAreRefused() {
        assertRefused("vnfId", () -> new VnfRegistered(OK, -1));
        assertRefused("vnfId", () -> new VnfRegistered(OK, StareHeader.MAX_VNF_ID + 1));
        assertRefused("publisherVnfId", () -> new DeclareState(1024, OK));
        assertRefused("publisherVnfId", () -> new StateDeclared(OK, 1, -1));
        assertRefused("publisherVnfId", () -> new StateFound(OK, 1, 1024));
        assertRefused("vnfId", () -> new Segment(1, 1024, 0, 1, 0, new byte[0]));
    }

    @Test
    void stateIdsOutOfRangeAreRefused() {
        int tooBig = StareAddress.MAX_STATE_ID + 1;
        assertRefused("stateId", () -> new StateDeclared(OK, tooBig, 1));
        assertRefused("stateId", () -> new StateFound(OK, -1, 1));
        assertRefused("stateId", () -> new Recover(1, tooBig, OK, MISSING));
        assertRefused("stateId", () -> new Recovered(1, -1, List.of(), List.of(), -1));
        assertRefused("stateId", () -> new LatestUpdateQuery(tooBig));
        assertRefused("stateId", () -> new LatestUpdate(-1, 0));
        assertRefused("stateId", () -> new TruncationQuery(1, tooBig));
        assertRefused("stateId", () -> new TruncationReport(1, -1, OK, 0, 0));
        assertRefused("stateId", () -> new Segment(tooBig, 1, 0, 1, 0, new byte[0]));
    }

    @Test
    void blankNullOrOversizeNamesAreRefused() {
        assertRefused("vnfName", () -> new RegisterVnf("", OK));
        assertRefused("vnfName", () -> new RegisterVnf(" \t", OK));
        assertRefused("vnfName", () -> new RegisterVnf(null, OK));
        assertRefused("middlewareId", () -> new RegisterVnf(OK, "x".repeat(256)));
        assertRefused("vnfName", () -> new VnfRegistered("\n", 1));
        assertRefused("stateName", () -> new DeclareState(1, "  "));
        assertRefused("stateName", () -> new StateDeclared("", 1, 1));
        assertRefused("stateName", () -> new LookupState("\u00e9".repeat(128))); // 256 bytes
        assertRefused("stateName", () -> new StateFound(null, 1, 1));
        assertRefused("stateName", () -> new StateUnknown(""));
        assertRefused("prefix", () -> new ListStates(" ", "v"));
        assertRefused("stateNames[]", () -> new StatesListed("e", java.util.List.of("e/1", ""), true));
        assertRefused("stateNames", () -> new StatesListed("e",
                java.util.Collections.nCopies(StatesListed.MAX_NAMES + 1, "e/1"), false));
        assertRefused("subscriberId", () -> new Recover(1, 1, " ", MISSING));
        assertRefused("subscriberId", () -> new TruncationReport(1, 1, "", 0, 0));
    }

    @Test
    void namesAreMeasuredInUtf8Bytes() {
        assertEquals("x".repeat(255), new LookupState("x".repeat(255)).stateName());
        assertEquals(255, ("\u00e9".repeat(127) + "x").getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        new LookupState("\u00e9".repeat(127) + "x");
        assertRefused("stateName", () -> new LookupState("\u00e9".repeat(127) + "xy"));
    }

    @Test
    void unpairedSurrogatesAreRefused() {
        assertRefused("stateName", () -> new LookupState("a\ud800b"));
        new LookupState("a\ud83d\ude00b"); // a paired surrogate is fine
    }

    @Test
    void recoverNeedsSomethingMissing() {
        assertRefused("missing", () -> new Recover(1, 1, OK, List.of()));
        assertRefused("missing", () -> new Recover(1, 1, OK, null));
        assertRefused("missing", () -> new Recover(1, 1, OK, Arrays.asList(MissingUpdate.whole(1), null)));
    }

    @Test
    void updateNumbersBelowMinusOneAreRefused() {
        assertRefused("latestUpdate", () -> new LatestUpdate(1, -2));
        assertRefused("latestUpdate", () -> new Recovered(1, 1, List.of(), List.of(), Long.MIN_VALUE));
        assertRefused("highestUpdate", () -> new TruncationReport(1, 1, OK, -2, 0));
        assertRefused("update", () -> new Segment(1, 1, -1, 1, 0, new byte[0]));
    }

    @Test
    void truncationReportSegmentMatchesItsUpdate() {
        assertRefused("highestSegment", () -> new TruncationReport(1, 1, OK, -1, 0));
        assertRefused("highestSegment", () -> new TruncationReport(1, 1, OK, 5, -1));
        assertRefused("highestSegment", () -> new TruncationReport(1, 1, OK, 5, StareHeader.MAX_SEGMENTS));
        assertEquals(-1, TruncationReport.nothingYet(1, 1, OK).highestSegment());
    }

    @Test
    void recoveredSegmentsMustBelongToTheStateAndTheBacklog() {
        Segment ofState2 = new Segment(2, 1, 5, 1, 0, new byte[0]);
        assertRefused("segments[0]", () -> new Recovered(1, 3, List.of(ofState2), List.of(), 5));
        assertRefused("segments[0]", () -> new Recovered(1, 2, List.of(ofState2), List.of(), 4));
        assertRefused("segments", () -> new Recovered(1, 2, null, List.of(), 5));
        assertRefused("truncated", () -> new Recovered(1, 2, List.of(), null, 5));
    }

    @Test
    void backlogSegmentNumbersAreInRange() {
        assertRefused("totalSegments", () -> new Segment(1, 1, 0, 0, 0, new byte[0]));
        assertRefused("totalSegments", () -> new Segment(1, 1, 0, StareHeader.MAX_SEGMENTS + 1, 0, new byte[0]));
        assertRefused("segmentNo", () -> new Segment(1, 1, 0, 3, 3, new byte[0]));
        assertRefused("segmentNo", () -> new Segment(1, 1, 0, 3, -1, new byte[0]));
        assertRefused("payload", () -> new Segment(1, 1, 0, 1, 0, null));
    }

    @Test
    void controlFailureNeedsCodeAndMessage() {
        assertRefused("code", () -> new ControlFailure(null, "x"));
        assertRefused("message", () -> new ControlFailure(ErrorCode.INVALID_ARGUMENT, null));
    }

    @Test
    void listsAreCopied() {
        List<MissingUpdate> missing = new ArrayList<>(MISSING);
        Recover recover = new Recover(1, 1, OK, missing);
        missing.add(MissingUpdate.whole(4));
        assertEquals(MISSING, recover.missing());
        assertThrows(UnsupportedOperationException.class, () -> recover.missing().add(MissingUpdate.whole(5)));
    }

    @Test
    void backlogSegmentCopiesItsPayloadAndComparesByContent() {
        byte[] bytes = {1, 2, 3};
        Segment segment = new Segment(1, 1, 0, 1, 0, bytes);
        bytes[0] = 9;
        assertArrayEquals(new byte[] {1, 2, 3}, segment.payload());
        segment.payload()[1] = 9;
        assertArrayEquals(new byte[] {1, 2, 3}, segment.payload());

        Segment same = new Segment(1, 1, 0, 1, 0, new byte[] {1, 2, 3});
        assertEquals(segment, same);
        assertEquals(segment.hashCode(), same.hashCode());
        assertNotEquals(segment, new Segment(1, 1, 0, 1, 0, new byte[] {1, 2, 4}));
        assertEquals(3, segment.payloadLength());
        assertTrue(segment.toString().contains("payload=3 bytes"), segment.toString());
    }
}
