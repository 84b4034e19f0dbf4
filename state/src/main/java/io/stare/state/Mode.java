package io.stare.state;

import java.util.Locale;

/** How a structure's writes reach the store (FlexState's three forms of call). */
public enum Mode {
    /** A write's stage completes once the store has it; reads ask the store. */
    SYNC,
    /**
     * A write returns at once and goes to the store in the background, in order: one batch in
     * flight, the writes that come meanwhile sent next as one batch. A failure is counted
     * ({@link StateSpace#counters()}), never thrown into the caller's (the packet's) path; past
     * {@code stare.state.buffer} queued writes a write is dropped and counted failed. Reads ask the
     * store, so they may miss writes still on their way.
     */
    NO_WAIT,
    /**
     * Writes hit a local cache and return; a flusher sends the merged changes every
     * {@code stare.state.flush-period}. Reads see this instance's own writes at once.
     */
    ASYNC;

    /** The mode named {@code sync}, {@code no-wait} (or {@code no_wait}) or {@code async}. */
    public static Mode parse(String name) {
        String n = name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (Mode mode : values()) {
            if (mode.name().equals(n)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("stare.state.mode must be sync, no-wait or async, not '" + name + "'");
    }
}
