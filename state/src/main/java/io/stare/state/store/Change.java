package io.stare.state.store;

import java.util.List;
import java.util.Objects;

/**
 * One write to one item, as a store applies it. A batch ({@link StateStore#apply}) is applied in
 * its order; the flusher's merged batches keep, per item, a {@link Delete} or a reset first and
 * the accumulations after it.
 */
public sealed interface Change {

    /** The item written. */
    StateKey key();

    /** Sets a {@code value} item. */
    record PutValue(StateKey key, byte[] value) implements Change {
        public PutValue {
            expect(key, StructureType.VALUE);
            Objects.requireNonNull(value, "value");
        }
    }

    /** Removes the item, whatever its type: a counter reads 0 after, a collection empty. */
    record Delete(StateKey key) implements Change {
        public Delete {
            Objects.requireNonNull(key, "key");
        }
    }

    /** Sets a counter. */
    record SetCounter(StateKey key, long value) implements Change {
        public SetCounter {
            expect(key, StructureType.COUNTER);
        }
    }

    /** Adds {@code delta} (negative subtracts) to a counter, 0 when absent. */
    record AddToCounter(StateKey key, long delta) implements Change {
        public AddToCounter {
            expect(key, StructureType.COUNTER);
        }
    }

    /** Appends values to a list, in order. */
    record Append(StateKey key, List<byte[]> values) implements Change {
        public Append {
            expect(key, StructureType.LIST);
            values = List.copyOf(values);
        }
    }

    /** Adds a member to a set. */
    record AddMember(StateKey key, Bytes member) implements Change {
        public AddMember {
            expect(key, StructureType.SET);
            Objects.requireNonNull(member, "member");
        }
    }

    /** Removes a member from a set. */
    record RemoveMember(StateKey key, Bytes member) implements Change {
        public RemoveMember {
            expect(key, StructureType.SET);
            Objects.requireNonNull(member, "member");
        }
    }

    /** Puts a field of a map. */
    record PutField(StateKey key, Bytes field, byte[] value) implements Change {
        public PutField {
            expect(key, StructureType.MAP);
            Objects.requireNonNull(field, "field");
            Objects.requireNonNull(value, "value");
        }
    }

    /** Sets a field of a countermap. */
    record SetField(StateKey key, Bytes field, long value) implements Change {
        public SetField {
            expect(key, StructureType.COUNTERMAP);
            Objects.requireNonNull(field, "field");
        }
    }

    /** Adds {@code delta} to a field of a countermap, 0 when absent. */
    record AddToField(StateKey key, Bytes field, long delta) implements Change {
        public AddToField {
            expect(key, StructureType.COUNTERMAP);
            Objects.requireNonNull(field, "field");
        }
    }

    /** Removes a field of a map or a countermap. */
    record RemoveField(StateKey key, Bytes field) implements Change {
        public RemoveField {
            Objects.requireNonNull(key, "key");
            if (key.type() != StructureType.MAP && key.type() != StructureType.COUNTERMAP) {
                throw new IllegalArgumentException("a field is removed from a map or a countermap, not a "
                        + key.type().label() + " (" + key + ")");
            }
            Objects.requireNonNull(field, "field");
        }
    }

    private static void expect(StateKey key, StructureType type) {
        Objects.requireNonNull(key, "key");
        if (key.type() != type) {
            throw new IllegalArgumentException("a " + type.label() + " change for the " + key.type().label() + " "
                    + key);
        }
    }
}
