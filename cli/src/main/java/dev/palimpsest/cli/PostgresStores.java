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
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.ServiceLoader;

/**
 * The launcher's way to a PostgreSQL store: the one class of the launcher that names the
 * store's types, so that a command on the file store loads none of them (nor java.sql's).
 *
 * <p>It also makes the driver reachable. Where the driver is on the class path (tests, a
 * launcher run from the build), {@code DriverManager} finds it. The runtime image keeps it in
 * {@code lib/classpath/} and does not put it on the JVM's class path: a class path costs every
 * command (the JVM's service lookups open its jars, about 8 ms of each start here), so the jars
 * there are loaded by a class loader of their own the first time a command needs a database.
 */
final class PostgresStores {
    /** Where the runtime image keeps the jars without a module descriptor. */
    static final String CLASS_PATH_DIR = "lib/classpath";

    private static boolean driverReady;

    private PostgresStores() {
    }

    /** Makes a driver for {@code jdbcUrl} reachable through DriverManager, once. */
    private static synchronized void ensureDriver(String jdbcUrl) {
        if (driverReady) {
            return;
        }
        try {
            DriverManager.getDriver(jdbcUrl);
            driverReady = true;
            return;
        } catch (SQLException none) {
            // Not on the class path: the image's own directory of jars, below.
        }
        java.nio.file.Path dir = java.nio.file.Path.of(System.getProperty("java.home"))
                .resolve(CLASS_PATH_DIR);
        List<java.net.URL> jars = new ArrayList<>();
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(dir)) {
            for (java.nio.file.Path jar : files.filter(f -> f.toString().endsWith(".jar"))
                    .sorted().toList()) {
                jars.add(jar.toUri().toURL());
            }
        } catch (java.io.IOException e) {
            throw new PalimpsestException(FailureKind.IO, null, "no PostgreSQL driver: it is"
                    + " not on the class path, and " + dir + " cannot be read ("
                    + IoMessages.describe(e) + ")", e);
        }
        // Never closed: the driver's classes serve the rest of the process.
        java.net.URLClassLoader loader = new java.net.URLClassLoader("palimpsest-drivers",
                jars.toArray(java.net.URL[]::new), PostgresStores.class.getClassLoader());
        try {
            for (Driver driver : ServiceLoader.load(Driver.class, loader)) {
                DriverManager.registerDriver(new DriverShim(driver));
            }
        } catch (SQLException | java.util.ServiceConfigurationError e) {
            throw new PalimpsestException(FailureKind.IO, null, "the drivers in " + dir
                    + " cannot be loaded: " + firstLine(e.getMessage()), e);
        }
        driverReady = true;
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
        ensureDriver(location.jdbcUrl());
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
        ensureDriver(location.jdbcUrl());
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
