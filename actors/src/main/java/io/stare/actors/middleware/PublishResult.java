package io.stare.actors.middleware;

import org.apache.pekko.actor.NoSerializationVerificationNeeded;

/** The outcome of a publish, as a value (publishing never throws). */
public sealed interface PublishResult extends NoSerializationVerificationNeeded {

    /**
     * The update was numbered, sent and delivered to local subscribers.
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
        /** A bounded queue is full (INT outbound queue, or updates the backlog has not confirmed). */
        BACK_PRESSURED,
        /** The update needs more than 128 segments at the configured MTU. */
        TOO_LARGE,
        /** The middleware did not answer in time or the VNF is not attached. */
        UNAVAILABLE
    }
}
