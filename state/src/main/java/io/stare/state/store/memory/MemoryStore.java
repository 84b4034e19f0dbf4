package io.stare.state.store.memory;

import io.stare.state.store.StateKey;
import io.stare.state.store.Bytes;
import io.stare.state.store.Change;
import io.stare.state.store.StateStore;
import io.stare.state.store.StateStoreException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The embedded default: every item in this process's memory, gone with it. One lock, so a batch
 * is applied at once and reads see whole batches.
 */
public final class MemoryStore implements StateStore {

    private final Map<StateKey, Object> items = new HashMap<>();
    private boolean closed;

    @Override
    public String label() {
        return "memory";
    }

    @Override
    public synchronized CompletionStage<Void> apply(List<Change> changes) {
        if (closed) {
            return closedStage();
        }
        for (Change change : changes) {
            applyOne(change);
        }
        return CompletableFuture.completedFuture(null);
    }

    @SuppressWarnings("unchecked")
    private void applyOne(Change change) {
        StateKey key = change.key();
        if (change instanceof Change.PutValue put) {
            items.put(key, put.value().clone());
        } else if (change instanceof Change.Delete) {
            items.remove(key);
        } else if (change instanceof Change.SetCounter set) {
            items.put(key, set.value());
        } else if (change instanceof Change.AddToCounter add) {
            items.merge(key, add.delta(), (a, b) -> (Long) a + (Long) b);
        } else if (change instanceof Change.Append append) {
            List<byte[]> list = (List<byte[]>) items.computeIfAbsent(key, k -> new ArrayList<byte[]>());
            append.values().forEach(v -> list.add(v.clone()));
        } else if (change instanceof Change.AddMember add) {
            ((Set<Bytes>) items.computeIfAbsent(key, k -> new LinkedHashSet<Bytes>())).add(add.member());
        } else if (change instanceof Change.RemoveMember remove) {
            Set<Bytes> set = (Set<Bytes>) items.get(key);
            if (set != null) {
                set.remove(remove.member());
            }
        } else if (change instanceof Change.PutField put) {
            ((Map<Bytes, byte[]>) items.computeIfAbsent(key, k -> new LinkedHashMap<Bytes, byte[]>()))
                    .put(put.field(), put.value().clone());
        } else if (change instanceof Change.SetField set) {
            ((Map<Bytes, Long>) items.computeIfAbsent(key, k -> new LinkedHashMap<Bytes, Long>()))
                    .put(set.field(), set.value());
        } else if (change instanceof Change.AddToField add) {
            ((Map<Bytes, Long>) items.computeIfAbsent(key, k -> new LinkedHashMap<Bytes, Long>()))
                    .merge(add.field(), add.delta(), Long::sum);
        } else if (change instanceof Change.RemoveField remove) {
            Map<Bytes, ?> map = (Map<Bytes, ?>) items.get(key);
            if (map != null) {
                map.remove(remove.field());
            }
        }
    }

    @Override
    public CompletionStage<Optional<byte[]>> value(StateKey key) {
        return read(key, v -> Optional.ofNullable((byte[]) v).map(byte[]::clone));
    }

    @Override
    public CompletionStage<Long> counter(StateKey key) {
        return read(key, v -> v == null ? 0L : (Long) v);
    }

    @Override
    @SuppressWarnings("unchecked")
    public CompletionStage<List<byte[]>> list(StateKey key) {
        return read(key, v -> v == null ? List.of() : ((List<byte[]>) v).stream().map(byte[]::clone).toList());
    }

    @Override
    @SuppressWarnings("unchecked")
    public CompletionStage<Set<Bytes>> set(StateKey key) {
        return read(key, v -> v == null ? Set.of() : Set.copyOf((Set<Bytes>) v));
    }

    @Override
    @SuppressWarnings("unchecked")
    public CompletionStage<Map<Bytes, byte[]>> map(StateKey key) {
        return read(key, v -> {
            Map<Bytes, byte[]> copy = new LinkedHashMap<>();
            if (v != null) {
                ((Map<Bytes, byte[]>) v).forEach((field, value) -> copy.put(field, value.clone()));
            }
            return copy;
        });
    }

    @Override
    @SuppressWarnings("unchecked")
    public CompletionStage<Map<Bytes, Long>> counterMap(StateKey key) {
        return read(key, v -> v == null ? Map.of() : Map.copyOf((Map<Bytes, Long>) v));
    }

    @Override
    public synchronized CompletionStage<List<StateKey>> keys(String nf) {
        if (closed) {
            return closedStage();
        }
        return CompletableFuture.completedFuture(items.keySet().stream().filter(k -> k.nf().equals(nf)).toList());
    }

    private synchronized <T> CompletionStage<T> read(StateKey key, Function<Object, T> copy) {
        if (closed) {
            return closedStage();
        }
        return CompletableFuture.completedFuture(copy.apply(items.get(key)));
    }

    private static <T> CompletionStage<T> closedStage() {
        return CompletableFuture.failedFuture(new StateStoreException(StateStoreException.Kind.CLOSED,
                "the memory store is closed"));
    }

    @Override
    public synchronized void close() {
        closed = true;
        items.clear();
    }
}
