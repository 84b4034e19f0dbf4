package io.stare.state.flush;

import io.stare.state.store.StateKey;
import io.stare.state.store.Change;
import io.stare.state.store.StateStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * FlexState's asynchronous updates: writes hit a local cache and return; every period the flusher
 * sends what changed since the last flush, merged per item ({@link Delta}), to the store in one
 * batch. A failed flush keeps its changes, merged under the newer ones, and sends them again; while
 * the store is away the flusher holds at most {@code buffer} units and refuses writes past them
 * ({@link StateBufferFullException}, counted). Reads see this instance's own writes at once: the
 * item as the store had it when first touched here, with every local write since.
 *
 * <p>An item has one writer (its partition's, as in FlexState), so what the store has is exactly
 * that first read plus the flushed writes. A flush waits for the item's first read, so the read
 * never already holds a write the cache adds again. A flush whose outcome the store could not
 * report (a timeout after it applied the batch) is sent again: counter deltas may then count twice.
 */
public final class Flusher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Flusher.class);

    /** An item as this instance sees it: the store's value when first touched, and every write since. */
    private static final class Cached {
        CompletableFuture<Object> base;
        final Delta sinceBase;

        Cached(StateKey key) {
            this.sinceBase = Delta.of(key);
        }
    }

    private final StateStore store;
    private final int buffer;
    private final FlushCounters counters;
    private final ScheduledFuture<?> ticks;
    private final Map<StateKey, Cached> cache = new HashMap<>();
    private final Map<StateKey, Delta> pending = new LinkedHashMap<>();
    /** Shared items' writes not yet published to the other instances (E-State's global view). */
    private final Map<StateKey, Delta> unpublished = new LinkedHashMap<>();
    private final java.util.Set<StateKey> shared = new java.util.LinkedHashSet<>();
    private int pendingUnits;
    /** The batch the store has not answered yet, per item. */
    private final Map<StateKey, Delta> inFlight = new LinkedHashMap<>();
    /**
     * Per item in flight and written since: the batch's delta with the later writes merged in,
     * what a failed flush leaves pending. Its units are what the item holds, so the buffer counts a
     * field written both before and during a flush once.
     */
    private final Map<StateKey, Delta> inFlightWithLater = new HashMap<>();
    /** Units held for the store: pending and in flight, an item's overlap counted once. */
    private int heldUnits;
    private boolean closed;

    /**
     * Starts flushing every {@code period} on {@code timer}.
     *
     * @param buffer units of changes held for the store before writes are refused
     */
    public Flusher(StateStore store, Duration period, int buffer, FlushCounters counters,
                   ScheduledExecutorService timer) {
        if (buffer < 1) {
            throw new IllegalArgumentException("stare.state.buffer must be at least 1, not " + buffer);
        }
        this.store = store;
        this.buffer = buffer;
        this.counters = counters;
        long nanos = Math.max(1, period.toNanos());
        this.ticks = timer.scheduleWithFixedDelay(this::tick, nanos, nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Records a write. Completes at once; fails with {@link StateBufferFullException} (and the
     * write is not made) while the flusher holds {@code buffer} units the store has not taken.
     */
    public synchronized CompletionStage<Void> write(Change change) {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("the state space is closed"));
        }
        if (heldUnits >= buffer) {
            counters.refusedOne();
            return CompletableFuture.failedFuture(new StateBufferFullException("the store has not taken the last "
                    + heldUnits + " units of changes (stare.state.buffer = " + buffer
                    + "); write refused: " + change.key()));
        }
        StateKey key = change.key();
        cached(key).sinceBase.merge(change);
        Delta delta = pending.get(key);
        int before = 0;
        if (delta == null) {
            delta = Delta.of(key);
            pending.put(key, delta);
        } else {
            before = delta.units();
        }
        delta.merge(change);
        pendingUnits += delta.units() - before;
        Delta sent = inFlight.get(key);
        if (sent == null) {
            heldUnits += delta.units() - before;
        } else {
            Delta withLater = inFlightWithLater.get(key);
            if (withLater == null) {
                withLater = Delta.of(key);
                withLater.mergeLater(sent);
                inFlightWithLater.put(key, withLater);
            }
            int held = withLater.units();
            withLater.merge(change);
            heldUnits += withLater.units() - held;
        }
        if (shared.contains(key)) {
            unpublished.computeIfAbsent(key, Delta::of).merge(change);
        }
        return CompletableFuture.completedFuture(null);
    }

    /** Whether {@code key} is shared. */
    public synchronized boolean isShared(StateKey key) {
        return shared.contains(key);
    }

    /** Marks an item shared: its writes are kept for {@link #takeUnpublished()} too. */
    public synchronized void share(StateKey key) {
        if (shared.add(key)) {
            cached(key);
        }
    }

    /**
     * The shared items' writes since the last call, as absolute changes (what each touched item,
     * field or member is now), for the other instances' replicas. Items whose first read has not
     * come back yet wait for the next call.
     */
    public synchronized List<Change> takeUnpublished() {
        List<Change> changes = new ArrayList<>();
        for (var it = unpublished.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<StateKey, Delta> entry = it.next();
            Cached item = cached(entry.getKey());
            if (item.base.isDone() && !item.base.isCompletedExceptionally()) {
                changes.addAll(entry.getValue().absolute(item.sinceBase.applyTo(item.base.join())));
                it.remove();
            }
        }
        return changes;
    }

    /** Every shared item whole (a delete, then what it holds), for a replica that starts from nothing. */
    public synchronized List<Change> sharedSnapshot() {
        List<Change> changes = new ArrayList<>();
        for (StateKey key : shared) {
            Cached item = cached(key);
            if (item.base.isDone() && !item.base.isCompletedExceptionally()) {
                changes.addAll(Delta.whole(key, item.sinceBase.applyTo(item.base.join())));
            }
        }
        return changes;
    }

    /**
     * Takes the shared items whose keys {@code match} out of this instance, in one step: returns
     * each whole (as {@link #sharedSnapshot()} does) and deletes it here (E-State's scale-out: their
     * flows go to another instance, which adopts them). Items whose first read has not come back
     * stay.
     *
     * @throws StateBufferFullException if the deletes do not fit in the buffer (nothing is taken)
     */
    public synchronized List<Change> handOver(Predicate<StateKey> match) {
        List<StateKey> keys = new ArrayList<>();
        for (StateKey key : shared) {
            Cached item = cached(key);
            if (match.test(key) && item.base.isDone() && !item.base.isCompletedExceptionally()) {
                keys.add(key);
            }
        }
        if (heldUnits + keys.size() > buffer) {
            counters.refusedOne();
            throw new StateBufferFullException("the store has not taken the last " + heldUnits
                    + " units of changes (stare.state.buffer = " + buffer + "); hand-over of " + keys.size()
                    + " items refused");
        }
        List<Change> whole = new ArrayList<>();
        for (StateKey key : keys) {
            Cached item = cached(key);
            whole.addAll(Delta.whole(key, item.sinceBase.applyTo(item.base.join())));
            write(new Change.Delete(key));
        }
        return whole;
    }

    /** The item as this instance sees it (see the class comment); its type's empty value when absent. */
    public CompletionStage<Object> read(StateKey key) {
        Cached item;
        CompletableFuture<Object> base;
        synchronized (this) {
            item = cached(key);
            base = item.base;
        }
        return base.thenApply(value -> {
            synchronized (this) {
                return item.sinceBase.applyTo(value);
            }
        });
    }

    /** Units held for the store: changed items, fields, members and list values not yet flushed. */
    public synchronized int held() {
        return heldUnits;
    }

    private Cached cached(StateKey key) {
        Cached item = cache.computeIfAbsent(key, Cached::new);
        if (item.base == null || item.base.isCompletedExceptionally()) {
            CompletableFuture<Object> loading = new CompletableFuture<>();
            item.base = loading;
            StateReads.read(store, key).whenComplete((value, error) -> {
                if (error != null) {
                    loading.completeExceptionally(error);
                } else {
                    loading.complete(value);
                }
            });
        }
        return item;
    }

    /** One flush, if none is in flight: never throws, so the timer keeps running after any failure. */
    void tick() {
        try {
            flushOnce();
        } catch (Throwable t) {
            log.error("the state flusher failed; its changes are kept and sent again", t);
        }
    }

    private void flushOnce() {
        List<Change> changes = new ArrayList<>();
        synchronized (this) {
            if (!inFlight.isEmpty() || pending.isEmpty()) {
                return;
            }
            for (var it = pending.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<StateKey, Delta> entry = it.next();
                Cached item = cached(entry.getKey());
                if (item.base.isDone() && !item.base.isCompletedExceptionally()) {
                    inFlight.put(entry.getKey(), entry.getValue());
                    pendingUnits -= entry.getValue().units();
                    changes.addAll(entry.getValue().changes());
                    it.remove();
                }
            }
            if (inFlight.isEmpty()) {
                return;
            }
        }
        CompletionStage<Void> sent;
        try {
            sent = store.apply(changes);
        } catch (Throwable t) { // a driver that throws instead of failing its stage
            sent = CompletableFuture.failedFuture(t);
        }
        sent.whenComplete((done, error) -> settle(changes.size(), error));
    }

    private synchronized void settle(int changes, Throwable error) {
        if (error == null) {
            counters.flushed(changes);
        } else {
            counters.flushFailed(error);
            log.debug("a flush of {} changes failed; kept for the next", changes, error);
            for (Delta sent : inFlight.values()) {
                Delta later = pending.remove(sent.key());
                if (later != null) {
                    pendingUnits -= later.units();
                    sent.mergeLater(later);
                }
                pending.put(sent.key(), sent);
                pendingUnits += sent.units();
            }
        }
        inFlight.clear();
        inFlightWithLater.clear();
        heldUnits = pendingUnits;
        notifyAll();
    }

    /**
     * Flushes until nothing is held, or {@code bound} passes.
     *
     * @return whether everything reached the store
     */
    public boolean drain(Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        while (true) {
            tick();
            synchronized (this) {
                if (pending.isEmpty() && inFlight.isEmpty()) {
                    return true;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                // Woken when a flush settles; a short wait bounds how long a failing store is retried.
                wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 10)));
            }
        }
    }

    /** Stops the timer. What is still held stays unsent: {@link #drain} first. */
    @Override
    public void close() {
        ticks.cancel(false);
        synchronized (this) {
            closed = true;
        }
    }
}
