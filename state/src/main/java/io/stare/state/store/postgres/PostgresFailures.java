package io.stare.state.store.postgres;

import io.stare.state.store.StateStoreException;
import io.stare.state.store.StateStoreException.Kind;
import java.io.IOException;
import java.sql.SQLException;

/** Turns the driver's {@link SQLException}s into {@link StateStoreException}s, by SQLState. */
final class PostgresFailures {

    private PostgresFailures() {
    }

    /** {@code what} failed with {@code e}. */
    static StateStoreException of(String what, SQLException e) {
        return new StateStoreException(kindOf(e), what + ": " + describe(e), e);
    }

    /**
     * Class 28 (and the driver's 08004: it refused to log in, e.g. no password for a server that
     * asks one) is authentication; 3D000 an unknown database; class 08, the server going away
     * (57P*), a cancelled statement (57014: our timeout), too many connections (53300) or an I/O
     * failure without a state is unavailability; the rest is the server refusing the statement.
     */
    static Kind kindOf(SQLException e) {
        String state = stateOf(e);
        if (state != null) {
            if (state.startsWith("28") || state.equals("08004")) {
                return Kind.AUTHENTICATION;
            }
            if (state.equals("3D000")) {
                return Kind.CONFIGURATION;
            }
            if (state.startsWith("08") || state.startsWith("57P") || state.equals("57014") || state.equals("53300")) {
                return Kind.UNAVAILABLE;
            }
        }
        return causedByIo(e) ? Kind.UNAVAILABLE : Kind.REFUSED;
    }

    /** A batch's own exception may carry no state: the entry that failed, chained next, does. */
    private static String stateOf(SQLException e) {
        for (SQLException at = e; at != null; at = at.getNextException()) {
            if (at.getSQLState() != null) {
                return at.getSQLState();
            }
        }
        return null;
    }

    private static boolean causedByIo(Throwable e) {
        for (Throwable at = e; at != null; at = at.getCause()) {
            if (at instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    /** The message, with the failed batch entry's when there is one (the batch's own says only "aborted"). */
    private static String describe(SQLException e) {
        SQLException next = e.getNextException();
        String message = e.getMessage() + " [SQLState " + e.getSQLState() + "]";
        if (next != null && next != e) {
            message += "; " + next.getMessage() + " [SQLState " + next.getSQLState() + "]";
        }
        return message;
    }
}
