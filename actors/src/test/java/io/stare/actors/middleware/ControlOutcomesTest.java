package io.stare.actors.middleware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.stare.protocol.ErrorCode;
import io.stare.protocol.control.ControlFailure;
import io.stare.protocol.control.LatestUpdate;
import io.stare.protocol.control.StateFound;
import io.stare.protocol.control.StateUnknown;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** What the EXT module tells a VNF for each kind of answer the replica controller gives, or does not give. */
class ControlOutcomesTest {

    private static final TimeoutException NO_ANSWER = new TimeoutException("ask timed out after 3 s");

    @Test
    void aRefusalKeepsTheControllersCodeAndNoAnswerIsUnavailable() {
        Middleware.Failed refused = ControlOutcomes.failed("declare s", new ControlFailure(ErrorCode.BUSY, "queued"), null);
        assertEquals(new Middleware.Failed("declare s", ErrorCode.BUSY, "BUSY: queued"), refused);
        Middleware.Failed unanswered = ControlOutcomes.failed("attach v", null, NO_ANSWER);
        assertEquals(ErrorCode.UNAVAILABLE, unanswered.code());
        assertEquals("the replica controller did not answer: ask timed out after 3 s", unanswered.reason());
        assertEquals(ErrorCode.INTERNAL, ControlOutcomes.failed("attach v", new StateUnknown("s"), null).code());
    }

    @Test
    void aLookupFindsTheStateOrSaysNoVnfDeclaredIt() {
        assertEquals(new Middleware.Found("s", 4, 9),
                ControlOutcomes.lookedUp("lookup s", new StateFound("s", 4, 9), null));
        assertEquals(new Middleware.Failed("subscribe s", ErrorCode.UNKNOWN_STATE, "no VNF declared the state"),
                ControlOutcomes.lookedUp("subscribe s", new StateUnknown("s"), null));
        assertEquals(ErrorCode.UNAVAILABLE, ((Middleware.Failed) ControlOutcomes.lookedUp("lookup s", null, NO_ANSWER))
                .code());
    }

    @Test
    void aStreamStartsAfterTheBacklogsNewestUpdateWhenItIsKnown() {
        assertEquals(8, ControlOutcomes.afterLatest(new LatestUpdate(1, 7)));
        assertEquals(-1, ControlOutcomes.afterLatest(new ControlFailure(ErrorCode.BUSY, "queued")));
        assertEquals(-1, ControlOutcomes.afterLatest(null));
    }

    @Test
    void numberingGoesOnAfterTheBacklogAndNeverRestartsBlindly() {
        assertEquals(8L, ControlOutcomes.nextNumber(new LatestUpdate(1, 7), false));
        assertEquals(8L, ControlOutcomes.nextNumber(new LatestUpdate(1, 7), true));
        // The backlog did not say: a state numbered here before goes on (its publication keeps the
        // higher number), a state never numbered here cannot start at 0.
        assertEquals(0L, ControlOutcomes.nextNumber(null, true));
        assertNull(ControlOutcomes.nextNumber(null, false));
        assertNull(ControlOutcomes.nextNumber(new ControlFailure(ErrorCode.BUSY, "queued"), false));
    }

    @Test
    void numbersAnEarlierProcessLeftInThePublishLogAreNeverUsedAgain() {
        assertEquals(41L, ControlOutcomes.nextNumber(new LatestUpdate(1, 7), false, 41), "the backlog lags the log");
        assertEquals(8L, ControlOutcomes.nextNumber(new LatestUpdate(1, 7), false, 5), "the log's floor is older");
        assertEquals(41L, ControlOutcomes.nextNumber(null, false, 41), "no answer: the log alone is enough");
        assertNull(ControlOutcomes.nextNumber(null, false, -1), "no answer and no log: cannot go on");
    }

    @Test
    void aRecoverNobodyAnsweredIsNoEvidenceOfLoss() {
        assertTrue(ControlOutcomes.unanswered(null, new TimeoutException()));
        assertTrue(ControlOutcomes.unanswered(new ControlFailure(ErrorCode.UNAVAILABLE, "node down"), null));
        assertTrue(ControlOutcomes.unanswered(new ControlFailure(ErrorCode.BUSY, "queued"), null));
        assertFalse(ControlOutcomes.unanswered(new ControlFailure(ErrorCode.UNKNOWN_STATE, "never"), null));
        assertFalse(ControlOutcomes.unanswered(new LatestUpdate(1, 7), null));
    }
}
