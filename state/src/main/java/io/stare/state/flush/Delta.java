package io.stare.state.flush;

import io.stare.state.store.StateKey;
import io.stare.state.store.Bytes;
import io.stare.state.store.Change;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What local writes did to one item since some point, merged: counter deltas summed, a map's or
 * a set's changes coalesced per field or member, a value's last write kept. {@link #changes()}
 * gives the fewest changes that do the same (a delete or reset first, then the rest), which is
 * what one flush sends; {@link #applyTo} gives the item as a reader sees it over a base read from
 * the store. Not thread-safe: its owner locks.
 */
public abstract sealed class Delta {

    final StateKey key;
    boolean deleted;

    Delta(StateKey key) {
        this.key = key;
    }

    /** An empty delta of the item's type. */
    public static Delta of(StateKey key) {
        switch (key.type()) {
            case VALUE:
                return new ValueDelta(key);
            case COUNTER:
                return new CounterDelta(key);
            case LIST:
                return new ListDelta(key);
            case SET:
                return new SetDelta(key);
            case MAP:
                return new MapDelta(key);
            case COUNTERMAP:
                return new CounterMapDelta(key);
            default:
                throw new IllegalArgumentException("no delta for " + key.type());
        }
    }

    /** The item. */
    public StateKey key() {
        return key;
    }

    /** Adds a later write; a change of another item is refused. */
    public final void merge(Change change) {
        if (!change.key().equals(key)) {
            throw new IllegalArgumentException(change.key() + " merged into the delta of " + key);
        }
        if (change instanceof Change.Delete) {
            deleted = true;
            clear();
        } else {
            mergeWrite(change);
        }
    }

    /** Adds everything {@code later} did, as if its writes came after this one's. */
    public final void mergeLater(Delta later) {
        for (Change change : later.changes()) {
            merge(change);
        }
    }

    /** The fewest changes that do what the merged writes did, in the order to apply them. */
    public final List<Change> changes() {
        List<Change> changes = new ArrayList<>();
        if (deleted) {
            changes.add(new Change.Delete(key));
        }
        addWrites(changes);
        return changes;
    }

    /** Units of the async buffer this delta holds: one per counter, value, field, member or list value. */
    public final int units() {
        return Math.max(1, (deleted ? 1 : 0) + writeUnits());
    }

    /** The item as it reads after these writes, over {@code base} as the store had it before them. */
    public abstract Object applyTo(Object base);

    /**
     * Changes that set what these writes touched to its value in {@code current} (the item as it
     * reads now): absolute, so applying them twice, or after a later set, does no harm. What a
     * replica of another instance needs.
     */
    public abstract List<Change> absolute(Object current);

    /** Changes that make an empty item equal to {@code current}, an item of {@code key}'s type as reads give it. */
    @SuppressWarnings("unchecked")
    public static List<Change> whole(StateKey key, Object current) {
        List<Change> changes = new ArrayList<>();
        changes.add(new Change.Delete(key));
        switch (key.type()) {
            case VALUE:
                ((Optional<byte[]>) current).ifPresent(v -> changes.add(new Change.PutValue(key, v)));
                break;
            case COUNTER:
                changes.add(new Change.SetCounter(key, (Long) current));
                break;
            case LIST:
                if (!((List<byte[]>) current).isEmpty()) {
                    changes.add(new Change.Append(key, (List<byte[]>) current));
                }
                break;
            case SET:
                ((Set<Bytes>) current).forEach(m -> changes.add(new Change.AddMember(key, m)));
                break;
            case MAP:
                ((Map<Bytes, byte[]>) current).forEach((f, v) -> changes.add(new Change.PutField(key, f, v)));
                break;
            case COUNTERMAP:
                ((Map<Bytes, Long>) current).forEach((f, v) -> changes.add(new Change.SetField(key, f, v)));
                break;
            default:
                throw new IllegalArgumentException("no item of type " + key.type());
        }
        return changes;
    }

    abstract void clear();

    abstract void mergeWrite(Change change);

    abstract void addWrites(List<Change> changes);

    abstract int writeUnits();

    private static IllegalArgumentException wrong(Change change) {
        return new IllegalArgumentException("a " + change.getClass().getSimpleName() + " for the "
                + change.key().type().label() + " " + change.key());
    }

    /** A value: the last write wins. */
    static final class ValueDelta extends Delta {
        private byte[] put;

        ValueDelta(StateKey key) {
            super(key);
        }

        @Override
        void clear() {
            put = null;
        }

        @Override
        void mergeWrite(Change change) {
            if (!(change instanceof Change.PutValue p)) {
                throw wrong(change);
            }
            put = p.value();
            deleted = false; // the put overwrites: no delete needed first
        }

        @Override
        void addWrites(List<Change> changes) {
            if (put != null) {
                changes.add(new Change.PutValue(key, put));
            }
        }

        @Override
        int writeUnits() {
            return put == null ? 0 : 1;
        }

        @Override
        @SuppressWarnings("unchecked")
        public Object applyTo(Object base) {
            return put != null ? Optional.of(put.clone()) : deleted ? Optional.empty() : (Optional<byte[]>) base;
        }

        @Override
        public List<Change> absolute(Object current) {
            return whole(key, current);
        }
    }

    /** A counter: a reset (set) and the sum of the deltas after it. */
    static final class CounterDelta extends Delta {
        private Long set;
        private long delta;

        CounterDelta(StateKey key) {
            super(key);
        }

        @Override
        void clear() {
            set = null;
            delta = 0;
        }

        @Override
        void mergeWrite(Change change) {
            if (change instanceof Change.SetCounter s) {
                set = s.value();
                delta = 0;
                deleted = false;
            } else if (change instanceof Change.AddToCounter a) {
                delta += a.delta();
            } else {
                throw wrong(change);
            }
        }

        @Override
        void addWrites(List<Change> changes) {
            if (set != null) {
                changes.add(new Change.SetCounter(key, set));
            }
            if (delta != 0) {
                changes.add(new Change.AddToCounter(key, delta));
            }
        }

        @Override
        int writeUnits() {
            return 1;
        }

        @Override
        public Object applyTo(Object base) {
            long from = set != null ? set : deleted ? 0 : (Long) base;
            return from + delta;
        }

        @Override
        public List<Change> absolute(Object current) {
            return List.of(new Change.SetCounter(key, (Long) current));
        }
    }

    /** A list: the values appended, in order. */
    static final class ListDelta extends Delta {
        private final List<byte[]> appended = new ArrayList<>();

        ListDelta(StateKey key) {
            super(key);
        }

        @Override
        void clear() {
            appended.clear();
        }

        @Override
        void mergeWrite(Change change) {
            if (!(change instanceof Change.Append a)) {
                throw wrong(change);
            }
            appended.addAll(a.values());
        }

        @Override
        void addWrites(List<Change> changes) {
            if (!appended.isEmpty()) {
                changes.add(new Change.Append(key, appended));
            }
        }

        @Override
        int writeUnits() {
            return appended.size();
        }

        @Override
        @SuppressWarnings("unchecked")
        public Object applyTo(Object base) {
            List<byte[]> out = new ArrayList<>(deleted ? List.of() : (List<byte[]>) base);
            appended.forEach(v -> out.add(v.clone()));
            return out;
        }

        @Override
        public List<Change> absolute(Object current) {
            return whole(key, current);
        }
    }

    /** A set: per member, whether the last write added or removed it. */
    static final class SetDelta extends Delta {
        private final Map<Bytes, Boolean> members = new LinkedHashMap<>();

        SetDelta(StateKey key) {
            super(key);
        }

        @Override
        void clear() {
            members.clear();
        }

        @Override
        void mergeWrite(Change change) {
            if (change instanceof Change.AddMember a) {
                members.put(a.member(), true);
            } else if (change instanceof Change.RemoveMember r) {
                if (deleted) {
                    members.remove(r.member()); // removed from an empty set: nothing to send
                } else {
                    members.put(r.member(), false);
                }
            } else {
                throw wrong(change);
            }
        }

        @Override
        void addWrites(List<Change> changes) {
            members.forEach((member, added) -> changes.add(added
                    ? new Change.AddMember(key, member) : new Change.RemoveMember(key, member)));
        }

        @Override
        int writeUnits() {
            return members.size();
        }

        @Override
        @SuppressWarnings("unchecked")
        public Object applyTo(Object base) {
            Set<Bytes> out = new LinkedHashSet<>(deleted ? Set.of() : (Set<Bytes>) base);
            members.forEach((member, added) -> {
                if (added) {
                    out.add(member);
                } else {
                    out.remove(member);
                }
            });
            return out;
        }

        @Override
        @SuppressWarnings("unchecked")
        public List<Change> absolute(Object current) {
            if (deleted) {
                return whole(key, current);
            }
            Set<Bytes> now = (Set<Bytes>) current;
            List<Change> changes = new ArrayList<>();
            members.keySet().forEach(m -> changes.add(now.contains(m)
                    ? new Change.AddMember(key, m) : new Change.RemoveMember(key, m)));
            return changes;
        }
    }

    /** A map: per field, its last value or its removal (empty). */
    static final class MapDelta extends Delta {
        private final Map<Bytes, Optional<byte[]>> fields = new LinkedHashMap<>();

        MapDelta(StateKey key) {
            super(key);
        }

        @Override
        void clear() {
            fields.clear();
        }

        @Override
        void mergeWrite(Change change) {
            if (change instanceof Change.PutField p) {
                fields.put(p.field(), Optional.of(p.value()));
            } else if (change instanceof Change.RemoveField r) {
                if (deleted) {
                    fields.remove(r.field());
                } else {
                    fields.put(r.field(), Optional.empty());
                }
            } else {
                throw wrong(change);
            }
        }

        @Override
        void addWrites(List<Change> changes) {
            fields.forEach((field, value) -> changes.add(value.isPresent()
                    ? new Change.PutField(key, field, value.get()) : new Change.RemoveField(key, field)));
        }

        @Override
        int writeUnits() {
            return fields.size();
        }

        @Override
        @SuppressWarnings("unchecked")
        public Object applyTo(Object base) {
            Map<Bytes, byte[]> out = new LinkedHashMap<>(deleted ? Map.of() : (Map<Bytes, byte[]>) base);
            fields.forEach((field, value) -> {
                if (value.isPresent()) {
                    out.put(field, value.get().clone());
                } else {
                    out.remove(field);
                }
            });
            return out;
        }

        @Override
        @SuppressWarnings("unchecked")
        public List<Change> absolute(Object current) {
            if (deleted) {
                return whole(key, current);
            }
            Map<Bytes, byte[]> now = (Map<Bytes, byte[]>) current;
            List<Change> changes = new ArrayList<>();
            fields.keySet().forEach(f -> changes.add(now.containsKey(f)
                    ? new Change.PutField(key, f, now.get(f)) : new Change.RemoveField(key, f)));
            return changes;
        }
    }

    /** A countermap: per field, a removal or reset and the sum of the deltas after it. */
    static final class CounterMapDelta extends Delta {

        private static final class Field {
            boolean removed;
            Long set;
            long delta;
        }

        private final Map<Bytes, Field> fields = new LinkedHashMap<>();

        CounterMapDelta(StateKey key) {
            super(key);
        }

        @Override
        void clear() {
            fields.clear();
        }

        @Override
        void mergeWrite(Change change) {
            if (change instanceof Change.SetField s) {
                Field f = fields.computeIfAbsent(s.field(), k -> new Field());
                f.removed = false;
                f.set = s.value();
                f.delta = 0;
            } else if (change instanceof Change.AddToField a) {
                fields.computeIfAbsent(a.field(), k -> new Field()).delta += a.delta();
            } else if (change instanceof Change.RemoveField r) {
                Field f = fields.computeIfAbsent(r.field(), k -> new Field());
                f.removed = !deleted; // after the item's delete the field is gone already
                f.set = null;
                f.delta = 0;
                if (deleted) {
                    fields.remove(r.field());
                }
            } else {
                throw wrong(change);
            }
        }

        @Override
        void addWrites(List<Change> changes) {
            fields.forEach((field, f) -> {
                if (f.removed) {
                    changes.add(new Change.RemoveField(key, field));
                }
                if (f.set != null) {
                    changes.add(new Change.SetField(key, field, f.set));
                }
                if (f.delta != 0) {
                    changes.add(new Change.AddToField(key, field, f.delta));
                }
            });
        }

        @Override
        int writeUnits() {
            return fields.size();
        }

        @Override
        @SuppressWarnings("unchecked")
        public Object applyTo(Object base) {
            Map<Bytes, Long> out = new LinkedHashMap<>(deleted ? Map.of() : (Map<Bytes, Long>) base);
            fields.forEach((field, f) -> {
                if (f.removed) {
                    out.remove(field);
                }
                if (f.set != null) {
                    out.put(field, f.set);
                }
                if (f.delta != 0) {
                    out.merge(field, f.delta, Long::sum);
                }
            });
            return out;
        }

        @Override
        @SuppressWarnings("unchecked")
        public List<Change> absolute(Object current) {
            if (deleted) {
                return whole(key, current);
            }
            Map<Bytes, Long> now = (Map<Bytes, Long>) current;
            List<Change> changes = new ArrayList<>();
            fields.keySet().forEach(f -> changes.add(now.containsKey(f)
                    ? new Change.SetField(key, f, now.get(f)) : new Change.RemoveField(key, f)));
            return changes;
        }
    }
}
