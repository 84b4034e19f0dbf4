package io.stare.state.flush;

/**
 * An asynchronous write refused: the flusher already holds {@code stare.state.buffer} units of
 * changes the store has not taken (it is slow or away). Counted in {@link FlushCounters#refused()}.
 */
public final class StateBufferFullException extends RuntimeException {

    public StateBufferFullException(String message) {
        super(message);
    }
}
