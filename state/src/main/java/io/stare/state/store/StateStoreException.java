package io.stare.state.store;

/** A store refused or could not take a call; {@link #kind()} says which way. */
public final class StateStoreException extends RuntimeException {

    /** Why. */
    public enum Kind {
        /** The configuration names no driver, or a setting is wrong. */
        CONFIGURATION,
        /** The store refused the credentials. */
        AUTHENTICATION,
        /** The store cannot be reached, or did not answer in time. */
        UNAVAILABLE,
        /** The store answered with an error (a wrong type under a key, a full disk...). */
        REFUSED,
        /** The store is closed. */
        CLOSED
    }

    private final Kind kind;

    public StateStoreException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public StateStoreException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    /** Why the call failed. */
    public Kind kind() {
        return kind;
    }
}
