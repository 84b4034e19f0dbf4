package io.stare.actors.backlog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.protocol.control.Recovered;
import io.stare.protocol.segment.MissingUpdate;
import io.stare.protocol.segment.Segment;
import io.stare.protocol.segment.Segmenter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BacklogTest {

    private static final int STATE = 9;
    private static final Segmenter SEGMENTER = new Segmenter(100); // 64-byte segments

    private static List<Segment> update(long u, int length) {
        return SEGMENTER.split(STATE, 2, u, new byte[length]);
    }

    private static Backlog backlogWith(BacklogLimits limits, long... updates) {
        Backlog backlog = new Backlog(STATE, limits);
        for (long u : updates) {
            update(u, 150).forEach(backlog::append); // three segments each
        }
        return backlog;
    }

    private static final BacklogLimits ROOMY = new BacklogLimits(1 << 20, 10_000);

    @Test
    void recoverAnswersExactlyTheMissingSegments() {
        Backlog backlog = backlogWith(ROOMY, 0, 1, 2);
        Recovered answer = backlog.recover(7, List.of(new MissingUpdate(1, List.of(0, 2)), MissingUpdate.whole(2)));
        assertEquals(7, answer.requestId());
        assertEquals(List.of(update(1, 150).get(0), update(1, 150).get(2), update(2, 150).get(0),
                update(2, 150).get(1), update(2, 150).get(2)), answer.segments());
        assertEquals(List.of(), answer.truncated());
        assertEquals(2, answer.latestUpdate());
    }

    @Test
    void truncatedUpdatesAreSaidSoAndUnknownFutureOnesAreLeftOut() {
        Backlog backlog = backlogWith(ROOMY, 0, 1, 2);
        assertEquals(6, backlog.truncateBelow(2));
        assertEquals(2, backlog.horizon());
        Recovered answer = backlog.recover(1, List.of(MissingUpdate.whole(1), MissingUpdate.whole(2),
                MissingUpdate.whole(5)));
        assertEquals(List.of(MissingUpdate.whole(1)), answer.truncated());
        assertEquals(3, answer.segments().size()); // update 2; update 5 is not known yet, not truncated
        assertEquals(Backlog.Appended.TOO_OLD, backlog.append(update(1, 150).get(0)));
    }

    @Test
    void truncationNeverMovesBackNorPastTheNewest() {
        Backlog backlog = backlogWith(ROOMY, 0, 1);
        backlog.truncateBelow(1);
        backlog.truncateBelow(0);
        assertEquals(1, backlog.horizon());
        backlog.truncateBelow(100);
        assertEquals(2, backlog.horizon(), "the horizon stops just after the newest update");
        assertEquals(0, backlog.segments());
    }

    @Test
    void duplicatesAndInconsistentSegmentsAreNotKept() {
        Backlog backlog = backlogWith(ROOMY, 0);
        assertEquals(Backlog.Appended.DUPLICATE, backlog.append(update(0, 150).get(1)));
        assertEquals(Backlog.Appended.INCONSISTENT, backlog.append(new Segment(STATE, 2, 0, 5, 4, new byte[1])));
        assertEquals(3, backlog.segments());
        assertThrows(IllegalArgumentException.class, () -> backlog.append(new Segment(STATE + 1, 2, 0, 1, 0, new byte[0])));
    }

    @Test
    void theHardCapDropsTheOldestUpdatesAndSaysSo() {
        // 3 updates of 150 bytes fit in 400 bytes only two at a time.
        Backlog backlog = backlogWith(new BacklogLimits(400, 1_000), 0, 1, 2, 3);
        assertTrue(backlog.bytes() <= 400, "bytes " + backlog.bytes());
        assertEquals(Map.of(2L, 3, 3L, 3), backlog.heldSegmentsPerUpdate());
        assertEquals(2, backlog.horizon());
        assertEquals(6, backlog.evictedByCap());
        assertEquals(List.of(MissingUpdate.whole(0)), backlog.recover(1, List.of(MissingUpdate.whole(0))).truncated());

        Backlog bySegments = backlogWith(new BacklogLimits(1 << 20, 4), 0, 1);
        assertEquals(Map.of(1L, 3), bySegments.heldSegmentsPerUpdate());
    }

    @Test
    void theNewestUpdateIsKeptEvenAboveTheCap() {
        Backlog backlog = backlogWith(new BacklogLimits(100, 1_000), 0);
        assertEquals(Map.of(0L, 3), backlog.heldSegmentsPerUpdate());
    }

    @Test
    void aSnapshotRestoresTheSameBacklog() {
        Backlog backlog = backlogWith(ROOMY, 0, 1, 2, 3);
        backlog.truncateBelow(2);
        backlog.append(update(5, 150).get(1)); // part of a later update
        Backlog restored = Backlog.of(backlog.snapshot(), ROOMY);
        assertEquals(backlog.heldSegmentsPerUpdate(), restored.heldSegmentsPerUpdate());
        assertEquals(2, restored.horizon());
        assertEquals(5, restored.latestUpdate());
        assertEquals(backlog.bytes(), restored.bytes());
        List<MissingUpdate> ask = List.of(MissingUpdate.whole(1), MissingUpdate.whole(2), MissingUpdate.whole(5));
        assertEquals(backlog.recover(1, ask), restored.recover(1, ask));
    }

    @Test
    void classifyTellsWhatAppendWouldDoWithoutDoingIt() {
        Backlog backlog = backlogWith(ROOMY, 4);
        backlog.truncateBelow(4);
        assertEquals(Backlog.Appended.TOO_OLD, backlog.classify(update(3, 150).get(0)));
        assertEquals(Backlog.Appended.DUPLICATE, backlog.classify(update(4, 150).get(1)));
        assertEquals(Backlog.Appended.INCONSISTENT, backlog.classify(update(4, 500).get(0)));
        assertEquals(Backlog.Appended.STORED, backlog.classify(update(6, 150).get(0)));
        assertEquals(3, backlog.segments(), "classify stored nothing");
    }

    @Test
    void aRecoverAnswerStopsAtItsByteBudgetInTheOrderAsked() {
        Backlog backlog = backlogWith(ROOMY, 0, 1, 2); // 64 + 64 + 22 bytes per update
        List<MissingUpdate> ask = List.of(MissingUpdate.whole(0), MissingUpdate.whole(1), MissingUpdate.whole(2));
        Recovered answer = backlog.recover(3, ask, 200);
        assertEquals(update(0, 150), answer.segments(), "update 0 takes 150 bytes; 64 more would pass 200");
        assertEquals(List.of(update(0, 150).get(0), update(0, 150).get(1), update(0, 150).get(2),
                update(1, 150).get(0)), backlog.recover(3, ask, 214).segments());
        assertEquals(1, backlog.recover(3, ask, 1).segments().size(), "at least one segment, whatever the budget");
        assertEquals(9, backlog.recover(3, ask).segments().size());
    }
}
