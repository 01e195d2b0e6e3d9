package dev.palimpsest.store.postgres;

import dev.palimpsest.model.PalimpsestException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Every statement the store runs, written for the default schema {@code palimpsest} and given
 * to the database with the configured schema in its place. docs/postgres.md lists each of them
 * as written here (a test holds the two together), so an operator can read, grant and plan
 * exactly what runs. Every value is a bind parameter: no text of a caller's ever becomes SQL.
 */
final class Sql {
    /** The schema the statements are written for. */
    static final String DEFAULT_SCHEMA = "palimpsest";

    /** The schema version this build creates and reads. */
    static final int SCHEMA_VERSION = 1;

    private static final Pattern SCHEMA_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    // ---- schema version 1, created in one transaction by migrate()

    static final List<String> CREATE_V1 = List.of(
            "CREATE SCHEMA IF NOT EXISTS palimpsest",
            "CREATE TABLE palimpsest.schema_version ("
                    + " singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),"
                    + " version integer NOT NULL,"
                    + " migrated_at timestamptz NOT NULL DEFAULT now())",
            "CREATE TABLE palimpsest.conversations ("
                    + " conv_id bytea PRIMARY KEY,"
                    + " revision bigint NOT NULL CHECK (revision >= 1),"
                    + " updated_at text NOT NULL,"
                    + " pinned_seq bigint,"
                    + " compressed_context bytea NOT NULL,"
                    + " rounds_total bigint NOT NULL CHECK (rounds_total >= 0),"
                    + " messages_total bigint NOT NULL CHECK (messages_total >= rounds_total),"
                    + " compactions bigint NOT NULL CHECK (compactions >= 0),"
                    + " compacted_rounds bigint NOT NULL"
                    + " CHECK (compacted_rounds >= 0 AND compacted_rounds < rounds_total),"
                    + " compacted_messages bigint NOT NULL"
                    + " CHECK (compacted_messages >= 0 AND compacted_messages < messages_total),"
                    + " compaction_failures bigint NOT NULL CHECK (compaction_failures >= 0),"
                    + " context_tokens bigint NOT NULL CHECK (context_tokens >= 0),"
                    + " recent_tokens bigint NOT NULL CHECK (recent_tokens >= 0),"
                    + " last_compacted_at text)",
            "CREATE TABLE palimpsest.messages ("
                    + " conv_id bytea NOT NULL"
                    + " REFERENCES palimpsest.conversations (conv_id) ON DELETE CASCADE,"
                    + " seq bigint NOT NULL CHECK (seq >= 1),"
                    + " prev_seq bigint"
                    + " CHECK ((seq = 1 AND prev_seq IS NULL) OR prev_seq = seq - 1),"
                    + " round_seq bigint NOT NULL CHECK (round_seq >= 1 AND round_seq <= seq),"
                    + " msg_id bytea,"
                    + " tokens bigint NOT NULL CHECK (tokens >= 0),"
                    + " body text NOT NULL,"
                    + " search tsvector NOT NULL,"
                    + " PRIMARY KEY (conv_id, seq),"
                    + " UNIQUE (conv_id, msg_id),"
                    + " FOREIGN KEY (conv_id, prev_seq)"
                    + " REFERENCES palimpsest.messages (conv_id, seq))",
            "CREATE INDEX messages_by_round ON palimpsest.messages (conv_id, round_seq, seq)",
            "CREATE INDEX messages_search ON palimpsest.messages USING gin (search)",
            "CREATE TABLE palimpsest.compaction_leases ("
                    + " conv_id bytea PRIMARY KEY"
                    + " REFERENCES palimpsest.conversations (conv_id) ON DELETE CASCADE,"
                    + " holder text NOT NULL,"
                    + " expires_at timestamptz NOT NULL)",
            "INSERT INTO palimpsest.schema_version (version) VALUES (1)");

    // ---- opening

    static final String SCHEMA_EXISTS = "SELECT 1 FROM information_schema.tables"
            + " WHERE table_schema = ? AND table_name = 'schema_version'";

