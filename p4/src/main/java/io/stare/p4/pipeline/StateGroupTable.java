package io.stare.p4.pipeline;

import io.stare.protocol.address.StareAddress;
import java.util.Arrays;
import java.util.Collections;
import java.util.OptionalInt;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The embedded pipeline's exact-match table {@code state_forwarding}: STATE_ID to
 * {@code set_group(group)}, or to {@code drop_no_subscriber()} ({@link #DROP}). A Publish whose state
 * has no entry, or a drop entry, is dropped (NO_SUBSCRIBER), as the program's default action does. Writes
 * follow P4Runtime's rules and report refusals as {@link WriteResult} values.
 *
 * <p>Entries live in an open-addressing hash table of primitive ints (linear probing, backward-shift
 * deletion), so that a Publish's lookup on the fast path neither boxes nor allocates.
 *
 * <p>Not thread-safe, like its pipeline.
 */
public final class StateGroupTable {

    /** The table size the embedded P4 program declares. */
    public static final int DEFAULT_CAPACITY = 65536;
    /** The "group" of an entry whose action is {@code drop_no_subscriber()}: it misses like no entry. */
    public static final int DROP = 0;

    // STATE_IDs are never negative: -1 marks an empty slot. A drop entry (group 0) reads as a miss.
    private static final int FREE = -1;
    private static final int MISS = 0;
    private static final int INITIAL_SLOTS = 16;

    private final int capacity;
    private int[] keys = free(INITIAL_SLOTS);
    private int[] values = new int[INITIAL_SLOTS];
    private int size;

    /** An empty table holding up to {@code capacity} entries. */
    public StateGroupTable(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("state_forwarding capacity " + capacity + " is not positive");
        }
        this.capacity = capacity;
    }

    /** The most entries the table holds. */
    public int capacity() {
        return capacity;
    }

    /** Number of entries. */
    public int size() {
        return size;
    }

    /** Adds {@code state -> group} ({@link #DROP}: drop); refused if the state has an entry, the ids are invalid or the table is full. */
    public WriteResult insert(int stateId, int groupId) {
        WriteResult invalid = check(stateId, groupId);
        if (invalid != null) {
            return invalid;
        }
        if (slot(stateId) >= 0) {
            return WriteResult.refused(WriteResult.Reason.ALREADY_EXISTS, "state " + stateId + " has an entry");
        }
        if (size == capacity) {
            return WriteResult.refused(WriteResult.Reason.RESOURCE_EXHAUSTED,
                    "state_forwarding is full (" + capacity + " entries)");
        }
        if (2 * (size + 1) > keys.length) {
            resize(2 * keys.length);
        }
        int i = home(stateId);
        while (keys[i] != FREE) {
            i = (i + 1) & (keys.length - 1);
        }
        keys[i] = stateId;
        values[i] = groupId;
        size++;
        return WriteResult.DONE;
    }

    /** Points a state's entry at another group; refused if the state has no entry. */
    public WriteResult modify(int stateId, int groupId) {
        WriteResult invalid = check(stateId, groupId);
        if (invalid != null) {
            return invalid;
        }
        int slot = slot(stateId);
        if (slot < 0) {
            return WriteResult.refused(WriteResult.Reason.NOT_FOUND, "state " + stateId + " has no entry");
        }
        values[slot] = groupId;
        return WriteResult.DONE;
    }

    /** Removes a state's entry; refused if there is none. */
    public WriteResult delete(int stateId) {
        int slot = slot(stateId);
        if (slot < 0) {
            return WriteResult.refused(WriteResult.Reason.NOT_FOUND, "state " + stateId + " has no entry");
        }
        removeAt(slot);
        size--;
        return WriteResult.DONE;
    }

    /** The group of a state, or empty on a miss or a drop entry. */
    public OptionalInt lookup(int stateId) {
        int group = groupOf(stateId);
        return group == MISS ? OptionalInt.empty() : OptionalInt.of(group);
    }

    /** The group of a state, or 0 on a miss (group ids start at 1): the fast path's allocation-free lookup. */
    int groupOf(int stateId) {
        int slot = slot(stateId);
        return slot < 0 ? MISS : values[slot];
    }

    /** Every entry, by state. */
    public SortedMap<Integer, Integer> entries() {
        SortedMap<Integer, Integer> entries = new TreeMap<>();
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] != FREE) {
                entries.put(keys[i], values[i]);
            }
        }
        return Collections.unmodifiableSortedMap(entries);
    }

    /** The slot holding {@code stateId}, or -1. A negative id is never stored, so it misses. */
    private int slot(int stateId) {
        if (stateId < 0) {
            return -1;
        }
        int mask = keys.length - 1;
        for (int i = home(stateId); keys[i] != FREE; i = (i + 1) & mask) {
            if (keys[i] == stateId) {
                return i;
            }
        }
        return -1;
    }

    /** The slot a key's probe starts at: Fibonacci hashing spreads neighbouring STATE_IDs. */
    private int home(int stateId) {
        int h = stateId * 0x9e3779b9;
        return (h ^ (h >>> 16)) & (keys.length - 1);
    }

    /**
     * Empties slot {@code i} and moves back the entries after it whose probe would otherwise pass
     * the hole (Knuth's algorithm R), so lookups stop at the first free slot without tombstones.
     */
    private void removeAt(int i) {
        int mask = keys.length - 1;
        int hole = i;
        for (int j = (hole + 1) & mask; keys[j] != FREE; j = (j + 1) & mask) {
            int home = home(keys[j]);
            // The entry at j may stay if its home lies cyclically in (hole, j].
            boolean stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
            if (!stays) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                hole = j;
            }
        }
        keys[hole] = FREE;
    }

    private void resize(int slots) {
        int[] oldKeys = keys;
        int[] oldValues = values;
        keys = free(slots);
        values = new int[slots];
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != FREE) {
                int j = home(oldKeys[i]);
                while (keys[j] != FREE) {
                    j = (j + 1) & (slots - 1);
                }
                keys[j] = oldKeys[i];
                values[j] = oldValues[i];
            }
        }
    }

    private static int[] free(int slots) {
        int[] keys = new int[slots];
        Arrays.fill(keys, FREE);
        return keys;
    }

    private static WriteResult check(int stateId, int groupId) {
        if (stateId < 0 || stateId > StareAddress.MAX_STATE_ID) {
            return WriteResult.refused(WriteResult.Reason.INVALID_ARGUMENT,
                    "state " + stateId + " is out of range 0.." + StareAddress.MAX_STATE_ID);
        }
        if (groupId < DROP || groupId > ReplicationEngine.MAX_GROUP_ID) {
            return WriteResult.refused(WriteResult.Reason.INVALID_ARGUMENT,
                    "group " + groupId + " is out of range 1.." + ReplicationEngine.MAX_GROUP_ID + " (or DROP)");
        }
        return null;
    }
}
