package io.stare.actors.arq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The ARQ's pure logic, driven by a hand-held clock (nanoseconds). */
class SubRetransmissionsTest {

    private static final long MS = 1_000_000L;
    private static final byte[] FRAME = {1, 2, 3};
    private static final byte[] OTHER = {4, 5};

    private final SubRetransmissions arq = new SubRetransmissions(Duration.ofMillis(100), Duration.ofMillis(300), 3);

    @Test
    void resendsWithDoublingWaitsUpToTheMaximumThenGivesUp() {
        arq.sent(2, 7, 11, 1, FRAME, 0);
        assertEquals(OptionalLong.of(100 * MS), arq.nextDeadline());
        assertTrue(arq.poll(99 * MS).resend().isEmpty());

        assertEquals(List.of(new SubRetransmissions.Resend(2, FRAME)), arq.poll(100 * MS).resend());
        assertEquals(OptionalLong.of(300 * MS), arq.nextDeadline()); // waited 100, now 200
        assertEquals(1, arq.poll(300 * MS).resend().size());
        assertEquals(OptionalLong.of(600 * MS), arq.nextDeadline()); // 400 capped at 300
        assertEquals(1, arq.poll(600 * MS).resend().size());

        SubRetransmissions.Due last = arq.poll(900 * MS);
        assertTrue(last.resend().isEmpty());
        assertEquals(List.of(new SubRetransmissions.Key(2, 7)), last.abandoned());
        assertEquals(new ArqCounters(0, 0, 3, 1), arq.counters());
        assertEquals(OptionalLong.empty(), arq.nextDeadline());
    }

    @Test
    void aMatchingAckEndsTheRepetitionAndOthersDoNot() {
        arq.sent(2, 7, 11, 1, FRAME, 0);
        arq.sent(1, 7, 11, 1, FRAME, 0);
        assertFalse(arq.acknowledged(0, 7, 11, 1), "wrong port");
        assertFalse(arq.acknowledged(2, 8, 11, 1), "wrong state");
        assertFalse(arq.acknowledged(2, 7, 12, 1), "wrong sequence number");
        assertFalse(arq.acknowledged(2, 7, 11, 2), "wrong sender");
        assertTrue(arq.acknowledged(2, 7, 11, 1));
        assertFalse(arq.acknowledged(2, 7, 11, 1), "a duplicate ack");
        assertEquals(List.of(new SubRetransmissions.Resend(1, FRAME)), arq.poll(100 * MS).resend());
        assertEquals(new ArqCounters(1, 1, 1, 0), arq.counters());
    }

    @Test
    void aNewerPropagationForTheSameStateAndPortSupersedesTheOlder() {
        arq.sent(2, 7, 11, 1, FRAME, 0);      // SUB-register
        arq.sent(2, 7, 12, 1, OTHER, 50 * MS); // the SUB-remove that followed it
        assertFalse(arq.acknowledged(2, 7, 11, 1), "the register's late ack no longer counts");
        assertEquals(OptionalLong.of(150 * MS), arq.nextDeadline());
        assertEquals(List.of(new SubRetransmissions.Resend(2, OTHER)), arq.poll(150 * MS).resend());
        assertTrue(arq.acknowledged(2, 7, 12, 1));
        assertEquals(0, arq.counters().pending());
    }

    @Test
    void aLimitOfZeroGivesUpAtTheFirstTimeout() {
        SubRetransmissions none = new SubRetransmissions(Duration.ofMillis(10), Duration.ofMillis(10), 0);
        none.sent(0, 1, 1, 1, FRAME, 0);
        SubRetransmissions.Due due = none.poll(10 * MS);
        assertTrue(due.resend().isEmpty());
        assertEquals(1, due.abandoned().size());
    }
}