    static final String SCHEMA_VERSION_OF = "SELECT version FROM palimpsest.schema_version";

    static final String SCHEMA_VERSION_READ =
            "SELECT version FROM palimpsest.schema_version FOR UPDATE";

    // ---- reads

    static final String CONVERSATION = "SELECT revision, updated_at, pinned_seq,"
            + " compressed_context, rounds_total, messages_total, compactions, compacted_rounds,"
            + " compacted_messages, compaction_failures, context_tokens, recent_tokens,"
            + " last_compacted_at FROM palimpsest.conversations WHERE conv_id = ?";

    static final String CONVERSATION_FOR_UPDATE = CONVERSATION + " FOR UPDATE";

    // An append locks the row without reading the compressed context, which it never changes.
    // (The newest round is read by a statement of its own, after the lock: at READ COMMITTED a
    // statement that waited for the lock sees the row as the last holder left it, but not the
    // messages that holder inserted, which only a later statement's snapshot holds.)
    static final String APPEND_HEAD = "SELECT revision, pinned_seq, rounds_total,"
            + " messages_total, compactions, compacted_rounds, compacted_messages,"
            + " compaction_failures, context_tokens, recent_tokens, last_compacted_at"
            + " FROM palimpsest.conversations WHERE conv_id = ? FOR UPDATE";

    static final String MESSAGES_OF_ROUNDS_FROM = "SELECT body FROM palimpsest.messages"
            + " WHERE conv_id = ? AND round_seq >= ? ORDER BY seq";

    static final String MESSAGE_AT = "SELECT body FROM palimpsest.messages"
            + " WHERE conv_id = ? AND seq = ?";

    static final String MESSAGE_BY_ID = "SELECT body FROM palimpsest.messages"
            + " WHERE conv_id = ? AND msg_id = ?";

    static final String MESSAGES_BY_IDS = "SELECT body FROM palimpsest.messages"
            + " WHERE conv_id = ? AND msg_id = ANY (?)";

    static final String MESSAGE_RANGE = "SELECT c.revision, m.body"
            + " FROM palimpsest.conversations c LEFT JOIN palimpsest.messages m"
            + " ON m.conv_id = c.conv_id AND m.seq >= ? AND m.seq < ?"
            + " WHERE c.conv_id = ? ORDER BY m.seq";

    static final String ROUND_RANGE = "SELECT c.revision, m.body"
            + " FROM palimpsest.conversations c LEFT JOIN palimpsest.messages m"
            + " ON m.conv_id = c.conv_id AND m.round_seq >= ? AND m.round_seq < ?"
            + " WHERE c.conv_id = ? ORDER BY m.seq";

    static final String FOLDED = "SELECT count(*), coalesce(sum(tokens), 0)"
            + " FROM palimpsest.messages WHERE conv_id = ? AND round_seq > ? AND round_seq <= ?";

    static final String LIST_FIRST = "SELECT conv_id FROM palimpsest.conversations"
            + " ORDER BY conv_id LIMIT ?";

    static final String LIST_AFTER = "SELECT conv_id FROM palimpsest.conversations"
            + " WHERE conv_id > ? ORDER BY conv_id LIMIT ?";

    private static final String SUMMARY_COLUMNS = "SELECT conv_id, revision, updated_at,"
            + " rounds_total, messages_total, compactions, compacted_rounds, compacted_messages,"
            + " compaction_failures, context_tokens, recent_tokens, last_compacted_at"
            + " FROM palimpsest.conversations";

    static final String SUMMARY = SUMMARY_COLUMNS + " WHERE conv_id = ?";

    static final String SUMMARIES_FIRST = SUMMARY_COLUMNS + " ORDER BY conv_id LIMIT ?";

    static final String SUMMARIES_AFTER = SUMMARY_COLUMNS
            + " WHERE conv_id > ? ORDER BY conv_id LIMIT ?";

    // ---- changes

