package dev.palimpsest.store.postgres;

import dev.palimpsest.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

/** The tests' way to the shared server: a fresh schema per store, so tests never meet. */
final class TestDatabase {
    private static final AtomicInteger SCHEMAS = new AtomicInteger();

    private TestDatabase() {
    }

    static PostgresServer server() {
        return PostgresServer.shared();
    }

    static Properties login(PostgresServer server) {
        Properties p = new Properties();
        p.setProperty("user", PostgresServer.USER);
        p.setProperty("password", server.password());
        return p;
    }

    /** {@return a schema name no other test of this JVM uses} */
    static String freshSchema() {
        return "t" + ProcessHandle.current().pid() + "_" + SCHEMAS.incrementAndGet();
    }

    static PostgresConversationStore open(PostgresServer server, PostgresStoreOptions options) {
        return PostgresConversationStore.open(server.jdbcUrl(), login(server), options);
    }

    /** {@return a new store in a new schema of the shared server} */
    static PostgresConversationStore fresh() {
        return open(server(), PostgresStoreOptions.DEFAULTS.withSchema(freshSchema())
                .withMigrateOnOpen(true));
    }

    static Connection connect(PostgresServer server) throws SQLException {
        return DriverManager.getConnection(server.jdbcUrl(), login(server));
    }
}
