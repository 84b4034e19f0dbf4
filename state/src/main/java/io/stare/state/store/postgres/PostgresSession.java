package io.stare.state.store.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/**
 * One connection of the store and its prepared statements, used by one thread at a time. A
 * connection found broken is dropped, and the next call connects anew.
 */
final class PostgresSession {

    /** Opens a connection. */
    interface Connector {
        Connection connect() throws SQLException;
    }

    private final Connector connector;
    private final int timeoutSeconds;
    private final Map<String, PreparedStatement> statements = new HashMap<>();
    private Connection connection;

    PostgresSession(Connector connector, int timeoutSeconds, Connection connection) {
        this.connector = connector;
        this.timeoutSeconds = timeoutSeconds;
        this.connection = connection;
    }

    /** The connection, connecting first if the last one was dropped. */
    Connection connection() throws SQLException {
        if (connection == null) {
            connection = connector.connect();
        }
        return connection;
    }

    /**
     * {@code sql} prepared on this connection, with the timeout. Kept: the driver switches a
     * statement it has run a few times to a server-side prepared one.
     */
    PreparedStatement prepare(String sql) throws SQLException {
        PreparedStatement statement = statements.get(sql);
        if (statement == null) {
            statement = connection().prepareStatement(sql);
            statement.setQueryTimeout(timeoutSeconds);
            statements.put(sql, statement);
        }
        return statement;
    }

    /** Whether the connection is gone (the driver closes it on a fatal error). */
    boolean isBroken() {
        try {
            return connection == null || connection.isClosed();
        } catch (SQLException e) {
            return true;
        }
    }

    /** Closes and forgets the connection; the next call connects anew. */
    void drop() {
        statements.clear();
        Connection closing = connection;
        connection = null;
        if (closing != null) {
            try {
                closing.close();
            } catch (SQLException e) {
                // Already broken: nothing left to release.
            }
        }
    }
}
