package io.stare.client;


/**
 * The outcome of a publish, as a value (publishing never throws). The hot path's
 * {@code tryPublish} answers with a code instead, without allocating: the update number (0 or
 * more) or one of the negative codes below; {@link #of} turns a code into this value.
 */
public sealed interface PublishResult {

    /** Code: the VNF did not declare the state. */
    long NOT_DECLARED = -1;
    /**
     * Code: a bounded buffer is full (the VNF's updates not yet sent, the publish log, or the updates
     * the backlog has not confirmed).
     */
    long BACK_PRESSURED = -2;
    /** Code: the update needs more than 128 segments at the configured MTU. */
    long TOO_LARGE = -3;
    /** Code: the VNF is not attached (it left, or its middleware restarts). */
    long UNAVAILABLE = -4;

    /** Why a publish answered with the negative {@code code} was refused. */
    static Reason reason(long code) {
        if (code >= 0 || code < UNAVAILABLE) {
            throw new IllegalArgumentException(code + " is not a refusal code");
        }
        return Reason.values()[(int) (-code - 1)];
    }

    /**
     * The value of a {@code tryPublish} outcome.
     *
     * @param segments the segments a published update took
     */
    static PublishResult of(int stateId, long code, int segments) {
        if (code >= 0) {
            return new Published(stateId, code, segments);
        }
        Reason reason = reason(code);
        return new Refused(reason, switch (reason) {
            case NOT_DECLARED -> "state " + stateId + " was not declared by this VNF";
            case BACK_PRESSURED -> "the publish log is full or the backlog has not confirmed enough updates yet";
            case TOO_LARGE -> "the update needs more than 128 segments at this MTU";
            case UNAVAILABLE -> "the VNF is not attached (it left, or its middleware restarts)";
        });
    }

    /**
     * The update was numbered and written into the publish log; the main path sends it (and hands it
     * to the server's own subscribers) in its next cycle, and keeps it until the backlog confirms it.
     *
     * @param stateId the state
     * @param update its extended update number
     * @param segments how many segments it took on the wire
     */
    record Published(int stateId, long update, int segments) implements PublishResult {
    }

    /** The update was not published. */
    record Refused(Reason reason, String detail) implements PublishResult {
    }

    /** Why a publish was refused. */
    enum Reason {
        /** The VNF did not declare the state (only its declared publisher may publish it). */
        NOT_DECLARED,
        /** A bounded buffer is full (the VNF's unsent updates, the publish log, or the unconfirmed updates). */
        BACK_PRESSURED,
        /** The update needs more than 128 segments at the configured MTU. */
        TOO_LARGE,
        /** The VNF is not attached: it left, or its middleware restarts and it declares its states again. */
        UNAVAILABLE
    }
}
