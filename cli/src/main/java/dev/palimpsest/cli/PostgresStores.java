package dev.palimpsest.cli;

import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.store.ConversationStore;
import dev.palimpsest.store.Recall;
import dev.palimpsest.store.postgres.PostgresConversationStore;
import dev.palimpsest.store.postgres.PostgresRecall;
import dev.palimpsest.store.postgres.PostgresSchema;
import dev.palimpsest.store.postgres.PostgresStoreOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;

/**
 * The launcher's way to a PostgreSQL store: the one class of the launcher that names the
 * store's types, so that a command on the file store loads none of them (nor java.sql's).
 */
final class PostgresStores {
    private PostgresStores() {
    }

    static Properties login(StoreLocation.Postgres location, Optional<String> password) {
        Properties p = new Properties();
        for (Map.Entry<String, String> e : location.parameters().entrySet()) {
            p.setProperty(e.getKey(), e.getValue());
        }
        p.setProperty("user", location.user());
        password.ifPresent(secret -> p.setProperty("password", secret));
        p.setProperty("ApplicationName", "palimpsest");
        return p;
    }

    static PostgresStoreOptions options(StoreLocation.Postgres location) {
        PostgresStoreOptions options = PostgresStoreOptions.DEFAULTS.withPoolSize(2);
        try {
            return location.schema().isEmpty() ? options : options.withSchema(location.schema());
        } catch (PalimpsestException e) {
            throw CliException.usage("the store URL's schema: " + e.getMessage(), e);
        }
    }

    static ConversationStore open(StoreLocation.Postgres location, Optional<String> password) {
        return PostgresConversationStore.open(location.jdbcUrl(), login(location, password),
                options(location));
    }

    static Recall recall(ConversationStore store) {
        return PostgresRecall.of((PostgresConversationStore) store);
    }

    /** {@return the schema's version before, after a migration to this build's} */
    static int migrate(StoreLocation.Postgres location, Optional<String> password) {
        try (Connection c = connect(location, password)) {
            return PostgresSchema.migrate(c, options(location).schema());
        } catch (SQLException e) {
            throw closing(location, e);
        }
    }

    /** {@return the schema's version, empty if the database holds none} */
    static OptionalInt version(StoreLocation.Postgres location, Optional<String> password) {
        try (Connection c = connect(location, password)) {
            return PostgresSchema.version(c, options(location).schema());
        } catch (SQLException e) {
            throw closing(location, e);
        }
    }

    static String schema(StoreLocation.Postgres location) {
        return options(location).schema();
    }

    static int buildVersion() {
        return PostgresSchema.VERSION;
    }

    private static Connection connect(StoreLocation.Postgres location, Optional<String> password)
            throws SQLException {
        try {
            return DriverManager.getConnection(location.jdbcUrl(), login(location, password));
        } catch (SQLException e) {
            String state = e.getSQLState() == null ? "none" : e.getSQLState();
            throw new PalimpsestException(FailureKind.IO, null, "cannot connect to "
                    + location.display() + " (SQLSTATE " + state + "): "
                    + firstLine(e.getMessage()), e);
        }
    }

    private static PalimpsestException closing(StoreLocation.Postgres location,
                                               SQLException e) {
        return new PalimpsestException(FailureKind.IO, null, "closing the connection to "
                + location.display() + " failed: " + firstLine(e.getMessage()), e);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no message";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
