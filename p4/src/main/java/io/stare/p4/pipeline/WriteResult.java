package io.stare.p4.pipeline;

import java.util.Objects;

/**
 * The outcome of writing a table entry, a multicast group or a clone session. Refusals carry the
 * P4Runtime-style reason, which the P4Runtime server maps to the gRPC status of the same name.
 */
public sealed interface WriteResult permits WriteResult.Done, WriteResult.Refused {

    /** Why a write was refused. */
    enum Reason {
        /** Insert of a key or id that is already present. */
        ALREADY_EXISTS,
        /** Modify or delete of a key or id that is absent. */
        NOT_FOUND,
        /** A value outside its range: port, id, prefix, group. */
        INVALID_ARGUMENT,
        /** The table is full. */
        RESOURCE_EXHAUSTED
    }

    /** The write was applied. */
    record Done() implements WriteResult {
    }

    /** The write was refused and nothing changed. */
    record Refused(Reason reason, String detail) implements WriteResult {
        public Refused {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }

        @Override
        public String toString() {
            return reason + ": " + detail;
        }
    }

    /** The single success value. */
    WriteResult DONE = new Done();

    /** A refusal. */
    static WriteResult refused(Reason reason, String detail) {
        return new Refused(reason, detail);
    }

    /** Whether the write was applied. */
    default boolean isDone() {
        return this instanceof Done;
    }
}
