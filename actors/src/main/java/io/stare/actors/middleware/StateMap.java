package io.stare.actors.middleware;

import java.util.Arrays;
import java.util.function.BiConsumer;

/**
 * A map from state ID (or any non-negative int) to a value, without boxing: open addressing with
 * linear probing over two arrays, for the tables the data path reads per frame. Not thread-safe;
 * share it by handing over a {@link #copy()} (the routing table is published that way).
 *
 * @param <V> the values
 */
final class StateMap<V> {

    private static final int EMPTY = -1;

    private int[] keys;
    private Object[] values;
    private int size;

    StateMap() {
        this(8);
    }

    private StateMap(int capacity) {
        keys = new int[capacity];
        values = new Object[capacity];
        Arrays.fill(keys, EMPTY);
    }

    /** The value of {@code key}, or null. */
    @SuppressWarnings("unchecked")
    V get(int key) {
        int mask = keys.length - 1;
        for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
            int k = keys[i];
            if (k == key) {
                return (V) values[i];
            }
            if (k == EMPTY) {
                return null;
            }
        }
    }

    /** Sets the value of {@code key} (non-negative); returns the previous one or null. */
    @SuppressWarnings("unchecked")
    V put(int key, V value) {
        if (key < 0) {
            throw new IllegalArgumentException("key " + key + " is negative");
        }
        if (value == null) {
            return remove(key);
        }
        if ((size + 1) * 2 > keys.length) {
            resize(keys.length * 2);
        }
        int mask = keys.length - 1;
        for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
            if (keys[i] == key) {
                V old = (V) values[i];
                values[i] = value;
                return old;
            }
            if (keys[i] == EMPTY) {
                keys[i] = key;
                values[i] = value;
                size++;
                return null;
            }
        }
    }

    /** Removes {@code key}; returns its value or null. */
    @SuppressWarnings("unchecked")
    V remove(int key) {
        int mask = keys.length - 1;
        int i = mix(key) & mask;
        while (keys[i] != key) {
            if (keys[i] == EMPTY) {
                return null;
            }
            i = (i + 1) & mask;
        }
        V old = (V) values[i];
        keys[i] = EMPTY;
        values[i] = null;
        size--;
        // Re-insert the rest of the cluster so that no probe stops early at the hole.
        for (int j = (i + 1) & mask; keys[j] != EMPTY; j = (j + 1) & mask) {
            int k = keys[j];
            Object v = values[j];
            keys[j] = EMPTY;
            values[j] = null;
            size--;
            put(k, castValue(v));
        }
        return old;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Every entry, in no particular order. */
    @SuppressWarnings("unchecked")
    void forEach(BiConsumer<Integer, V> action) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != EMPTY) {
                action.accept(keys[i], (V) values[i]);
            }
        }
    }

    /** An independent copy. */
    StateMap<V> copy() {
        StateMap<V> copy = new StateMap<>(keys.length);
        System.arraycopy(keys, 0, copy.keys, 0, keys.length);
        System.arraycopy(values, 0, copy.values, 0, values.length);
        copy.size = size;
        return copy;
    }

    @SuppressWarnings("unchecked")
    private static <V> V castValue(Object value) {
        return (V) value;
    }

    private void resize(int capacity) {
        int[] oldKeys = keys;
        Object[] oldValues = values;
        keys = new int[capacity];
        values = new Object[capacity];
        Arrays.fill(keys, EMPTY);
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != EMPTY) {
                put(oldKeys[i], castValue(oldValues[i]));
            }
        }
    }

    private static int mix(int key) {
        int h = key * 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
