package dev.palimpsest.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The SQLite contenders, through sqlite-jdbc in WAL mode with {@code synchronous=FULL} (every
 * commit fsyncs the WAL: as durable per acknowledged round as our store).
 *
 * <p>{@link #insertRound} is what a user who keeps conversations in SQLite pays to append a
 * round: one row, one transaction.
 */
final class SqliteBaseline implements AutoCloseable {
    private final Connection connection;
    private final PreparedStatement insertRound;

    /**
     * Opens (and creates if needed) the database with the benchmark's settings.
     *
     * @param dbFile the database file
     * @throws SQLException if SQLite refused
     */
    SqliteBaseline(Path dbFile) throws SQLException {
        connection = DriverManager.getConnection("jdbc:sqlite:" + dbFile.toAbsolutePath());
        try (Statement st = connection.createStatement()) {
            st.execute("PRAGMA journal_mode=WAL");
            st.execute("PRAGMA synchronous=FULL");
            // Eight writers queue on SQLite's one write lock instead of failing with SQLITE_BUSY.
            st.execute("PRAGMA busy_timeout=60000");
            st.execute("CREATE TABLE IF NOT EXISTS rounds (conv_id TEXT NOT NULL,"
                    + " seq INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (conv_id, seq))");
        }
        insertRound = connection.prepareStatement(
                "INSERT INTO rounds (conv_id, seq, body) VALUES (?, ?, ?)");
    }

    /**
     * Inserts one round as one row, in one transaction: what an append of a round costs a user
     * who keeps conversations in SQLite, the fair comparator of a log append (figures 1 and 5).
     *
     * @param convId the conversation
     * @param seq    the round's seq
     * @param body   the round's JSON
     * @throws SQLException if SQLite refused
     */
    void insertRound(String convId, long seq, String body) throws SQLException {
        insertRound.setString(1, convId);
        insertRound.setLong(2, seq);
        insertRound.setString(3, body);
        insertRound.executeUpdate();
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
