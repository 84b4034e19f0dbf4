package io.stare.state.store;

import java.util.Objects;

/**
 * The key of one item, as FlexState writes it: {@code nf@instance@partition@type@id}. The network
 * function's and the instance's IDs come from configuration; the partition is the writer's (one
 * per worker thread); the structure's ID is the developer's.
 *
 * @param nf the network function (all its instances share it)
 * @param instance this instance of the network function
 * @param partition the writer's partition, 0 and up
 * @param type the structure's type
 * @param id the structure's ID within the network function
 */
public record StateKey(String nf, String instance, int partition, StructureType type, String id) {

    /** The separator of the key's parts, which no part may contain. */
    public static final char SEPARATOR = '@';

    /** Checks the parts: none empty or holding the separator, the partition not negative. */
    public StateKey {
        check("nf", nf);
        check("instance", instance);
        check("id", id);
        Objects.requireNonNull(type, "type");
        if (partition < 0) {
            throw new IllegalArgumentException("partition " + partition + " is negative");
        }
    }

    private static void check(String what, String part) {
        Objects.requireNonNull(part, what);
        if (part.isEmpty() || part.indexOf(SEPARATOR) >= 0) {
            throw new IllegalArgumentException("a key's " + what + " must be non-empty and hold no '" + SEPARATOR
                    + "': '" + part + "'");
        }
    }

    /** {@code nf@instance@partition@type@id}. */
    public String render() {
        return nf + SEPARATOR + instance + SEPARATOR + partition + SEPARATOR + type.label() + SEPARATOR + id;
    }

    /** The key {@link #render()} wrote; throws {@link IllegalArgumentException} for anything else. */
    public static StateKey parse(String text) {
        String[] parts = text.split(String.valueOf(SEPARATOR), -1);
        if (parts.length != 5) {
            throw new IllegalArgumentException("not a state key (nf@instance@partition@type@id): '" + text + "'");
        }
        int partition;
        try {
            partition = Integer.parseInt(parts[2]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a state key, partition '" + parts[2] + "': '" + text + "'");
        }
        return new StateKey(parts[0], parts[1], partition, StructureType.ofLabel(parts[3]), parts[4]);
    }

    /** The same structure in another partition. */
    public StateKey inPartition(int other) {
        return new StateKey(nf, instance, other, type, id);
    }

    /** The same structure of another instance. */
    public StateKey ofInstance(String other) {
        return new StateKey(nf, other, partition, type, id);
    }

    @Override
    public String toString() {
        return render();
    }
}
