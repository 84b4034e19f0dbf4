package io.stare.state;

import io.stare.client.StateCodec;
import io.stare.state.store.StateKey;
import io.stare.state.store.StructureType;

/**
 * One writer's share of a network function's state (FlexState's per-core partition): the
 * structures it creates are keyed with its ID, and only it writes them. Reads of several
 * partitions merge ({@link StateSpace#counter(String, Scope, Merge)} and its siblings).
 */
public final class Partition {

    private final StateSpace space;
    private final int id;

    Partition(StateSpace space, int id) {
        this.space = space;
        this.id = id;
    }

    /** The partition's ID. */
    public int id() {
        return id;
    }

    /** A counter in the space's default mode. */
    public CounterState counter(String structure) {
        return counter(structure, space.settings().mode());
    }

    /** A counter in {@code mode}. */
    public CounterState counter(String structure, Mode mode) {
        return new CounterState(space, space.local(key(StructureType.COUNTER, structure), mode), mode);
    }

    /** A value in the space's default mode. */
    public <T> ValueState<T> value(String structure, StateCodec<T> codec) {
        return value(structure, codec, space.settings().mode());
    }

    /** A value in {@code mode}. */
    public <T> ValueState<T> value(String structure, StateCodec<T> codec, Mode mode) {
        return new ValueState<>(space, space.local(key(StructureType.VALUE, structure), mode), mode, codec);
    }

    /** A list in the space's default mode. */
    public <T> ListState<T> list(String structure, StateCodec<T> codec) {
        return list(structure, codec, space.settings().mode());
    }

    /** A list in {@code mode}. */
    public <T> ListState<T> list(String structure, StateCodec<T> codec, Mode mode) {
        return new ListState<>(space, space.local(key(StructureType.LIST, structure), mode), mode, codec);
    }

    /** A set in the space's default mode. */
    public <T> SetState<T> set(String structure, StateCodec<T> codec) {
        return set(structure, codec, space.settings().mode());
    }

    /** A set in {@code mode}. */
    public <T> SetState<T> set(String structure, StateCodec<T> codec, Mode mode) {
        return new SetState<>(space, space.local(key(StructureType.SET, structure), mode), mode, codec);
    }

    /** A map in the space's default mode. */
    public <K, V> MapState<K, V> map(String structure, StateCodec<K> keys, StateCodec<V> values) {
        return map(structure, keys, values, space.settings().mode());
    }

    /** A map in {@code mode}. */
    public <K, V> MapState<K, V> map(String structure, StateCodec<K> keys, StateCodec<V> values, Mode mode) {
        return new MapState<>(space, space.local(key(StructureType.MAP, structure), mode), mode, keys, values);
    }

    /** A countermap in the space's default mode. */
    public <K> CounterMapState<K> counterMap(String structure, StateCodec<K> keys) {
        return counterMap(structure, keys, space.settings().mode());
    }

    /** A countermap in {@code mode}. */
    public <K> CounterMapState<K> counterMap(String structure, StateCodec<K> keys, Mode mode) {
        return new CounterMapState<>(space, space.local(key(StructureType.COUNTERMAP, structure), mode), mode, keys);
    }

    private StateKey key(StructureType type, String structure) {
        return new StateKey(space.settings().nf(), space.settings().instance(), id, type, structure);
    }
}
