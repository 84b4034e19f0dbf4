package io.stare.state;

import io.stare.state.store.Bytes;
import io.stare.state.store.Change;
import io.stare.state.store.StateKey;
import io.stare.state.store.StateStore;
import io.stare.state.store.StateStoreException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A store in front of another that can be made to fail its writes: as a store away does (a failed
 * stage), or as a broken driver does (throwing). Reads pass through unless {@link #failReads} says
 * they fail too (the store away for everything).
 */
public final class FaultyStore implements StateStore {

    /** What the next writes meet. */
    public enum Fault { NONE, FAIL, THROW, STALL }

    private final StateStore inner;
    private volatile Fault fault = Fault.NONE;
    final AtomicLong refusedBatches = new AtomicLong();
    /** Reads failed while {@link #failReads} was on. */
    public final AtomicLong refusedReads = new AtomicLong();
    private volatile boolean readsFail;
    final AtomicLong batches = new AtomicLong();
    private final java.util.List<Runnable> stalled = new java.util.ArrayList<>();

    public FaultyStore(StateStore inner) {
        this.inner = inner;
    }

    /** Makes reads fail (as a store away does), or pass through again. */
    public void failReads(boolean fail) {
        readsFail = fail;
    }

    private <T> CompletionStage<T> read(java.util.function.Supplier<CompletionStage<T>> read) {
        if (readsFail) {
            refusedReads.incrementAndGet();
            return CompletableFuture.failedFuture(new StateStoreException(StateStoreException.Kind.UNAVAILABLE,
                    "the store is away"));
        }
        return read.get();
    }

    public void fault(Fault next) {
        fault = next;
    }

    /** Lets the stalled batches through to the store behind, in order. */
    synchronized void release() {
        fault = Fault.NONE;
        stalled.forEach(Runnable::run);
        stalled.clear();
    }

    @Override
    public String label() {
        return "faulty-" + inner.label();
    }

    @Override
    public CompletionStage<Void> apply(List<Change> changes) {
        Fault now = fault;
        if (now == Fault.THROW) {
            refusedBatches.incrementAndGet();
            throw new IllegalStateException("a driver bug");
        }
        if (now == Fault.FAIL) {
            refusedBatches.incrementAndGet();
            return CompletableFuture.failedFuture(new StateStoreException(StateStoreException.Kind.UNAVAILABLE,
                    "the store is away"));
        }
        batches.incrementAndGet();
        if (now == Fault.STALL) {
            CompletableFuture<Void> later = new CompletableFuture<>();
            synchronized (this) {
                stalled.add(() -> inner.apply(changes).whenComplete((d, e) -> later.complete(null)));
            }
            return later;
        }
        return inner.apply(changes);
    }

    @Override
    public CompletionStage<Optional<byte[]>> value(StateKey key) {
        return read(() -> inner.value(key));
    }

    @Override
    public CompletionStage<Long> counter(StateKey key) {
        return read(() -> inner.counter(key));
    }

    @Override
    public CompletionStage<List<byte[]>> list(StateKey key) {
        return read(() -> inner.list(key));
    }

    @Override
    public CompletionStage<Set<Bytes>> set(StateKey key) {
        return read(() -> inner.set(key));
    }

    @Override
    public CompletionStage<Map<Bytes, byte[]>> map(StateKey key) {
        return read(() -> inner.map(key));
    }

    @Override
    public CompletionStage<Map<Bytes, Long>> counterMap(StateKey key) {
        return read(() -> inner.counterMap(key));
    }

    @Override
    public CompletionStage<List<StateKey>> keys(String nf) {
        return inner.keys(nf);
    }

    @Override
    public void close() {
        inner.close();
    }
}
