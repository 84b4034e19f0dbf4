package io.stare.state;

/** Whose items a merged read takes. */
public enum Scope {
    /** Every partition of this instance. */
    INSTANCE,
    /** Every partition of every instance of the network function, as the store has them. */
    NF
}