    static final String INSERT_CONVERSATION = "INSERT INTO palimpsest.conversations"
            + " (conv_id, revision, updated_at, pinned_seq, compressed_context, rounds_total,"
            + " messages_total, compactions, compacted_rounds, compacted_messages,"
            + " compaction_failures, context_tokens, recent_tokens, last_compacted_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    static final String UPDATE_CONVERSATION = "UPDATE palimpsest.conversations"
            + " SET revision = ?, updated_at = ?, pinned_seq = ?, compressed_context = ?,"
            + " rounds_total = ?, messages_total = ?, compactions = ?, compacted_rounds = ?,"
            + " compacted_messages = ?, compaction_failures = ?, context_tokens = ?,"
            + " recent_tokens = ?, last_compacted_at = ? WHERE conv_id = ? AND revision = ?";

    static final String UPDATE_APPENDED = "UPDATE palimpsest.conversations"
            + " SET revision = ?, updated_at = ?, pinned_seq = ?, rounds_total = ?,"
            + " messages_total = ?, recent_tokens = ? WHERE conv_id = ? AND revision = ?";

    static final String INSERT_MESSAGE = "INSERT INTO palimpsest.messages"
            + " (conv_id, seq, prev_seq, round_seq, msg_id, tokens, body, search)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, to_tsvector('english', ?))";

    static final String DELETE_CONVERSATION =
            "DELETE FROM palimpsest.conversations WHERE conv_id = ?";

    // ---- compaction leases

    static final String CLAIM_LEASE = "INSERT INTO palimpsest.compaction_leases AS l"
            + " (conv_id, holder, expires_at)"
            + " SELECT conv_id, ?, now() + ? * interval '1 millisecond'"
            + " FROM palimpsest.conversations WHERE conv_id = ?"
            + " ON CONFLICT (conv_id) DO UPDATE SET holder = excluded.holder,"
            + " expires_at = excluded.expires_at"
            + " WHERE l.holder = excluded.holder OR l.expires_at < now()"
            + " RETURNING l.holder";

    static final String RELEASE_LEASE = "DELETE FROM palimpsest.compaction_leases"
            + " WHERE conv_id = ? AND holder = ?";

    // ---- recall

    // A question's words, parsed as the messages were, any of them: plainto_tsquery joins the
    // lexemes with '&' (each quoted, none holding a space), which becomes '|'.
    static final String SEARCH_EVERYWHERE = "SELECT m.conv_id, m.body,"
            + " ts_rank(m.search, w.q, 1) AS score FROM palimpsest.messages m, (SELECT"
            + " replace(plainto_tsquery('english', ?)::text, ' & ', ' | ')::tsquery AS q) w"
            + " WHERE m.search @@ w.q ORDER BY score DESC, m.conv_id, m.seq LIMIT ?";

    static final String SEARCH_ONE = "SELECT m.conv_id, m.body,"
            + " ts_rank(m.search, w.q, 1) AS score FROM palimpsest.messages m, (SELECT"
            + " replace(plainto_tsquery('english', ?)::text, ' & ', ' | ')::tsquery AS q) w"
            + " WHERE m.conv_id = ? AND m.search @@ w.q ORDER BY score DESC, m.seq LIMIT ?";

    private Sql() {
    }

    /**
     * {@return {@code schema} checked: a plain lower-case SQL identifier}, which is then written
     * into the statements unquoted
     *
     * @param schema the schema name
     */
    static String checkSchema(String schema) {
        if (schema == null || !SCHEMA_NAME.matcher(schema).matches()) {
            throw PalimpsestException.invalid("a schema name is 1 to 63 of a-z, 0-9 and _,"
                    + " not starting with a digit, was " + (schema == null ? "null"
                    : "'" + schema + "'"));
        }
        return schema;
    }

    /**
     * {@return {@code statement} for tables in {@code schema}}
     *
     * @param statement one of the statements above
     * @param schema    a name {@link #checkSchema} accepted
     */
    static String in(String statement, String schema) {
        if (schema.equals(DEFAULT_SCHEMA)) {
            return statement;
        }
        return statement.replace(" palimpsest.", " " + schema + ".")
                .replace("SCHEMA IF NOT EXISTS palimpsest", "SCHEMA IF NOT EXISTS " + schema);
    }
}
