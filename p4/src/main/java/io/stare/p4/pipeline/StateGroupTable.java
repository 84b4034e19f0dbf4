package io.stare.p4.pipeline;

import io.stare.protocol.address.StareAddress;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The embedded pipeline's exact-match table {@code state_forwarding}: STATE_ID to
 * {@code set_group(group)}. A Publish whose state has no entry is dropped (NO_SUBSCRIBER). Writes
 * follow P4Runtime's rules and report refusals as {@link WriteResult} values.
 *
 * <p>Not thread-safe, like its pipeline.
 */
public final class StateGroupTable {

    /** The table size the embedded P4 program declares. */
    public static final int DEFAULT_CAPACITY = 65536;

    private final int capacity;
    private final Map<Integer, Integer> groups = new HashMap<>();

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
        return groups.size();
    }

    /** Adds {@code state -> group}; refused if the state has an entry, the ids are invalid or the table is full. */
    public WriteResult insert(int stateId, int groupId) {
        WriteResult invalid = check(stateId, groupId);
        if (invalid != null) {
            return invalid;
        }
        if (groups.containsKey(stateId)) {
            return WriteResult.refused(WriteResult.Reason.ALREADY_EXISTS, "state " + stateId + " has an entry");
        }
        if (groups.size() == capacity) {
            return WriteResult.refused(WriteResult.Reason.RESOURCE_EXHAUSTED,
                    "state_forwarding is full (" + capacity + " entries)");
        }
        groups.put(stateId, groupId);
        return WriteResult.DONE;
    }

    /** Points a state's entry at another group; refused if the state has no entry. */
    public WriteResult modify(int stateId, int groupId) {
        WriteResult invalid = check(stateId, groupId);
        if (invalid != null) {
            return invalid;
        }
        if (!groups.containsKey(stateId)) {
            return WriteResult.refused(WriteResult.Reason.NOT_FOUND, "state " + stateId + " has no entry");
        }
        groups.put(stateId, groupId);
        return WriteResult.DONE;
    }

    /** Removes a state's entry; refused if there is none. */
    public WriteResult delete(int stateId) {
        if (groups.remove(stateId) == null) {
            return WriteResult.refused(WriteResult.Reason.NOT_FOUND, "state " + stateId + " has no entry");
        }
        return WriteResult.DONE;
    }

    /** The group of a state, or empty on a miss. */
    public OptionalInt lookup(int stateId) {
        Integer group = groups.get(stateId);
        return group == null ? OptionalInt.empty() : OptionalInt.of(group);
    }

    /** Every entry, by state. */
    public SortedMap<Integer, Integer> entries() {
        return Collections.unmodifiableSortedMap(new TreeMap<>(groups));
    }

    private static WriteResult check(int stateId, int groupId) {
        if (stateId < 0 || stateId > StareAddress.MAX_STATE_ID) {
            return WriteResult.refused(WriteResult.Reason.INVALID_ARGUMENT,
                    "state " + stateId + " is out of range 0.." + StareAddress.MAX_STATE_ID);
        }
        if (groupId < 1 || groupId > ReplicationEngine.MAX_GROUP_ID) {
            return WriteResult.refused(WriteResult.Reason.INVALID_ARGUMENT,
                    "group " + groupId + " is out of range 1.." + ReplicationEngine.MAX_GROUP_ID);
        }
        return null;
    }
}
