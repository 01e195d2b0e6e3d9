package dev.palimpsest.store.postgres;

import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.PalimpsestException;
import java.sql.SQLException;

/**
 * What a failure of the database means to a caller: the kind of a {@link PalimpsestException}
 * by SQLSTATE, and whether the operation may simply run again. Messages carry the server's
 * words and SQLSTATE, never a statement's values.
 */
final class SqlFailures {
    private SqlFailures() {
    }

    private static String state(SQLException e) {
        return e.getSQLState() == null ? "" : e.getSQLState();
    }

    /**
     * {@return whether the connection itself failed (closed, reset, server gone), so that it
     * must not be reused}
     *
     * @param e the failure
     */
    static boolean connectionFailed(SQLException e) {
        String s = state(e);
        return (s.startsWith("08") && !s.equals("08004")) || s.startsWith("57P") || s.isEmpty();
    }

    /**
     * {@return whether the transaction lost a race the database resolved by aborting it
     * (serialization failure, deadlock, a concurrent creation of the same row), so that running
     * it again is right}
     *
     * @param e the failure
     */
    static boolean lostRace(SQLException e) {
        String s = state(e);
        return s.equals("40001") || s.equals("40P01") || s.equals("23505");
    }

    /**
     * {@return the typed failure of {@code what} on conversation {@code convId}}
     *
     * @param e      the failure
     * @param convId the conversation, or null
     * @param what   what was done, as "append to 'x'" reads
     */
    static PalimpsestException of(SQLException e, String convId, String what) {
        String s = state(e);
        FailureKind kind;
        String why;
        if (s.equals("57014")) {
            kind = FailureKind.IO;
            why = "the statement timed out or was cancelled";
        } else if (s.equals("42P01") || s.equals("3F000")) {
            kind = FailureKind.NOT_FOUND;
            why = "the database holds no Palimpsest schema (run 'palimpsest db migrate')";
        } else if (s.startsWith("54")) {
            kind = FailureKind.TOO_LARGE;
            why = "a value is past a limit of the database";
        } else if (s.startsWith("28") || s.equals("08004")) {
            kind = FailureKind.IO;
            why = "the database refused the login";
        } else if (connectionFailed(e)) {
            kind = FailureKind.IO;
            why = "the connection to the database failed";
        } else if (s.startsWith("23")) {
            kind = FailureKind.CORRUPT;
            why = "a constraint of the stored data refused the change";
        } else {
            kind = FailureKind.IO;
            why = "the database failed";
        }
        String message = what + ": " + why + " (SQLSTATE " + (s.isEmpty() ? "none" : s)
                + ": " + firstLine(e.getMessage()) + ")";
        return new PalimpsestException(kind, convId, message, e);
    }

    /**
     * {@return the failure of a commit whose outcome the client cannot know}: the connection
     * failed after the commit was sent
     *
     * @param e      the failure
     * @param convId the conversation
     * @param what   what was committed
     */
    static PalimpsestException commitUnknown(SQLException e, String convId, String what) {
        return new PalimpsestException(FailureKind.DURABILITY_UNKNOWN, convId, what
                + ": the connection failed while the commit was under way; it may or may not"
                + " have committed (SQLSTATE " + state(e) + ": " + firstLine(e.getMessage())
                + ")", e);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no message";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
