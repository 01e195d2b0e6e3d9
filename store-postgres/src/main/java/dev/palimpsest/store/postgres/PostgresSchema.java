package dev.palimpsest.store.postgres;

import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.PalimpsestException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.OptionalInt;

/**
 * The versioned schema of the store: created or migrated explicitly ({@code palimpsest db
 * migrate}, or {@link PostgresStoreOptions#migrateOnOpen}), checked by every open. Each
 * migration runs in one transaction, so a database is at one version or the next, never
 * between; of two hosts migrating at once, one creates the tables and the other finds them.
 */
public final class PostgresSchema {
    /** The schema version this build creates and reads. */
    public static final int VERSION = Sql.SCHEMA_VERSION;

    private PostgresSchema() {
    }

    /**
     * {@return the schema version a database holds, or empty if it holds no Palimpsest schema}
     *
     * @param connection a connection to the database
     * @param schema     the schema name
     * @throws PalimpsestException {@code IO} if the database cannot be read
     */
    public static OptionalInt version(Connection connection, String schema) {
        Sql.checkSchema(schema);
        try {
            return read(connection, schema);
        } catch (SQLException e) {
            throw SqlFailures.of(e, null, "reading the schema version of '" + schema + "'");
        }
    }

    private static OptionalInt read(Connection connection, String schema) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(Sql.SCHEMA_EXISTS)) {
            ps.setString(1, schema);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return OptionalInt.empty();
                }
            }
        }
        try (PreparedStatement ps = connection.prepareStatement(
                Sql.in(Sql.SCHEMA_VERSION_OF, schema));
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? OptionalInt.of(rs.getInt(1)) : OptionalInt.empty();
        }
    }

    /**
     * Creates the schema, or migrates it to {@link #VERSION}; does nothing if it is there.
     *
     * @param connection a connection to the database, whose auto-commit is restored after
     * @param schema     the schema name
     * @return the version the database held before, 0 if it held none
     * @throws PalimpsestException {@code CORRUPT} if the database holds a newer version than
     *         this build knows, {@code IO} if the database fails
     */
    public static int migrate(Connection connection, String schema) {
        Sql.checkSchema(schema);
        for (int attempt = 1; ; attempt++) {
            try {
                return migrateOnce(connection, schema);
            } catch (SQLException e) {
                // Another host created the tables in the same moment: look again.
                if (attempt < 3 && (SqlFailures.lostRace(e) || "42P07".equals(e.getSQLState())
                        || "42P06".equals(e.getSQLState()))) {
                    continue;
                }
                throw SqlFailures.of(e, null, "migrating schema '" + schema + "'");
            }
        }
    }

    private static int migrateOnce(Connection connection, String schema) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
            OptionalInt found = read(connection, schema);
            int before = found.orElse(0);
            if (before > VERSION) {
                throw new PalimpsestException(FailureKind.CORRUPT, "schema '" + schema
                        + "' is at version " + before + ", newer than this build's " + VERSION
                        + ": upgrade Palimpsest");
            }
            if (before == 0) {
                try (Statement st = connection.createStatement()) {
                    for (String ddl : Sql.CREATE_V1) {
                        st.execute(Sql.in(ddl, schema));
                    }
                }
            } else {
                // The version row is locked, so a second migrator waits and then finds it done.
                try (PreparedStatement ps = connection.prepareStatement(
                        Sql.in(Sql.SCHEMA_VERSION_READ, schema));
                     ResultSet rs = ps.executeQuery()) {
                    rs.next();
                }
            }
            connection.commit();
            return before;
        } catch (SQLException | RuntimeException e) {
            try {
                connection.rollback();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    /**
     * Checks that a database holds this build's schema.
     *
     * @param connection a connection to the database
     * @param schema     the schema name
     * @throws PalimpsestException {@code NOT_FOUND} if it holds none, {@code CORRUPT} if it
     *         holds another version
     */
    static void check(Connection connection, String schema) {
        OptionalInt found = version(connection, schema);
        if (found.isEmpty()) {
            throw new PalimpsestException(FailureKind.NOT_FOUND, "the database holds no"
                    + " Palimpsest schema '" + schema + "': run 'palimpsest db migrate', or"
                    + " open the store with migrateOnOpen");
        }
        if (found.getAsInt() != VERSION) {
            throw new PalimpsestException(FailureKind.CORRUPT, "schema '" + schema + "' is at"
                    + " version " + found.getAsInt() + ", this build reads version " + VERSION
                    + (found.getAsInt() > VERSION ? ": upgrade Palimpsest"
                    : ": run 'palimpsest db migrate'"));
        }
    }
}
