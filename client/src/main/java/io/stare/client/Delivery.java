package io.stare.client;

import java.util.Arrays;

/** What the middleware hands a subscribing VNF, through its INT module. */
public sealed interface Delivery {

    /** The state the delivery concerns. */
    int stateId();

    /**
     * One whole update of a subscribed state, in order, exactly once.
     *
     * @param stateId the state
     * @param publisherVnfId the publishing VNF
     * @param update the extended (64-bit) update number; UPDATE_NO on the wire is its low 16 bits
     * @param value the update's bytes (copied in and out)
     */
    record Update(int stateId, int publisherVnfId, long update, byte[] value) implements Delivery {
        public Update {
            value = value.clone();
        }

        @Override
        public byte[] value() {
            return value.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Update u && stateId == u.stateId && publisherVnfId == u.publisherVnfId
                    && update == u.update && Arrays.equals(value, u.value);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * (31 * stateId + publisherVnfId) + Long.hashCode(update)) + Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return "Update[state=" + stateId + ", publisher=" + publisherVnfId + ", update=" + update + ", "
                    + value.length + " bytes]";
        }
    }

    /**
     * Updates {@code first..last} of a state will never be delivered: the backlog no longer had them
     * after RECOVER, or the VNF's inbound queue overflowed.
     *
     * @param stateId the state
     * @param publisherVnfId the publishing VNF
     * @param first the first lost extended update number
     * @param last the last lost one
     * @param reason why
     */
    record Loss(int stateId, int publisherVnfId, long first, long last, Reason reason) implements Delivery {
        /** Why updates were lost. */
        public enum Reason {
            /** Lost in the network and no longer in the replica controller's backlog. */
            UNRECOVERABLE,
            /**
             * Dropped because the VNF did not keep up. No longer sent: what a full inbound queue
             * turns away is read again from the backlog; kept so that older code still compiles.
             */
            INBOUND_OVERFLOW
        }
    }
}
