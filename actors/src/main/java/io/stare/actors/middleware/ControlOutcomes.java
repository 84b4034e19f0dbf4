package io.stare.actors.middleware;

import io.stare.protocol.ErrorCode;
import io.stare.protocol.control.ControlFailure;
import io.stare.protocol.control.ControlReply;
import io.stare.protocol.control.LatestUpdate;
import io.stare.protocol.control.StateFound;
import io.stare.protocol.control.StateUnknown;
import io.stare.protocol.control.StatesListed;

/**
 * What the EXT module makes of the replica controller's answers (SIG RECEIVE), as pure functions:
 * a controller's refusal keeps its own code, no answer at all is {@link ErrorCode#UNAVAILABLE}.
 * Each answer is a {@link ControlReply} or, when the ask failed or timed out, an error.
 */
final class ControlOutcomes {

    private ControlOutcomes() {
    }

    /** The controller's own code when it refused; UNAVAILABLE when it did not answer. */
    static ErrorCode codeOf(ControlReply reply, Throwable error) {
        if (reply instanceof ControlFailure failure) {
            return failure.code();
        }
        return error != null ? ErrorCode.UNAVAILABLE : ErrorCode.INTERNAL;
    }

    /** Why the request failed, for people. */
    static String describe(ControlReply reply, Throwable error) {
        if (reply instanceof ControlFailure failure) {
            return failure.code() + ": " + failure.message();
        }
        return error != null ? "the replica controller did not answer: " + error.getMessage() : "unexpected " + reply;
    }

    /** {@code request} failed as the answer says. */
    static Middleware.Failed failed(String request, ControlReply reply, Throwable error) {
        return new Middleware.Failed(request, codeOf(reply, error), describe(reply, error));
    }

    /**
     * A lookup's answer for the VNF that asked: {@link Middleware.Found}, or {@link Middleware.Failed}
     * ({@link ErrorCode#UNKNOWN_STATE} when no VNF declared the state).
     *
     * @param request what was asked, for people ("subscribe ue-locations")
     */
    static Middleware.Reply lookedUp(String request, ControlReply reply, Throwable error) {
        if (reply instanceof StateFound found) {
            return new Middleware.Found(found.stateName(), found.stateId(), found.publisherVnfId());
        }
        if (reply instanceof StateUnknown) {
            return new Middleware.Failed(request, ErrorCode.UNKNOWN_STATE, "no VNF declared the state");
        }
        return failed(request, reply, error);
    }

    /** A listing's answer for the VNF that asked: {@link Middleware.Listed}, or {@link Middleware.Failed}. */
    static Middleware.Reply listed(String request, ControlReply reply, Throwable error) {
        if (reply instanceof StatesListed listed) {
            return new Middleware.Listed(listed.prefix(), listed.stateNames(), listed.complete());
        }
        return failed(request, reply, error);
    }

    /** The first update after the backlog's newest, or -1 when the backlog did not say. */
    static long afterLatest(ControlReply reply) {
        return reply instanceof LatestUpdate latest ? latest.latestUpdate() + 1 : -1;
    }

    /**
     * Where a declared state's numbering goes on: after the backlog's newest update, or from 0 for a
     * state the backlog never had. Null if the backlog did not answer and this server never numbered
     * the state: numbering from 0 would reuse numbers the backlog may hold (subscribers would drop
     * them as duplicates), so the declaration must fail.
     *
     * @param numberedBefore whether this server already numbers the state (its numbering goes on regardless)
     */
    static Long nextNumber(ControlReply reply, boolean numberedBefore) {
        if (reply instanceof LatestUpdate latest) {
            return latest.latestUpdate() + 1;
        }
        return numberedBefore ? 0L : null;
    }

    /**
     * As {@link #nextNumber(ControlReply, boolean)}, never below {@code floor}: one past the highest
     * update an earlier process of this server left in the publish log's file (-1: none), which is
     * never numbered again even where the backlog has not got it yet, and is enough to go on with
     * when the backlog does not answer.
     */
    static Long nextNumber(ControlReply reply, boolean numberedBefore, long floor) {
        Long next = nextNumber(reply, numberedBefore || floor >= 0);
        return next == null ? null : Math.max(next, floor);
    }

    /**
     * Whether a RECOVER got no answer from a backlog: the ask failed (timeout), or the backlog's node
     * cannot serve now ({@code UNAVAILABLE}, {@code BUSY}). Such a request is no evidence of loss.
     */
    static boolean unanswered(ControlReply reply, Throwable error) {
        return error != null || (reply instanceof ControlFailure failure
                && (failure.code() == ErrorCode.UNAVAILABLE || failure.code() == ErrorCode.BUSY));
    }
}
