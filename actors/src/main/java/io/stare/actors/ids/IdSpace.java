package io.stare.actors.ids;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Hands out the IDs of one space (VNF IDs: 10 bits; state IDs: 22 bits) by name, idempotently:
 * the same name always gets the same ID, also after the assignments are replayed from a journal
 * ({@link #restore}). When every ID is taken a new name is refused; nothing is ever reused, so an ID
 * in an old packet or backlog never names a different thing.
 *
 * <p>Plain Java; the replica controller's ID actor persists each new assignment and replays it.
 */
public final class IdSpace {

    /** The answer to {@link #assign}. */
    public sealed interface Outcome permits Assigned, Exhausted {
    }

    /**
     * The name's ID.
     *
     * @param isNew whether this call created it (and it must be persisted)
     */
    public record Assigned(String name, int id, boolean isNew) implements Outcome {
    }

    /** Every ID of the space is taken. */
    public record Exhausted(String message) implements Outcome {
    }

    private final String spaceName;
    private int maxId;
    /** Sorted, so that the names under a prefix are one range (listings). */
    private final java.util.NavigableMap<String, Integer> byName = new java.util.TreeMap<>();
    private final Map<Integer, String> byId = new HashMap<>();
    private int next;

    /**
     * @param spaceName what the IDs name, for messages ("VNF", "state")
     * @param maxId the largest ID of the space
     */
    public IdSpace(String spaceName, int maxId) {
        if (maxId < 0) {
            throw new IllegalArgumentException("maxId must not be negative: " + maxId);
        }
        this.spaceName = spaceName;
        this.maxId = maxId;
    }

    /** The name's ID, assigning the next free one to a new name. */
    public Outcome assign(String name) {
        Outcome outcome = peek(name);
        if (outcome instanceof Assigned assigned && assigned.isNew()) {
            restore(name, assigned.id());
        }
        return outcome;
    }

    /**
     * What {@link #assign} would answer, without assigning: an event-sourced owner persists a new
     * assignment first and applies it with {@link #restore}.
     */
    public Outcome peek(String name) {
        Integer known = byName.get(name);
        if (known != null) {
            return new Assigned(name, known, false);
        }
        if (next > maxId) {
            return new Exhausted("all " + (maxId + 1L) + " " + spaceName + " IDs are assigned; '" + name
                    + "' cannot get one");
        }
        return new Assigned(name, next, true);
    }

    /** Changes the largest ID handed out from now on (IDs already assigned above it stay). */
    public void limit(int newMaxId) {
        if (newMaxId < 0) {
            throw new IllegalArgumentException("maxId must not be negative: " + newMaxId);
        }
        this.maxId = newMaxId;
    }

    /** Every assignment, name to ID. */
    public Map<String, Integer> assignments() {
        return Map.copyOf(byName);
    }

    /** The assigned names that start with {@code prefix}, in order, read lazily (a range of the index). */
    public java.util.stream.Stream<String> namesStartingWith(String prefix) {
        return byName.tailMap(prefix, true).keySet().stream().takeWhile(name -> name.startsWith(prefix));
    }

    /** Replays an assignment from the journal. */
    public void restore(String name, int id) {
        if (id < 0) {
            throw new IllegalArgumentException(spaceName + " ID " + id + " is negative");
        }
        Integer previous = byName.putIfAbsent(name, id);
        if (previous != null && previous != id) {
            throw new IllegalStateException("journal assigns '" + name + "' both " + previous + " and " + id);
        }
        byId.put(id, name);
        next = Math.max(next, id + 1);
    }

    /** The ID of a name, if assigned. */
    public OptionalInt lookup(String name) {
        Integer id = byName.get(name);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** The name an ID was given, if any. */
    public Optional<String> nameOf(int id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** How many IDs are assigned. */
    public int size() {
        return byName.size();
    }
}
