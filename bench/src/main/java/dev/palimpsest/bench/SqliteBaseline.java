package dev.palimpsest.bench;

import dev.palimpsest.core.Conversation;
import dev.palimpsest.core.Round;
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
 * <p>{@link #rewriteWindow} does what the JDBC chat-memory repositories of the Java AI frameworks
 * do on each round: in one transaction, delete the conversation's messages and insert the whole
 * window again (one row per message: two per round, plus the summary as a system message).
 * {@link #putState} stores the whole state as one row instead (figure 1d).
 */
final class SqliteBaseline implements AutoCloseable {
    private final Connection connection;
    private final PreparedStatement deleteWindow;
    private final PreparedStatement insertMessage;
    private final PreparedStatement upsertState;
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
            st.execute("CREATE TABLE IF NOT EXISTS chat_memory (conversation_id TEXT NOT NULL,"
                    + " content TEXT NOT NULL, type TEXT NOT NULL, ts INTEGER NOT NULL)");
            st.execute("CREATE INDEX IF NOT EXISTS chat_memory_conv"
                    + " ON chat_memory (conversation_id, ts)");
            st.execute("CREATE TABLE IF NOT EXISTS rounds (conv_id TEXT NOT NULL,"
                    + " seq INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (conv_id, seq))");
            st.execute("CREATE TABLE IF NOT EXISTS conversation_state ("
                    + "conv_id TEXT PRIMARY KEY, state BLOB NOT NULL)");
        }
        deleteWindow = connection.prepareStatement(
                "DELETE FROM chat_memory WHERE conversation_id = ?");
        insertMessage = connection.prepareStatement(
                "INSERT INTO chat_memory (conversation_id, content, type, ts) VALUES (?, ?, ?, ?)");
        insertRound = connection.prepareStatement(
                "INSERT INTO rounds (conv_id, seq, body) VALUES (?, ?, ?)");
        upsertState = connection.prepareStatement(
                "INSERT OR REPLACE INTO conversation_state (conv_id, state) VALUES (?, ?)");
    }

    /**
     * Inserts one round as one row, in one transaction: what an append of a round costs a user
     * who keeps conversations in SQLite, the fair comparator of a log append (figure 5).
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

    /**
     * Replaces the conversation's message rows with its current window, in one transaction.
     *
     * @param state the conversation's state (its id, summary and recent rounds)
     * @throws SQLException if SQLite refused
     */
    void rewriteWindow(Conversation state) throws SQLException {
        try (Statement st = connection.createStatement()) {
            // IMMEDIATE takes the write lock up front, so concurrent writers wait on the busy
            // timeout instead of deadlocking on a read-to-write upgrade.
            st.execute("BEGIN IMMEDIATE");
            boolean committed = false;
            try {
                deleteWindow.setString(1, state.convId());
                deleteWindow.executeUpdate();
                long ts = 0;
                if (!state.compressedContext().isEmpty()) {
                    addMessage(state.convId(), state.compressedContext(), "SYSTEM", ts++);
                }
                for (Round round : state.recentRounds()) {
                    addMessage(state.convId(), round.user(), "USER", ts++);
                    addMessage(state.convId(), round.assistant(), "ASSISTANT", ts++);
                }
                insertMessage.executeBatch();
                st.execute("COMMIT");
                committed = true;
            } finally {
                if (!committed) {
                    st.execute("ROLLBACK");
                }
            }
        }
    }

    /**
     * Stores the whole state as one row (autocommit: one transaction).
     *
     * @param convId the conversation id
     * @param bytes  the serialized state
     * @throws SQLException if SQLite refused
     */
    void putState(String convId, byte[] bytes) throws SQLException {
        upsertState.setString(1, convId);
        upsertState.setBytes(2, bytes);
        upsertState.executeUpdate();
    }

    private void addMessage(String convId, String content, String type, long ts)
            throws SQLException {
        insertMessage.setString(1, convId);
        insertMessage.setString(2, content);
        insertMessage.setString(3, type);
        insertMessage.setLong(4, ts);
        insertMessage.addBatch();
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
