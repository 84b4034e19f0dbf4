package io.stare.state.flush;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** What happened to writes that did not wait for the store: counted, never thrown into the caller's path. */
public final class FlushCounters {

    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong failedNoWait = new AtomicLong();
    private final AtomicLong failedFlushes = new AtomicLong();
    private final AtomicLong flushes = new AtomicLong();
    private final AtomicLong flushedChanges = new AtomicLong();
    private final AtomicReference<Throwable> lastFailure = new AtomicReference<>();

    /** Asynchronous writes refused because the buffer was full. */
    public long refused() {
        return refused.get();
    }

    /** {@code no-wait} writes the store failed. */
    public long failedNoWait() {
        return failedNoWait.get();
    }

    /** Flushes the store failed (their changes were kept and sent again). */
    public long failedFlushes() {
        return failedFlushes.get();
    }

    /** Flushes the store took. */
    public long flushes() {
        return flushes.get();
    }

    /** Changes the store took in flushes (after merging). */
    public long flushedChanges() {
        return flushedChanges.get();
    }

    /** The last failure of a write that did not wait, if any. */
    public Optional<Throwable> lastFailure() {
        return Optional.ofNullable(lastFailure.get());
    }

    void refusedOne() {
        refused.incrementAndGet();
    }

    /** A {@code no-wait} write failed. */
    public void noWaitFailed(Throwable error) {
        failedNoWait.incrementAndGet();
        lastFailure.set(error);
    }

    void flushFailed(Throwable error) {
        failedFlushes.incrementAndGet();
        lastFailure.set(error);
    }

    void flushed(int changes) {
        flushes.incrementAndGet();
        flushedChanges.addAndGet(changes);
    }

    @Override
    public String toString() {
        return "refused " + refused() + ", no-wait failures " + failedNoWait() + ", flushes " + flushes() + " ("
                + flushedChanges() + " changes, " + failedFlushes() + " failed)";
    }
}
