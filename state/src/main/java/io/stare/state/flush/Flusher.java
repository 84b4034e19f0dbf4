package io.stare.state.flush;

import io.stare.state.store.StateKey;
import io.stare.state.store.Change;
import io.stare.state.store.StateStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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

    /** A write's answer: the cache has it (one shared stage, which no caller can complete). */
    private static final CompletionStage<Void> WRITTEN = CompletableFuture.completedStage(null);

    /**
     * An item as this instance sees it (the store's value when first touched, and every write
     * since) and where its writes stand: one map lookup per write finds all of it.
     */
    private static final class Item {
        final StateKey key;
        CompletableFuture<Object> base;
        final Delta sinceBase;
        /** Writes the next flush takes; null when none (then the item is not in {@code pending}). */
        Delta pending;
        /** Its part of the batch the store has not answered; null when none. */
        Delta inFlight;
        /**
         * Made when it is written during its flush: the batch's delta with the later writes merged
         * in, what a failed flush leaves pending. Its units are what the item holds, so the buffer
         * counts a field written both before and during a flush once.
         */
        Delta inFlightWithLater;
        boolean shared;
        /**
         * Handed to another instance and not written here since: no longer this instance's, so
         * it is published as deleted and left out of snapshots and global reads (not as an item
         * of 0 that would drag a minimum or an average).
         */
        boolean handedOver;
        /** Its writes not yet published to the other instances (E-State's global view); null when none. */
        Delta unpublished;

        Item(StateKey key) {
            this.key = key;
            this.sinceBase = Delta.of(key);
        }

        boolean ready() {
            return base.isDone() && !base.isCompletedExceptionally();
        }

        Object value() {
            return sinceBase.applyTo(base.join());
        }
    }

    private final StateStore store;
    private final int buffer;
    private final FlushCounters counters;
    private final ScheduledFuture<?> ticks;
    private final Map<StateKey, Item> cache = new HashMap<>();
    /** Items with pending writes, in the order they were first written since a flush. */
    private List<Item> pending = new ArrayList<>();
    /** Items in the batch the store has not answered yet. */
    private final List<Item> inFlight = new ArrayList<>();
    /** Shared items with unpublished writes. */
    private List<Item> unpublished = new ArrayList<>();
    private final List<Item> shared = new ArrayList<>();
    private int pendingUnits;
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
        return record(change);
    }

    /**
     * Records an adopted item's write (E-State's hand-over), past the buffer too: the instance that
     * handed the item over has let it go, so refusing would lose it. Fails only once closed.
     */
    public synchronized CompletionStage<Void> writeAdopted(Change change) {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("the state space is closed"));
        }
        return record(change);
    }

    /** Whether {@link #close()} has run. */
    public synchronized boolean isClosed() {
        return closed;
    }

    private CompletionStage<Void> record(Change change) {
        Item item = cached(change.key());
        item.handedOver = false;
        item.sinceBase.merge(change);
        Delta delta = item.pending;
        int before = 0;
        if (delta == null) {
            delta = Delta.of(item.key);
            item.pending = delta;
            pending.add(item);
        } else {
            before = delta.units();
        }
        delta.merge(change);
        int added = delta.units() - before;
        pendingUnits += added;
        heldUnits += item.inFlight == null ? added : writtenInFlight(item, change);
        if (item.shared) {
            if (item.unpublished == null) {
                item.unpublished = Delta.of(item.key);
                unpublished.add(item);
            }
            item.unpublished.merge(change);
        }
        return WRITTEN;
    }

    /** A write to an item in flight: the units it adds to what the item holds (the batch's overlap once). */
    private static int writtenInFlight(Item item, Change change) {
        if (item.inFlightWithLater == null) {
            item.inFlightWithLater = Delta.of(item.key);
            item.inFlightWithLater.mergeLater(item.inFlight);
        }
        int held = item.inFlightWithLater.units();
        item.inFlightWithLater.merge(change);
        return item.inFlightWithLater.units() - held;
    }

    /**
     * Whether {@code key} is shared and this instance's: not handed over since its last write. The
     * global views count these.
     */
    public synchronized boolean isShared(StateKey key) {
        Item item = cache.get(key);
        return item != null && item.shared && !item.handedOver;
    }

    /** Marks an item shared: its writes are kept for {@link #takeUnpublished()} too. */
    public synchronized void share(StateKey key) {
        Item item = cached(key);
        if (!item.shared) {
            item.shared = true;
            shared.add(item);
        }
    }

    /**
     * The shared items' writes since the last call, as absolute changes (what each touched item,
     * field or member is now), for the other instances' replicas. Items whose first read has not
     * come back yet wait for the next call.
     */
    public synchronized List<Change> takeUnpublished() {
        List<Change> changes = new ArrayList<>();
        List<Item> waiting = new ArrayList<>();
        for (Item item : unpublished) {
            if (ready(item)) {
                changes.addAll(item.handedOver ? List.of(new Change.Delete(item.key))
                        : item.unpublished.absolute(item.value()));
                item.unpublished = null;
            } else {
                waiting.add(item);
            }
        }
        unpublished = waiting;
        return changes;
    }

    /** Every shared item whole (a delete, then what it holds), for a replica that starts from nothing. */
    public synchronized List<Change> sharedSnapshot() {
        List<Change> changes = new ArrayList<>();
        for (Item item : shared) {
            if (ready(item) && !item.handedOver) {
                changes.addAll(Delta.whole(item.key, item.value()));
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
        List<Item> items = new ArrayList<>();
        for (Item item : shared) {
            if (match.test(item.key) && ready(item) && !item.handedOver) {
                items.add(item);
            }
        }
        if (heldUnits + items.size() > buffer) {
            counters.refusedOne();
            throw new StateBufferFullException("the store has not taken the last " + heldUnits
                    + " units of changes (stare.state.buffer = " + buffer + "); hand-over of " + items.size()
                    + " items refused");
        }
        List<Change> whole = new ArrayList<>();
        for (Item item : items) {
            whole.addAll(Delta.whole(item.key, item.value()));
            write(new Change.Delete(item.key));
            item.handedOver = true;
        }
        return whole;
    }

    /** The item as this instance sees it (see the class comment); its type's empty value when absent. */
    public CompletionStage<Object> read(StateKey key) {
        Item item;
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

    /** Whether the item's first read is back; one that failed is read again (the store may be back). */
    private boolean ready(Item item) {
        if (item.base.isCompletedExceptionally()) {
            cached(item.key);
        }
        return item.ready();
    }

    private Item cached(StateKey key) {
        Item item = cache.get(key);
        if (item == null) {
            item = new Item(key);
            cache.put(key, item);
        }
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
            List<Item> waiting = new ArrayList<>();
            for (Item item : pending) {
                if (ready(item)) {
                    inFlight.add(item);
                    item.inFlight = item.pending;
                    item.pending = null;
                    pendingUnits -= item.inFlight.units();
                    changes.addAll(item.inFlight.changes());
                } else {
                    waiting.add(item);
                }
            }
            pending = waiting;
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
        }
        for (Item item : inFlight) {
            if (error != null) {
                // Sent again with the writes made since, merged under them.
                Delta sent = item.inFlight;
                if (item.pending == null) {
                    pending.add(item);
                } else {
                    pendingUnits -= item.pending.units();
                    sent.mergeLater(item.pending);
                }
                item.pending = sent;
                pendingUnits += sent.units();
            }
            item.inFlight = null;
            item.inFlightWithLater = null;
        }
        inFlight.clear();
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
