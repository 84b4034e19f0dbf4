package io.stare.state;

import com.typesafe.config.Config;
import io.stare.client.StateCodec;
import io.stare.state.flush.FlushCounters;
import io.stare.state.flush.Flusher;
import io.stare.state.flush.StateBufferFullException;
import io.stare.state.flush.StateReads;
import io.stare.state.store.Bytes;
import io.stare.state.store.Change;
import io.stare.state.store.StateKey;
import io.stare.state.store.StateStore;
import io.stare.state.store.StateStores;
import io.stare.state.store.StructureType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * A network function instance's state: its partitions and their structures, the store that keeps
 * them, the async flusher, and reads merged over partitions or instances. One per instance:
 * {@link #open(Config)} with {@code stare.state} (reference.conf), {@link #close()} at the end,
 * which flushes what the async structures still hold.
 */
public final class StateSpace implements AutoCloseable {

    private final StateSettings settings;
    private final StateStore store;
    private final boolean ownsStore;
    private final HybridLogicalClock clock;
    private final FlushCounters counters = new FlushCounters();
    private final ScheduledExecutorService timer;
    private final Flusher flusher;
    private final Map<StateKey, Mode> local = new ConcurrentHashMap<>();
    private final AtomicInteger nextThreadPartition = new AtomicInteger();
    private final ThreadLocal<Partition> threadPartition;
    /** No-wait writes waiting for the batch in flight to end; sent next, in order, as one batch. */
    private final List<Change> noWaitQueue = new ArrayList<>();
    private boolean noWaitSending;

    private StateSpace(StateSettings settings, StateStore store, boolean ownsStore, LongSupplier wallMillis) {
        this.settings = settings;
        this.store = store;
        this.ownsStore = ownsStore;
        this.clock = new HybridLogicalClock(wallMillis);
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "stare-state-flusher-" + settings.instance());
            t.setDaemon(true);
            return t;
        });
        this.flusher = new Flusher(store, settings.flushPeriod(), settings.buffer(), counters, timer);
        this.threadPartition = ThreadLocal.withInitial(() -> partition(nextThreadPartition.getAndIncrement()));
    }

    /**
     * Opens the space {@code config}'s {@code stare.state} block describes, with the store its
     * {@code store.driver} label chooses.
     *
     * @throws IllegalArgumentException for a bad setting
     * @throws io.stare.state.store.StateStoreException if the store cannot be opened (down, wrong
     *     credentials, unknown label)
     */
    public static StateSpace open(Config config) {
        StateSettings settings = StateSettings.fromConfig(config);
        return new StateSpace(settings, StateStores.open(settings.store()), true, System::currentTimeMillis);
    }

    /**
     * A space over a store the caller opened and closes (several instances in one process, tests).
     *
     * @param wallMillis the wall clock of the values' timestamps
     */
    public static StateSpace over(StateSettings settings, StateStore store, LongSupplier wallMillis) {
        return new StateSpace(settings, store, false, wallMillis);
    }

    /** The settings. */
    public StateSettings settings() {
        return settings;
    }

    /** The store. */
    public StateStore store() {
        return store;
    }

    /** The clock of the values' timestamps. */
    public HybridLogicalClock clock() {
        return clock;
    }

    /** What happened to writes that did not wait for the store (no-wait failures, async refusals, flushes). */
    public FlushCounters counters() {
        return counters;
    }

    /** Units the async flusher holds for the store. */
    public int held() {
        return flusher.held();
    }

    /** Partition {@code id}: its structures are written by one thread only. */
    public Partition partition(int id) {
        if (id < 0) {
            throw new IllegalArgumentException("partition " + id + " is negative");
        }
        return new Partition(this, id);
    }

    /** This thread's partition: each thread that asks gets one of its own, 0, 1, 2... in order. */
    public Partition forThisThread() {
        return threadPartition.get();
    }

    /**
     * Sends what the async structures hold and waits for the no-wait writes sent, at most
     * {@code bound} in all.
     *
     * @return whether the store has taken all of it (failed no-wait writes are counted, not retried)
     */
    public boolean flush(Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        synchronized (this) {
            while (noWaitSending || !noWaitQueue.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
        return flusher.drain(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }

    /**
     * Declares {@code structure} shared: its changes are kept for the global view
     * ({@code StareGlobalView}), which publishes them to the other instances.
     * Shared structures are asynchronous: they are published at the flush period, as they flush.
     */
    public void share(Structure structure) {
        if (structure.mode() != Mode.ASYNC) {
            throw new IllegalArgumentException(structure.key() + " is " + structure.mode()
                    + ": shared structures are async (their changes go out at the flush period)");
        }
        flusher.share(structure.key());
    }

    /** The flusher's view of the shared items, for the global view that publishes them. */
    public Flusher flusher() {
        return flusher;
    }

    /** This instance's items whose keys {@code match}, each read as its mode reads. */
    public CompletionStage<List<StateItem>> localItems(Predicate<StateKey> match) {
        List<CompletableFuture<StateItem>> reads = new ArrayList<>();
        for (Map.Entry<StateKey, Mode> entry : local.entrySet()) {
            if (match.test(entry.getKey())) {
                reads.add(read(entry.getValue(), entry.getKey())
                        .thenApply(v -> new StateItem(entry.getKey(), v)).toCompletableFuture());
            }
        }
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
                .thenApply(done -> reads.stream().map(CompletableFuture::join).toList());
    }

    /**
     * Merges another instance's item into this instance's item of the same structure in
     * partition 0, shared and async (E-State's hand-over when flows move here): counters and
     * countermap fields added, set members and absent map fields added, list values appended, a
     * value kept if written later. Lands at once (before this returns) once
     * {@link #prepareAdoption} has completed for the item, past the flusher's buffer too (the
     * instance that handed the item over has let it go).
     */
    public CompletionStage<Void> adopt(StateItem item) {
        StateKey mine = prepare(item);
        Object value = item.value();
        return flusher.read(mine).thenCompose(ours -> {
            CompletionStage<Void> last = CompletableFuture.completedFuture(null);
            for (Change change : adoption(mine, value, ours)) {
                last = flusher.writeAdopted(change);
            }
            return last;
        });
    }

    /**
     * Completes once this instance's item that would adopt {@code item} has its first read back, so
     * that {@link #adopt} then lands at once: the global view adopts under its lock, in the same
     * step as it stops holding the items apart.
     */
    public CompletionStage<Void> prepareAdoption(StateItem item) {
        return flusher.read(prepare(item)).thenApply(ours -> null);
    }

    private StateKey prepare(StateItem item) {
        StateKey mine = local(new StateKey(settings.nf(), settings.instance(), 0, item.key().type(), item.key().id()),
                Mode.ASYNC);
        flusher.share(mine);
        return mine;
    }

    /** The writes that merge {@code theirs} into {@code ours}, this instance's {@code mine}. */
    @SuppressWarnings("unchecked")
    private List<Change> adoption(StateKey mine, Object theirs, Object ours) {
        List<Change> changes = new ArrayList<>();
        switch (mine.type()) {
            case COUNTER:
                changes.add(new Change.AddToCounter(mine, (Long) theirs));
                break;
            case COUNTERMAP:
                ((Map<Bytes, Long>) theirs).forEach((f, v) -> changes.add(new Change.AddToField(mine, f, v)));
                break;
            case SET:
                ((Set<Bytes>) theirs).forEach(m -> changes.add(new Change.AddMember(mine, m)));
                break;
            case LIST:
                if (!((List<byte[]>) theirs).isEmpty()) {
                    changes.add(new Change.Append(mine, (List<byte[]>) theirs));
                }
                break;
            case MAP:
                ((Map<Bytes, byte[]>) theirs).forEach((f, v) -> {
                    if (!((Map<Bytes, byte[]>) ours).containsKey(f)) {
                        changes.add(new Change.PutField(mine, f, v));
                    }
                });
                break;
            case VALUE: {
                Optional<byte[]> their = (Optional<byte[]>) theirs;
                Optional<byte[]> our = (Optional<byte[]>) ours;
                if (their.isPresent() && (our.isEmpty()
                        || ValueState.timestamp(their.get()) > ValueState.timestamp(our.get()))) {
                    changes.add(new Change.PutValue(mine, their.get()));
                    clock.observe(ValueState.timestamp(their.get()));
                }
                break;
            }
            default:
                throw new IllegalArgumentException("no adoption of " + mine.type());
        }
        return changes;
    }

    StateKey local(StateKey key, Mode mode) {
        Mode before = local.putIfAbsent(key, mode);
        if (before != null && before != mode) {
            throw new IllegalStateException(key + " is open in mode " + before + " already, not " + mode
                    + ": one item, one mode");
        }
        return key;
    }

    CompletionStage<Void> write(Mode mode, Change change) {
        switch (mode) {
            case SYNC:
                return store.apply(List.of(change));
            case NO_WAIT:
                noWait(change);
                return CompletableFuture.completedFuture(null);
            case ASYNC:
                return flusher.write(change);
            default:
                throw new IllegalArgumentException("mode " + mode);
        }
    }

    /**
     * Queues a no-wait write: one batch is in flight at a time, and the writes that came meanwhile
     * go next as one batch, in order (a set then an add must not swap). Past {@code buffer} queued
     * writes, a write is dropped and counted failed: memory stays bounded while the store stalls.
     */
    private synchronized void noWait(Change change) {
        if (noWaitQueue.size() >= settings.buffer()) {
            counters.noWaitFailed(new StateBufferFullException(noWaitQueue.size()
                    + " no-wait writes wait for the store (stare.state.buffer = " + settings.buffer() + "); dropped: "
                    + change.key()));
            return;
        }
        noWaitQueue.add(change);
        if (!noWaitSending) {
            sendNoWait();
        }
    }

    private synchronized void sendNoWait() {
        if (noWaitQueue.isEmpty()) {
            noWaitSending = false;
            notifyAll();
            return;
        }
        List<Change> batch = List.copyOf(noWaitQueue);
        noWaitQueue.clear();
        noWaitSending = true;
        CompletionStage<Void> sent;
        try {
            sent = store.apply(batch);
        } catch (RuntimeException e) { // a driver that throws instead of failing its stage
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((done, error) -> {
            if (error != null) {
                for (int i = 0; i < batch.size(); i++) {
                    counters.noWaitFailed(error);
                }
            }
            sendNoWait();
        });
    }

    CompletionStage<Object> read(Mode mode, StateKey key) {
        return mode == Mode.ASYNC ? flusher.read(key) : StateReads.read(store, key);
    }

    /** The counters {@code id} of the scope's partitions, merged; 0 when there are none. */
    public CompletionStage<Long> counter(String id, Scope scope, Merge<Long> merge) {
        return merged(StructureType.COUNTER, id, scope, v -> (Long) v)
                .thenApply(values -> values.stream().reduce(merge::merge).orElse(0L));
    }

    /** The countermaps {@code id} of the scope's partitions, merged field by field. */
    @SuppressWarnings("unchecked")
    public <K> CompletionStage<Map<K, Long>> counterMap(String id, StateCodec<K> keys, Scope scope, Merge<Long> merge) {
        return merged(StructureType.COUNTERMAP, id, scope, v -> (Map<Bytes, Long>) v).thenApply(maps -> {
            Map<K, Long> out = new HashMap<>();
            for (Map<Bytes, Long> map : maps) {
                map.forEach((field, value) -> out.merge(keys.decode(field.toArray()), value, merge::merge));
            }
            return out;
        });
    }

    /** The union of the sets {@code id} of the scope's partitions. */
    @SuppressWarnings("unchecked")
    public <T> CompletionStage<Set<T>> set(String id, StateCodec<T> codec, Scope scope) {
        return merged(StructureType.SET, id, scope, v -> (Set<Bytes>) v).thenApply(sets -> {
            Set<T> out = new HashSet<>();
            sets.forEach(set -> set.forEach(member -> out.add(codec.decode(member.toArray()))));
            return out;
        });
    }

    /** The values {@code id} of the scope's partitions, merged (e.g. {@link Merge#latest()}). */
    @SuppressWarnings("unchecked")
    public <T> CompletionStage<Optional<Stamped<T>>> value(String id, StateCodec<T> codec, Scope scope,
                                                            Merge<Stamped<T>> merge) {
        return merged(StructureType.VALUE, id, scope, v -> (Optional<byte[]>) v).thenApply(values -> values.stream()
                .flatMap(Optional::stream).map(bytes -> ValueState.decode(bytes, codec)).reduce(merge::merge));
    }

    /**
     * The items {@code type}/{@code id} of the scope: those the store lists, and this instance's
     * own (which async writes may not have brought to the store yet), each read as its mode reads.
     */
    private <T> CompletionStage<List<T>> merged(StructureType type, String id, Scope scope, Function<Object, T> cast) {
        return store.keys(settings.nf()).thenCompose(stored -> {
            Set<StateKey> keys = new LinkedHashSet<>();
            for (StateKey key : stored) {
                if (key.type() == type && key.id().equals(id)
                        && (scope == Scope.NF || key.instance().equals(settings.instance()))) {
                    keys.add(key);
                }
            }
            local.keySet().stream().filter(k -> k.type() == type && k.id().equals(id)).forEach(keys::add);
            List<CompletableFuture<T>> reads = new ArrayList<>();
            for (StateKey key : keys) {
                Mode mode = local.get(key);
                CompletionStage<Object> read = mode != null ? read(mode, key) : StateReads.read(store, key);
                reads.add(read.thenApply(cast).toCompletableFuture());
            }
            return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
                    .thenApply(done -> reads.stream().map(CompletableFuture::join).toList());
        });
    }

    /** Whether {@link #close()} has run: writes fail, nothing more is flushed. */
    public boolean isClosed() {
        return flusher.isClosed();
    }

    /** Flushes what the async structures hold (up to 5 s), stops the flusher, closes a store it opened. */
    @Override
    public void close() {
        try {
            flusher.drain(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            flusher.close();
            timer.shutdownNow();
            if (ownsStore) {
                store.close();
            }
        }
    }
}
