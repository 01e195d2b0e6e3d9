package dev.palimpsest.store.postgres;

import dev.palimpsest.model.PalimpsestException;
import java.time.Duration;

/**
 * How a {@link PostgresConversationStore} uses its database.
 *
 * @param schema           the schema holding the store's tables: 1 to 63 of {@code a-z},
 *                         {@code 0-9} and {@code _}, not starting with a digit
 * @param migrateOnOpen    whether opening creates or migrates the schema (as
 *                         {@code palimpsest db migrate} does) instead of refusing a database
 *                         that lacks it
 * @param statementTimeout the longest any one statement may run, waits for row locks included,
 *                         in whole seconds (JDBC's query timeout), at least 1 s; one that runs
 *                         longer fails with {@code IO} and changes nothing
 * @param poolSize         the most connections a store opened from a URL holds, at least 1
 *                         (a caller's {@code DataSource} pools by its own rules)
 * @param connectionWait   how long an operation waits for a free connection of that pool
 */
public record PostgresStoreOptions(String schema, boolean migrateOnOpen,
                                   Duration statementTimeout, int poolSize,
                                   Duration connectionWait) {

    /** The defaults: schema {@code palimpsest}, no migration on open, 30 s, 8, 30 s. */
    public static final PostgresStoreOptions DEFAULTS = new PostgresStoreOptions(
            Sql.DEFAULT_SCHEMA, false, Duration.ofSeconds(30), 8, Duration.ofSeconds(30));

    /**
     * Validates the options; see the component descriptions.
     *
     * @param schema           the schema holding the store's tables
     * @param migrateOnOpen    whether opening creates or migrates the schema
     * @param statementTimeout the longest any one statement may run
     * @param poolSize         the most connections a store opened from a URL holds
     * @param connectionWait   how long an operation waits for a free connection
     */
    public PostgresStoreOptions {
        Sql.checkSchema(schema);
        if (statementTimeout == null || connectionWait == null) {
            throw PalimpsestException.invalid(
                    "statementTimeout and connectionWait must not be null");
        }
        if (statementTimeout.compareTo(Duration.ofSeconds(1)) < 0
                || statementTimeout.toSeconds() > Integer.MAX_VALUE) {
            throw PalimpsestException.invalid("statementTimeout must be 1 s or more in whole"
                    + " seconds, was " + statementTimeout);
        }
        if (poolSize < 1) {
            throw PalimpsestException.invalid("poolSize must be at least 1, was " + poolSize);
        }
        if (connectionWait.isNegative()) {
            throw PalimpsestException.invalid("connectionWait must not be negative, was "
                    + connectionWait);
        }
    }

    /**
     * {@return these options with another schema}
     *
     * @param value the schema
     */
    public PostgresStoreOptions withSchema(String value) {
        return new PostgresStoreOptions(value, migrateOnOpen, statementTimeout, poolSize,
                connectionWait);
    }

    /**
     * {@return these options, migrating the schema on open or not}
     *
     * @param value whether to migrate on open
     */
    public PostgresStoreOptions withMigrateOnOpen(boolean value) {
        return new PostgresStoreOptions(schema, value, statementTimeout, poolSize,
                connectionWait);
    }

    /**
     * {@return these options with another statement timeout}
     *
     * @param value the timeout, in whole seconds
     */
    public PostgresStoreOptions withStatementTimeout(Duration value) {
        return new PostgresStoreOptions(schema, migrateOnOpen, value, poolSize, connectionWait);
    }

    /**
     * {@return these options with another pool size}
     *
     * @param value the most connections
     */
    public PostgresStoreOptions withPoolSize(int value) {
        return new PostgresStoreOptions(schema, migrateOnOpen, statementTimeout, value,
                connectionWait);
    }
}
