package dev.palimpsest.store.postgres;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * A connection and what the store last set on it, so that an operation changes the transaction
 * mode only when it differs: setting the isolation level is a round trip to the server.
 */
final class Session {
    /** The isolation of single-statement reads: none, each statement commits on its own. */
    static final int AUTO_COMMIT = -1;

    private final Connection connection;
    private int mode = Integer.MIN_VALUE;

    Session(Connection connection) {
        this.connection = connection;
    }

    Connection connection() {
        return connection;
    }

    /**
     * Prepares the connection for an operation.
     *
     * @param isolation {@link #AUTO_COMMIT}, or a {@link Connection} isolation level for a
     *                  transaction
     * @throws SQLException if the connection fails
     */
    void begin(int isolation) throws SQLException {
        if (isolation == mode) {
            return;
        }
        if (isolation == AUTO_COMMIT) {
            connection.setAutoCommit(true);
        } else {
            connection.setAutoCommit(false);
            connection.setTransactionIsolation(isolation);
        }
        mode = isolation;
    }

    /** {@return whether a transaction is to be committed at the end} */
    boolean inTransaction() {
        return mode != AUTO_COMMIT;
    }
}
