package io.stare.client;

import java.nio.ByteBuffer;

/**
 * Receives a subscribed state's updates where they lie: on the middleware's data-path thread, from
 * its receive buffer, with no copy and no actor in between (an update published by a VNF of the
 * same server may come on that VNF's publishing thread instead, while the data path is idle; calls
 * never overlap either way). The fastest way to subscribe, for code that does little per update
 * (count it, decode a few fields, copy what it keeps).
 *
 * <p>The contract: calls come one at a time, in update order, each update exactly once (or a
 * {@link #onLoss} in its place); the buffer's bytes {@code [offset, offset + length)} are valid only
 * during the call (read them with absolute gets, copy what must outlive it); the handler must not
 * block, since every other state of the server waits meanwhile; and an exception it throws is
 * counted and reported (and, in the middleware, its {@code handlerErrors} counter), never thrown into the data path.
 * A handler that needs time or order with other work should use a {@link StateListener} instead,
 * which the VNF's actor calls with a copy.
 */
@FunctionalInterface
public interface UpdateHandler {

    /**
     * One whole update.
     *
     * @param stateId the state
     * @param publisherVnfId the publishing VNF
     * @param update the extended update number
     * @param buffer holds the value; read it with absolute gets, do not keep it
     * @param offset where the value starts in {@code buffer}
     * @param length the value's length
     */
    void onUpdate(int stateId, int publisherVnfId, long update, ByteBuffer buffer, int offset, int length);

    /** Updates that will never arrive (the backlog no longer held them). */
    default void onLoss(Delivery.Loss loss) {
    }
}
