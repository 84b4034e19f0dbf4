package io.stare.protocol.segment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.protocol.address.MessageKind;
import io.stare.protocol.header.StareHeader;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReassemblerTest {

    private static final int STATE = 42;
    private static final int VNF = 3;

    private final RecordingListener listener = new RecordingListener();
    private final Segmenter segmenter = new Segmenter(100); // 64-byte segments keep tests small

    private Reassembler reassembler(long graceMillis) {
        return new Reassembler(new ReassemblyConfig(1 << 20, 1 << 22, 1024, graceMillis, 100, 3, 1024), listener);
    }

    private static byte[] value(long update, int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (update * 31 + i);
        }
        return bytes;
    }

    private List<Segment> segments(long update, int length) {
        return segmenter.split(STATE, VNF, update, value(update, length));
    }

    private static void feed(Reassembler r, Segment s, long now) {
        r.accept(s.header(), s.payload(), now);
    }

    @Test
    void deliversAcrossTheUpdateNumberWrap() {
        Reassembler r = reassembler(10);
        r.expect(STATE, VNF, 65534);
        for (long u = 65534; u <= 65538; u++) {
            for (Segment s : segments(u, 150)) {
                feed(r, s, 0);
            }
        }
        assertEquals(List.of(65534L, 65535L, 65536L, 65537L, 65538L), listener.updateNumbers());
        assertArrayEquals(value(65537, 150), listener.updates.get(3).value());
        assertTrue(listener.requests.isEmpty());
    }

    /** What a tag is checked against: the number the stream would give the segment, asked without changing it. */
    @Test
    void extendsAWireNumberAsTheStreamWouldWithoutTakingTheSegment() {
        Reassembler r = reassembler(10);
        assertEquals(-1, r.extended(STATE, VNF, 3), "a stream not started has no reference yet");
        r.expect(STATE, VNF, 65534);
        assertEquals(65534, r.extended(STATE, VNF, 65534));
        assertEquals(65537, r.extended(STATE, VNF, 1), "across the wrap");
        assertEquals(65534 - 10, r.extended(STATE, VNF, 65524), "behind the stream: a stale number");
        assertEquals(65534, r.nextUpdate(STATE, VNF), "nothing taken");
        assertTrue(listener.updates.isEmpty());
    }

    @Test
    void duplicatesAndStaleSegmentsAreIgnored() {
        Reassembler r = reassembler(10);
        List<Segment> first = segments(0, 10);
        feed(r, first.get(0), 0);
        assertEquals(Reassembler.Verdict.DUPLICATE, r.accept(first.get(0).header(), first.get(0).payload(), 0));
        assertEquals(1, listener.updates.size());
        assertEquals(1, r.counters().duplicates());
    }

    @Test
    void inconsistentSegmentCountIsDroppedNotDelivered() {
        Reassembler r = reassembler(10);
        r.expect(STATE, VNF, 0);
        List<Segment> real = segments(0, 150); // three segments
        feed(r, real.get(0), 0);
        Segment forged = new Segment(STATE, VNF, 0, 2, 1, new byte[5]);
        assertEquals(Reassembler.Verdict.INCONSISTENT, r.accept(forged.header(), forged.payload(), 0));
        assertTrue(listener.updates.isEmpty());
        feed(r, real.get(1), 0);
        feed(r, real.get(2), 0);
        assertArrayEquals(value(0, 150), listener.updates.get(0).value());
    }

    @Test
    void reorderingWithinTheGraceAsksForNothing() {
        Reassembler r = reassembler(50);
        r.expect(STATE, VNF, 0);
        List<Segment> u0 = segments(0, 150);
        List<Segment> u1 = segments(1, 10);
        feed(r, u1.get(0), 0);
        feed(r, u0.get(2), 10);
        feed(r, u0.get(0), 20);
        feed(r, u0.get(1), 30);
        r.poll(49);
        assertTrue(listener.requests.isEmpty());
        assertEquals(List.of(0L, 1L), listener.updateNumbers());
    }

    @Test
    void requestsTheBacklogDidNotAnswerDoNotCountTowardsGivingUp() {
        Reassembler r = reassembler(0); // 3 attempts, 100 ms apart
        r.expect(STATE, VNF, 0);
        segments(1, 10).forEach(s -> feed(r, s, 0)); // update 0 lost
        r.poll(0);
        for (int round = 1; round <= 10; round++) { // a controller node down for a second
            r.recoveryUnanswered(STATE, VNF);
            r.poll(round * 100L);
        }
        assertEquals(11, listener.requests.size(), "every unanswered request is asked again");
        assertEquals(0, r.counters().unrecoverable(), "an absent backlog is no evidence of loss");
        assertEquals(10, r.counters().unanswered());

        r.recoveryAnswered(STATE, VNF, 1_000); // the shard is back and lacks the update: these count
        r.poll(1_100);
        r.recoveryAnswered(STATE, VNF, 1_100);
        r.poll(1_200);
        r.recoveryAnswered(STATE, VNF, 1_200);
        r.poll(1_300);
        assertEquals(1, r.counters().unrecoverable(), "three answers without it: given up");
    }

    @Test
    void lostLastUpdateIsFoundThroughTheLatestNumber() {
        Reassembler r = reassembler(0);
        r.expect(STATE, VNF, 0);
        segments(0, 10).forEach(s -> feed(r, s, 0));
        r.noteLatest(STATE, VNF, 2, 0);
        assertEquals(List.of(new RecoveryRequest(STATE, VNF, List.of(MissingUpdate.whole(1), MissingUpdate.whole(2)))),
                listener.requests);
    }

    @Test
    void aGapThatBecomesTheHeadWaitsItsOwnGraceBeforeItsRequest() {
        Reassembler r = reassembler(50);
        r.expect(STATE, VNF, 0);
        segments(1, 10).forEach(s -> feed(r, s, 0)); // update 0 lost
        r.poll(50);
        assertEquals(1, listener.requests.size(), "the first gap is asked for after its grace");
        segments(3, 10).forEach(s -> feed(r, s, 60)); // update 2 lost after that request went out
        segments(0, 10).forEach(s -> r.acceptRecovered(s, 70)); // the answer fills update 0
        r.recoveryAnswered(STATE, VNF, 70);
        assertEquals(List.of(0L, 1L), listener.updateNumbers());
        assertEquals(1, listener.requests.size(), "update 2 may not have reached the backlog yet");
        r.poll(109);
        assertEquals(1, listener.requests.size(), "its grace runs from 60, when update 3 showed the gap");
        r.poll(110);
        assertEquals(List.of(MissingUpdate.whole(2)), listener.requests.get(1).missing());
    }

    @Test
    void aGapSeenLongAgoIsAskedForAsSoonAsItBecomesTheHead() {
        Reassembler r = reassembler(50);
        r.expect(STATE, VNF, 0);
        segments(1, 10).forEach(s -> feed(r, s, 0));
        segments(3, 10).forEach(s -> feed(r, s, 0)); // updates 0 and 2 lost, both visible at 0
        r.poll(50);
        assertEquals(List.of(MissingUpdate.whole(0), MissingUpdate.whole(2)), listener.requests.get(0).missing());
        segments(0, 10).forEach(s -> r.acceptRecovered(s, 60)); // a bounded answer brought only update 0
        assertEquals(List.of(0L, 1L), listener.updateNumbers());
        assertEquals(1, listener.requests.size(), "nothing is asked while the answer is being offered");
        r.recoveryAnswered(STATE, VNF, 60);
        assertEquals(2, listener.requests.size(), "update 2 has been missing for 60 ms: asked for again at once");
        assertEquals(List.of(MissingUpdate.whole(2)), listener.requests.get(1).missing());
    }

    @Test
    void retriesThenDeclaresTheGapUnrecoverable() {
        Reassembler r = reassembler(0);
        r.expect(STATE, VNF, 0);
        segments(1, 10).forEach(s -> feed(r, s, 0)); // update 0 lost
        assertEquals(1, listener.requests.size());
        r.poll(99);
        assertEquals(1, listener.requests.size());
        r.poll(100);
        r.poll(200);
        assertEquals(3, listener.requests.size());
        r.poll(300);
        assertArrayEquals(new long[] {0, 0}, listener.gaps.get(0));
        assertEquals(List.of(1L), listener.updateNumbers());
        assertEquals(2, r.nextUpdate(STATE, VNF));
    }

    @Test
    void truncatedUpdatesAreReportedAndSkipped() {
        Reassembler r = reassembler(0);
        r.expect(STATE, VNF, 0);
        segments(2, 10).forEach(s -> feed(r, s, 0));
        r.declareUnrecoverable(STATE, VNF, List.of(MissingUpdate.whole(0)), 1);
        assertTrue(listener.updates.isEmpty());
        segments(1, 10).forEach(s -> feed(r, s, 2));
        assertEquals(List.of(1L, 2L), listener.updateNumbers());
        assertEquals(1, listener.gaps.size());
        assertArrayEquals(new long[] {0, 0}, listener.gaps.get(0));
    }

    @Test
    void memoryBoundDefersTheFurthestUpdateAndRecoversIt() {
        Reassembler r = new Reassembler(new ReassemblyConfig(200, 200, 1024, 0, 100, 5, 1024), listener);
        r.expect(STATE, VNF, 0);
        // Update 0 blocked by a lost segment; later updates fill the buffer.
        List<Segment> u0 = segments(0, 100);
        feed(r, u0.get(0), 0);
        segments(1, 100).forEach(s -> feed(r, s, 0));
        segments(2, 100).forEach(s -> feed(r, s, 0));
        assertTrue(r.bufferedBytes(VNF) <= 200, "buffered " + r.bufferedBytes(VNF));
        assertTrue(r.counters().deferred() > 0);
        // Whatever was deferred is named in the requests and delivered once recovered.
        for (int round = 0; round < 5 && listener.updates.size() < 3; round++) {
            RecoveryRequest request = listener.requests.get(listener.requests.size() - 1);
            for (MissingUpdate missing : request.missing()) {
                for (Segment s : segments(missing.update(), 100)) {
                    if (missing.isWhole() || missing.segments().contains(s.segmentNo())) {
                        r.acceptRecovered(s, 1);
                    }
                }
            }
            r.poll(1000L * (round + 1));
        }
        assertEquals(List.of(0L, 1L, 2L), listener.updateNumbers());
    }
    /** The backlog's answer to a request: every segment of what it names, from {@code updates}. */
    private void answer(Reassembler r, RecoveryRequest request, long now, long... updates) {
        for (MissingUpdate missing : request.missing()) {
            if (java.util.Arrays.stream(updates).noneMatch(u -> u == missing.update())) {
                continue;
            }
            for (Segment s : segments(missing.update(), 10)) {
                if (missing.isWhole() || missing.segments().contains(s.segmentNo())) {
                    r.acceptRecovered(s, now);
                }
            }
        }
    }

    @Test
    void oneRequestIsInFlightUntilItsAnswerIsReportedOrItsRetryIsDue() {
        Reassembler r = reassembler(0); // retry 100
        r.expect(STATE, VNF, 0);
        segments(1, 10).forEach(s -> feed(r, s, 0));
        segments(3, 10).forEach(s -> feed(r, s, 0)); // updates 0 and 2 lost
        assertEquals(1, listener.requests.size());
        assertTrue(r.recoveryInFlight(STATE, VNF, 1));
        segments(5, 10).forEach(s -> feed(r, s, 10)); // update 4 lost while the request is in flight
        r.poll(99);
        assertEquals(1, listener.requests.size(), "no second request while the first is unanswered");
        answer(r, listener.requests.get(0), 20, 0); // a bounded answer: update 0 only
        r.noteLatest(STATE, VNF, 5, 20);
        assertEquals(1, listener.requests.size(), "nothing is asked while the answer is being offered");
        r.recoveryAnswered(STATE, VNF, 20);
        assertEquals(List.of(0L, 1L), listener.updateNumbers());
        assertEquals(List.of(MissingUpdate.whole(2), MissingUpdate.whole(4)), listener.requests.get(1).missing(),
                "an answer that filled the oldest gap lets the next request go at once");
        r.poll(119);
        assertEquals(2, listener.requests.size());
        r.poll(120);
        assertEquals(3, listener.requests.size(), "an answer lost: the retry interval re-arms the stream");
        assertEquals(listener.requests.get(1), listener.requests.get(2));
    }

    @Test
    void anAnswerThatBringsNothingForTheOldestGapWaitsOutTheRetry() {
        Reassembler r = reassembler(0);
        r.expect(STATE, VNF, 0);
        segments(1, 10).forEach(s -> feed(r, s, 0)); // update 0 lost, not in the backlog yet
        assertEquals(1, listener.requests.size());
        r.noteLatest(STATE, VNF, 1, 2);
        r.recoveryAnswered(STATE, VNF, 2); // an empty answer
        assertFalse(r.recoveryInFlight(STATE, VNF, 2));
        r.poll(99);
        assertEquals(1, listener.requests.size(), "asking again at once would spin on the backlog");
        r.poll(100);
        assertEquals(2, listener.requests.size());
    }

    @Test
    void aCallerThatDoesNotReportAnswersIsPacedByItsNextSegmentOrTick() {
        Reassembler r = reassembler(0);
        r.expect(STATE, VNF, 0);
        segments(1, 10).forEach(s -> feed(r, s, 0));
        segments(3, 10).forEach(s -> feed(r, s, 0)); // updates 0 and 2 lost
        answer(r, listener.requests.get(0), 5, 0);
        r.noteLatest(STATE, VNF, 3, 5); // the end of the answer's report, as the receive path makes it
        assertEquals(1, listener.requests.size(), "the answer's latest may not end it");
        r.poll(5);
        assertEquals(2, listener.requests.size(), "the tick after the answer's segments ends it");
        assertEquals(List.of(MissingUpdate.whole(2)), listener.requests.get(1).missing());
    }

    @Test
    void aRequestNamesOnlyGapsOlderThanTheGrace() {
        Reassembler r = reassembler(50);
        r.expect(STATE, VNF, 0);
        segments(1, 10).forEach(s -> feed(r, s, 0)); // update 0 lost, visible at 0
        segments(3, 10).forEach(s -> feed(r, s, 40)); // update 2 lost, visible at 40
        r.poll(50);
        assertEquals(List.of(MissingUpdate.whole(0)), listener.requests.get(0).missing(),
                "update 2 may still come within its grace");
        answer(r, listener.requests.get(0), 51, 0);
        r.recoveryAnswered(STATE, VNF, 51);
        r.poll(89);
        assertEquals(1, listener.requests.size());
        r.poll(90);
        assertEquals(List.of(MissingUpdate.whole(2)), listener.requests.get(1).missing());
    }

    @Test
    void theBacklogsLatestIsNotChasedWhileDataFlowsButRevealsLostTrailingUpdatesOnceIdle() {
        Reassembler r = reassembler(50);
        r.expect(STATE, VNF, 0);
        for (long u = 0; u <= 20; u++) {
            long now = u;
            segments(u, 10).forEach(s -> feed(r, s, now));
            if (u == 5) {
                r.noteLatest(STATE, VNF, 100, 5); // the backlog is ahead of a lagging data plane
                assertEquals(List.of(), r.missing(STATE, VNF), "updates 6..100 are still on their way");
            }
        }
        r.poll(69);
        assertEquals(List.of(), r.missing(STATE, VNF), "idle only after a grace without segments");
        assertTrue(listener.requests.isEmpty());
        // The data plane stopped at 20; say 21..30 arrive late, and the rest is lost.
        for (long u = 21; u <= 30; u++) {
            long now = 40 + u;
            segments(u, 10).forEach(s -> feed(r, s, now));
        }
        r.poll(119);
        assertTrue(listener.requests.isEmpty());
        r.poll(120); // idle since 70: the latest applies now, a step at a time, overdue a grace later
        assertTrue(listener.requests.isEmpty());
        assertEquals(Reassembler.LATEST_STEP, r.missing(STATE, VNF).size());
        r.poll(170);
        assertEquals(1, listener.requests.size());
        List<MissingUpdate> first = listener.requests.get(0).missing();
        assertEquals(List.of(31L, 94L), List.of(first.get(0).update(), first.get(first.size() - 1).update()),
                "at most a step past what arrived: a stalled switch looks idle too");
        answer(r, listener.requests.get(0), 175, java.util.stream.LongStream.rangeClosed(31, 94).toArray());
        r.recoveryAnswered(STATE, VNF, 175);
        r.poll(225); // still idle: the next step, overdue a grace after it was raised
        assertEquals(2, listener.requests.size());
        List<MissingUpdate> second = listener.requests.get(1).missing();
        assertEquals(List.of(95L, 100L), List.of(second.get(0).update(), second.get(second.size() - 1).update()));
    }

    @Test
    void anAnswerFromABacklogThatDoesNotHoldTheGapYetIsAskedAgainSoonNotAfterTheWholeRetry() {
        // Grace 50 ms, retry 1000 ms: the backlog lags the data plane (appends behind on a loaded
        // machine), so the first answers say its latest is below the gap.
        Reassembler r = new Reassembler(new ReassemblyConfig(1 << 20, 1 << 22, 1024, 50, 1000, 60, 1024), listener);
        r.expect(STATE, VNF, 0);
        feed(r, segments(0, 10).get(0), 0);
        for (long u = 2; u <= 20; u++) {
            feed(r, segments(u, 10).get(0), 0); // update 1 lost
        }
        r.poll(50);
        assertEquals(1, listener.requests.size());
        r.noteLatest(STATE, VNF, 0, 51); // the answer: nothing, and the backlog's latest is 0
        r.recoveryAnswered(STATE, VNF, 51);
        r.poll(100);
        assertEquals(1, listener.requests.size(), "a grace after the early answer, not before");
        r.poll(101);
        assertEquals(2, listener.requests.size(), "asked again a grace later, not a whole retry later");
        r.noteLatest(STATE, VNF, 0, 102); // early again: the next wait doubles
        r.recoveryAnswered(STATE, VNF, 102);
        r.poll(201);
        assertEquals(2, listener.requests.size());
        r.poll(202);
        assertEquals(3, listener.requests.size());
        segments(1, 10).forEach(seg -> r.acceptRecovered(seg, 203)); // now the backlog has it
        r.recoveryAnswered(STATE, VNF, 203);
        assertEquals(21, listener.updateNumbers().size());
    }

    @Test
    void anEmptyAnswerFromABacklogThatHoldsTheGapWaitsTheWholeRetry() {
        Reassembler r = new Reassembler(new ReassemblyConfig(1 << 20, 1 << 22, 1024, 50, 1000, 60, 1024), listener);
        r.expect(STATE, VNF, 0);
        feed(r, segments(0, 10).get(0), 0);
        feed(r, segments(2, 10).get(0), 0);
        r.poll(50);
        assertEquals(1, listener.requests.size());
        r.noteLatest(STATE, VNF, 2, 51); // the backlog holds update 1, yet the answer brought nothing
        r.recoveryAnswered(STATE, VNF, 51);
        r.poll(1049);
        assertEquals(1, listener.requests.size(), "an answer that lost its segments is a lost answer");
        r.poll(1050);
        assertEquals(2, listener.requests.size());
    }

    @Test
    void givingUpOnAnOldGapSparesAYoungOne() {
        Reassembler r = new Reassembler(new ReassemblyConfig(1 << 20, 1 << 22, 1024, 50, 100, 1, 1024), listener);
        r.expect(STATE, VNF, 0);
        segments(1, 10).forEach(s -> feed(r, s, 0)); // update 0 lost for good
        r.poll(50);
        assertEquals(1, listener.requests.size());
        segments(3, 10).forEach(s -> feed(r, s, 120)); // update 2 lost, visible at 120
        r.poll(150); // the one attempt for update 0 is spent
        assertArrayEquals(new long[] {0, 0}, listener.gaps.get(0));
        assertEquals(List.of(1L), listener.updateNumbers());
        assertEquals(1, listener.gaps.size(), "update 2 is not overdue yet");
        r.poll(170);
        assertEquals(List.of(MissingUpdate.whole(2)), listener.requests.get(1).missing());
        segments(2, 10).forEach(s -> r.acceptRecovered(s, 171));
        r.recoveryAnswered(STATE, VNF, 171);
        assertEquals(List.of(1L, 2L, 3L), listener.updateNumbers());
    }
}
