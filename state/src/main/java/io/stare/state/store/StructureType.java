package io.stare.state.store;

import java.util.Locale;

/** The kinds of structure a network function keeps (FlexState's API), each a part of its items' keys. */
public enum StructureType {
    /** One value: create, read, update, delete. */
    VALUE,
    /** A 64-bit integer: CRUD and {@code add}. */
    COUNTER,
    /** Values in the order they were appended. */
    LIST,
    /** Distinct values. */
    SET,
    /** Values by key. */
    MAP,
    /** 64-bit integers by key, with {@code addTo(key, delta)}. */
    COUNTERMAP;

    /** The name in keys and table names: {@code value}, {@code counter}, ... */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The type of {@code label}; throws {@link IllegalArgumentException} for an unknown one. */
    public static StructureType ofLabel(String label) {
        for (StructureType type : values()) {
            if (type.label().equals(label)) {
                return type;
            }
        }
        throw new IllegalArgumentException("no structure type '" + label + "' (value, counter, list, set, map, "
                + "countermap)");
    }
}
