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
    private final int maxId;
    private final Map<String, Integer> byName = new HashMap<>();
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
        Integer known = byName.get(name);
        if (known != null) {
            return new Assigned(name, known, false);
        }
        if (next > maxId) {
            return new Exhausted("all " + (maxId + 1L) + " " + spaceName + " IDs are assigned; '" + name
                    + "' cannot get one");
        }
        int id = next++;
        byName.put(name, id);
        return new Assigned(name, id, true);
    }

    /** Replays an assignment from the journal. */
    public void restore(String name, int id) {
        if (id < 0 || id > maxId) {
            throw new IllegalArgumentException(spaceName + " ID " + id + " is out of range 0.." + maxId);
        }
        Integer previous = byName.putIfAbsent(name, id);
        if (previous != null && previous != id) {
            throw new IllegalStateException("journal assigns '" + name + "' both " + previous + " and " + id);
        }
        next = Math.max(next, id + 1);
    }

    /** The ID of a name, if assigned. */
    public OptionalInt lookup(String name) {
        Integer id = byName.get(name);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** The name an ID was given, if any. */
    public Optional<String> nameOf(int id) {
        return byName.entrySet().stream().filter(e -> e.getValue() == id).map(Map.Entry::getKey).findFirst();
    }

    /** How many IDs are assigned. */
    public int size() {
        return byName.size();
    }
}
