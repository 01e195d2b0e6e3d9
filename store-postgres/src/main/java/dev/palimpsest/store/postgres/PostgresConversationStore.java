package dev.palimpsest.store.postgres;

import dev.palimpsest.format.FormatCodec;
import dev.palimpsest.model.ConversationState;
import dev.palimpsest.model.Counters;
import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.model.Role;
import dev.palimpsest.model.Round;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.model.ToolCall;
import dev.palimpsest.store.AppendRequest;
import dev.palimpsest.store.AppendResult;
import dev.palimpsest.store.CompactionRequest;
import dev.palimpsest.store.ConversationIds;
import dev.palimpsest.store.ConversationPage;
import dev.palimpsest.store.ConversationStore;
import dev.palimpsest.store.ConversationSummary;
import dev.palimpsest.store.NewMessage;
import dev.palimpsest.store.SummaryPage;
import dev.palimpsest.store.spi.ChangeRules;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * A {@link ConversationStore} in a PostgreSQL database, shared by every host that opens it.
 *
 * <p>Each conversation is one row of {@code conversations} (its revision, counters and
 * compressed context) and one row of {@code messages} per message ever appended, compacted or
 * not. An append is one short transaction: it locks the conversation's row, reads only the
 * newest round and the rows of the ids it brings, inserts the new messages and updates the
 * row, so its cost does not grow with the conversation. The database enforces the numbering:
 * a message's seq is unique in its conversation and follows the one before it (a foreign key to
 * {@code seq - 1}), and a message id is unique in its conversation. Reads of several rows run in
 * one repeatable-read snapshot. A transaction that loses a race the database aborted, or whose
 * connection failed before it committed, runs again (at most {@value #ATTEMPTS} times); one whose
 * connection failed during the commit fails with {@code DURABILITY_UNKNOWN}.
 *
 * <p>Compaction is claimed per conversation by an expiring lease row
 * ({@link #claimCompaction}), so that of many hosts only one pays for the summary. See
 * docs/postgres.md for the schema and every statement.
 */
public final class PostgresConversationStore implements ConversationStore {
    /** The most times one operation runs. */
    static final int ATTEMPTS = 5;

    /** The most chars of a message its full-text entry is made of. */
    static final int SEARCHABLE_CHARS = 100_000;

    private final Connections connections;
    private final PostgresStoreOptions options;
    private final int timeoutSeconds;
    private final Map<String, String> statements = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private PostgresConversationStore(Connections connections, PostgresStoreOptions options) {
        this.connections = connections;
        this.options = options;
        this.timeoutSeconds = (int) options.statementTimeout().toSeconds();
    }

    /**
     * Opens the store on a caller's {@link DataSource} (a pool, usually), which stays the
     * caller's to close.
     *
     * @param dataSource where connections come from
     * @param options    the schema and limits
     * @return the store
     * @throws PalimpsestException {@code NOT_FOUND} if the database lacks the schema and
     *         {@code migrateOnOpen} is off, {@code IO} if it cannot be reached
     */
    public static PostgresConversationStore open(DataSource dataSource,
                                                 PostgresStoreOptions options) {
        if (dataSource == null || options == null) {
            throw PalimpsestException.invalid("dataSource and options must not be null");
        }
        return opened(Connections.of(dataSource), options);
    }

    /**
     * Opens the store on a JDBC URL, through {@link java.sql.DriverManager} and a pool of at
     * most {@code options.poolSize()} connections, closed with the store.
     *
     * @param jdbcUrl    a {@code jdbc:postgresql://} URL
     * @param connection the driver's connection properties ({@code user}, {@code password},
     *                   TLS settings); copied, with {@code socketTimeout} (the statement
     *                   timeout + 30 s) and {@code connectTimeout} (10 s) unless given
     * @param options    the schema and limits
     * @return the store
     * @throws PalimpsestException {@code NOT_FOUND} if the database lacks the schema and
     *         {@code migrateOnOpen} is off, {@code IO} if it cannot be reached
     */
    public static PostgresConversationStore open(String jdbcUrl, Properties connection,
                                                 PostgresStoreOptions options) {
        if (jdbcUrl == null || connection == null || options == null) {
            throw PalimpsestException.invalid("jdbcUrl, connection and options must not be null");
        }
        Properties copy = new Properties();
        copy.putAll(connection);
        // A read from a server that vanished without a reset (a cut network) would block
        // forever: the statement timeout's cancel request cannot reach it either. So unless
        // the caller chose, a socket read gives up 30 s after the statement timeout would.
        copy.putIfAbsent("socketTimeout", Long.toString(
                options.statementTimeout().toSeconds() + 30));
        copy.putIfAbsent("connectTimeout", "10");
        return opened(Connections.pool(jdbcUrl, copy, options.poolSize(),
                options.connectionWait()), options);
    }

    private static PostgresConversationStore opened(Connections connections,
                                                    PostgresStoreOptions options) {
        PostgresConversationStore store = new PostgresConversationStore(connections, options);
        try {
            store.run(null, "opening the store", Session.AUTO_COMMIT, s -> {
                if (options.migrateOnOpen()) {
                    PostgresSchema.migrate(s.connection(), options.schema());
                } else {
                    PostgresSchema.check(s.connection(), options.schema());
                }
                return null;
            });
            return store;
        } catch (RuntimeException e) {
            connections.close();
            throw e;
        }
    }

    /** {@return the options the store was opened with} */
    public PostgresStoreOptions options() {
        return options;
    }

    // ---- running statements

    /** One operation's work on a session; it may run more than once. */
    @FunctionalInterface
    interface Work<T> {
        T run(Session session) throws SQLException;
    }

    /**
     * Runs {@code work} in a transaction of {@code isolation} (or auto-committed), again when the
     * database aborted it for a race or its connection failed before the commit.
     */
    <T> T run(String convId, String what, int isolation, Work<T> work) {
        checkOpen();
        for (int attempt = 1; ; attempt++) {
            Session session;
            try {
                session = connections.borrow();
            } catch (SQLException e) {
                if (attempt < ATTEMPTS && SqlFailures.connectionFailed(e) && !closed) {
                    pause(attempt);
                    continue;
                }
                throw SqlFailures.of(e, convId, what);
            }
            boolean broken = false;
            boolean committing = false;
            try {
                session.begin(isolation);
                T result = work.run(session);
                if (session.inTransaction()) {
                    committing = true;
                    session.connection().commit();
                }
                return result;
            } catch (SQLException e) {
                broken = SqlFailures.connectionFailed(e) || !rollback(session);
                if (committing && broken) {
                    throw SqlFailures.commitUnknown(e, convId, what);
                }
                boolean again = SqlFailures.lostRace(e) || broken;
                if (again && attempt < ATTEMPTS && !closed) {
                    if (broken) {
                        pause(attempt);
                    }
                    continue;
                }
                throw SqlFailures.of(e, convId, what);
            } catch (RuntimeException | Error e) {
                broken = !rollback(session);
                throw e;
            } finally {
                connections.giveBack(session, broken);
            }
        }
    }

    private static boolean rollback(Session session) {
        try {
            if (session.inTransaction()) {
                session.connection().rollback();
            }
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    /** Waits a little before running again on a new connection: a server may be restarting. */
    private static void pause(int attempt) {
        try {
            Thread.sleep(100L * attempt * attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    PreparedStatement prepare(Session session, String sql) throws SQLException {
        String resolved = options.schema().equals(Sql.DEFAULT_SCHEMA) ? sql
                : statements.computeIfAbsent(sql, s -> Sql.in(s, options.schema()));
        PreparedStatement ps = session.connection().prepareStatement(resolved);
        ps.setQueryTimeout(timeoutSeconds);
        return ps;
    }

    private void checkOpen() {
        if (closed) {
            throw PalimpsestException.invalid("the store is closed");
        }
    }

    static byte[] key(String convId) {
        return ConversationIds.check(convId).getBytes(StandardCharsets.UTF_8);
    }

    static String convId(byte[] key) {
        return new String(key, StandardCharsets.UTF_8);
    }

    // ---- decoding rows

    /** The conversation's row. */
    private record Head(long revision, Instant updatedAt, Long pinnedSeq,
                        String compressedContext, Counters counters) {
    }

    private static Instant instant(String text, String convId, String column) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new PalimpsestException(FailureKind.CORRUPT, convId, "the " + column
                    + " of '" + convId + "' is not an ISO-8601 time: '" + text + "'", e);
        }
    }

    private static Counters counters(ResultSet rs, int first, String convId)
            throws SQLException {
        String last = rs.getString(first + 8);
        try {
            return new Counters(rs.getLong(first), rs.getLong(first + 1), rs.getLong(first + 2),
                    rs.getLong(first + 3), rs.getLong(first + 4), rs.getLong(first + 5),
                    rs.getLong(first + 6), rs.getLong(first + 7), last == null ? Optional.empty()
                    : Optional.of(instant(last, convId, "last_compacted_at")));
        } catch (PalimpsestException e) {
            if (e.kind() == FailureKind.CORRUPT) {
                throw e;
            }
            throw corrupt(convId, e);
        }
    }

    private static PalimpsestException corrupt(String convId, PalimpsestException e) {
        return new PalimpsestException(FailureKind.CORRUPT, convId, "the stored rows of '"
                + convId + "' are inconsistent: " + e.getMessage(), e);
    }

    private Head head(Session s, String convId, byte[] key, boolean forUpdate)
            throws SQLException {
        try (PreparedStatement ps = prepare(s, forUpdate ? Sql.CONVERSATION_FOR_UPDATE
                : Sql.CONVERSATION)) {
            ps.setBytes(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                long pinned = rs.getLong(3);
                Long pinnedSeq = rs.wasNull() ? null : pinned;
                return new Head(rs.getLong(1), instant(rs.getString(2), convId, "updated_at"),
                        pinnedSeq, new String(rs.getBytes(4), StandardCharsets.UTF_8),
                        counters(rs, 5, convId));
            }
        }
    }

    static StoredMessage message(String body, String convId) {
        try {
            return FormatCodec.decodeMessage(body);
        } catch (PalimpsestException e) {
            throw new PalimpsestException(FailureKind.CORRUPT, convId, "a stored message of '"
                    + convId + "' does not decode: " + e.getMessage(), e);
        }
    }

    private List<StoredMessage> messagesOf(PreparedStatement ps, String convId)
            throws SQLException {
        List<StoredMessage> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(message(rs.getString(1), convId));
            }
        }
        return out;
    }

    private List<StoredMessage> roundsFrom(Session s, String convId, byte[] key, long round)
            throws SQLException {
        try (PreparedStatement ps = prepare(s, Sql.MESSAGES_OF_ROUNDS_FROM)) {
            ps.setBytes(1, key);
            ps.setLong(2, round);
            return messagesOf(ps, convId);
        }
    }

    private static List<Round> group(List<StoredMessage> messages) {
        List<Round> rounds = new ArrayList<>();
        int start = 0;
        for (int i = 1; i <= messages.size(); i++) {
            if (i == messages.size()
                    || messages.get(i).roundSeq() != messages.get(start).roundSeq()) {
                rounds.add(new Round(messages.get(start).roundSeq(),
                        messages.subList(start, i)));
                start = i;
            }
        }
        return rounds;
    }

    // ---- reads

    @Override
    public Optional<ConversationState> load(String convId) {
        byte[] key = key(convId);
        return run(convId, "load of '" + convId + "'", Connection.TRANSACTION_REPEATABLE_READ,
                s -> {
                    Head head = head(s, convId, key, false);
                    if (head == null) {
                        return Optional.<ConversationState>empty();
                    }
                    List<StoredMessage> recent = roundsFrom(s, convId, key,
                            head.counters().compactedRounds() + 1);
                    Optional<StoredMessage> pinned = Optional.empty();
                    if (head.pinnedSeq() != null) {
                        long firstRecent = head.counters().compactedMessages() + 1;
                        if (head.pinnedSeq() >= firstRecent && head.pinnedSeq()
                                < firstRecent + recent.size()) {
                            pinned = Optional.of(recent.get(
                                    (int) (head.pinnedSeq() - firstRecent)));
                        } else {
                            pinned = messageAt(s, convId, key, head.pinnedSeq());
                        }
                    }
                    try {
                        return Optional.of(new ConversationState(convId, head.revision(),
                                head.updatedAt(), pinned, head.compressedContext(),
                                group(recent), head.counters()));
                    } catch (PalimpsestException e) {
                        throw corrupt(convId, e);
                    }
                });
    }

    private Optional<StoredMessage> messageAt(Session s, String convId, byte[] key, long seq)
            throws SQLException {
        try (PreparedStatement ps = prepare(s, Sql.MESSAGE_AT)) {
            ps.setBytes(1, key);
            ps.setLong(2, seq);
            List<StoredMessage> found = messagesOf(ps, convId);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
        }
    }

    @Override
    public Optional<ConversationSummary> summary(String convId) {
        byte[] key = key(convId);
        return run(convId, "summary of '" + convId + "'", Session.AUTO_COMMIT, s -> {
            try (PreparedStatement ps = prepare(s, Sql.SUMMARY)) {
                ps.setBytes(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(summaryRow(rs, convId))
                            : Optional.<ConversationSummary>empty();
                }
            }
        });
    }

    private static ConversationSummary summaryRow(ResultSet rs, String convId)
            throws SQLException {
        return new ConversationSummary(convId, rs.getLong(2),
                instant(rs.getString(3), convId, "updated_at"), counters(rs, 4, convId));
    }

    private static void checkRange(String convId, long from, int limit) {
        if (from < 1 || limit < 0) {
            throw new PalimpsestException(FailureKind.INVALID_INPUT, convId, String.format(
                    "a range of '%s' starts at 1 or later and holds 0 or more, was from %d"
                            + " limit %d", convId, from, limit));
        }
    }

    /** Runs a range query whose first column is the conversation's revision. */
    private List<StoredMessage> range(String convId, String sql, long from, int limit) {
        checkRange(convId, from, limit);
        byte[] key = key(convId);
        long end = from > Long.MAX_VALUE - limit ? Long.MAX_VALUE : from + limit;
        return run(convId, "read of '" + convId + "'", Session.AUTO_COMMIT, s -> {
            try (PreparedStatement ps = prepare(s, sql)) {
                ps.setLong(1, from);
                ps.setLong(2, end);
                ps.setBytes(3, key);
                boolean exists = false;
                List<StoredMessage> out = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        exists = true;
                        String body = rs.getString(2);
                        if (body != null) {
                            out.add(message(body, convId));
                        }
                    }
                }
                if (!exists) {
                    throw new PalimpsestException(FailureKind.NOT_FOUND, convId,
                            "conversation '" + convId + "' does not exist");
                }
                return out;
            }
        });
    }

    @Override
    public List<StoredMessage> messages(String convId, long fromSeq, int limit) {
        List<StoredMessage> out = range(convId, Sql.MESSAGE_RANGE, fromSeq, limit);
        return out.size() > limit ? out.subList(0, limit) : out;
    }

    @Override
    public List<Round> rounds(String convId, long fromRound, int limit) {
        return group(range(convId, Sql.ROUND_RANGE, fromRound, limit));
    }

    @Override
    public Optional<StoredMessage> messageById(String convId, String messageId) {
        byte[] key = key(convId);
        if (messageId == null) {
            throw PalimpsestException.invalid("message id must not be null");
        }
        return run(convId, "lookup in '" + convId + "'", Session.AUTO_COMMIT, s -> {
            try (PreparedStatement ps = prepare(s, Sql.MESSAGE_BY_ID)) {
                ps.setBytes(1, key);
                ps.setBytes(2, messageId.getBytes(StandardCharsets.UTF_8));
                List<StoredMessage> found = messagesOf(ps, convId);
                return found.isEmpty() ? Optional.<StoredMessage>empty()
                        : Optional.of(found.get(0));
            }
        });
    }

    private static void checkPage(Optional<String> after, int limit) {
        if (after == null) {
            throw PalimpsestException.invalid("after must not be null");
        }
        if (limit < 1) {
            throw PalimpsestException.invalid("a page holds at least 1 id, was " + limit);
        }
    }

    @Override
    public ConversationPage list(Optional<String> after, int limit) {
        checkPage(after, limit);
        return run(null, "listing of conversations", Session.AUTO_COMMIT, s -> {
            try (PreparedStatement ps = page(s, Sql.LIST_FIRST, Sql.LIST_AFTER, after, limit)) {
                List<String> ids = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(convId(rs.getBytes(1)));
                    }
                }
                boolean more = ids.size() > limit;
                List<String> page = more ? ids.subList(0, limit) : ids;
                return new ConversationPage(page, more ? Optional.of(page.get(limit - 1))
                        : Optional.empty());
            }
        });
    }

    private PreparedStatement page(Session s, String first, String next, Optional<String> after,
                                   int limit) throws SQLException {
        PreparedStatement ps = prepare(s, after.isPresent() ? next : first);
        int i = 1;
        if (after.isPresent()) {
            ps.setBytes(i++, after.get().getBytes(StandardCharsets.UTF_8));
        }
        ps.setInt(i, limit == Integer.MAX_VALUE ? limit : limit + 1);
        return ps;
    }

    @Override
    public SummaryPage summaries(Optional<String> after, int limit) {
        checkPage(after, limit);
        return run(null, "listing of conversations", Session.AUTO_COMMIT, s -> {
            try (PreparedStatement ps = page(s, Sql.SUMMARIES_FIRST, Sql.SUMMARIES_AFTER, after,
                    limit)) {
                List<ConversationSummary> summaries = new ArrayList<>();
                List<PalimpsestException> unreadable = new ArrayList<>();
                int rows = 0;
                String last = null;
                boolean more = false;
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        if (rows == limit) {
                            more = true;
                            break;
                        }
                        rows++;
                        last = convId(rs.getBytes(1));
                        try {
                            summaries.add(summaryRow(rs, last));
                        } catch (PalimpsestException e) {
                            unreadable.add(e);
                        }
                    }
                }
                return new SummaryPage(summaries, unreadable, more ? Optional.of(last)
                        : Optional.empty());
            }
        });
    }

    // ---- changes

    /** What an append plans on: the locked row, the newest round, the stored ids it asks. */
    private final class History implements ChangeRules.History {
        private final Head head;
        private final Optional<Round> lastRound;
        private final Map<String, StoredMessage> byId = new HashMap<>();

        History(Session session, String convId, byte[] key, AppendHead locked,
                AppendRequest request) throws SQLException {
            this.head = locked == null ? null : locked.head();
            this.lastRound = locked == null || locked.lastRound().isEmpty() ? Optional.empty()
                    : Optional.of(new Round(locked.head().counters().roundsTotal(),
                            locked.lastRound()));
            if (locked != null) {
                findIds(session, convId, key, request);
            }
        }

        private void findIds(Session session, String convId, byte[] key, AppendRequest request)
                throws SQLException {
            List<byte[]> ids = new ArrayList<>();
            for (NewMessage n : request.messages()) {
                n.message().id().ifPresent(id -> ids.add(id.getBytes(StandardCharsets.UTF_8)));
            }
            if (ids.isEmpty()) {
                return;
            }
            try (PreparedStatement ps = prepare(session, Sql.MESSAGES_BY_IDS)) {
                ps.setBytes(1, key);
                ps.setArray(2, session.connection().createArrayOf("bytea",
                        ids.toArray(new byte[0][])));
                for (StoredMessage m : messagesOf(ps, convId)) {
                    byId.put(m.message().id().orElseThrow(), m);
                }
            }
        }

        @Override
        public long revision() {
            return head == null ? 0 : head.revision();
        }

        @Override
        public Counters counters() {
            return head == null ? Counters.ZERO : head.counters();
        }

        @Override
        public Optional<Round> lastRound() {
            return lastRound;
        }

        @Override
        public Optional<StoredMessage> messageById(String messageId) {
            return Optional.ofNullable(byId.get(messageId));
        }
    }

    /** The locked row of a conversation and its newest round, as an append reads them. */
    private record AppendHead(Head head, List<StoredMessage> lastRound) {
    }

    private AppendHead appendHead(Session s, String convId, byte[] key) throws SQLException {
        Head head;
        try (PreparedStatement ps = prepare(s, Sql.APPEND_HEAD)) {
            ps.setBytes(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                long pinned = rs.getLong(2);
                Long pinnedSeq = rs.wasNull() ? null : pinned;
                String last = rs.getString(11);
                Counters counters;
                try {
                    counters = new Counters(rs.getLong(3), rs.getLong(4), rs.getLong(5),
                            rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getLong(9),
                            rs.getLong(10), last == null ? Optional.empty()
                            : Optional.of(instant(last, convId, "last_compacted_at")));
                } catch (PalimpsestException e) {
                    throw e.kind() == FailureKind.CORRUPT ? e : corrupt(convId, e);
                }
                // The time and the compressed context are not read: an append replaces the
                // one and never touches the other (UPDATE_APPENDED).
                head = new Head(rs.getLong(1), Instant.EPOCH, pinnedSeq, "", counters);
            }
        }
        return new AppendHead(head, roundsFrom(s, convId, key, head.counters().roundsTotal()));
    }

    @Override
    public AppendResult append(AppendRequest request) {
        if (request == null) {
            throw PalimpsestException.invalid("append request must not be null");
        }
        String convId = request.convId();
        byte[] key = key(convId);
        return run(convId, "append to '" + convId + "'", Connection.TRANSACTION_READ_COMMITTED,
                s -> {
                    AppendHead locked = appendHead(s, convId, key);
                    Head head = locked == null ? null : locked.head();
                    ChangeRules.AppendPlan plan = ChangeRules.planAppend(request,
                            new History(s, convId, key, locked, request));
                    if (!plan.changes()) {
                        return new AppendResult(convId, head.revision(), plan.results(),
                                plan.alreadyStored(), head.counters());
                    }
                    Counters before = head == null ? Counters.ZERO : head.counters();
                    Counters after = before.withAppended(plan.newRounds(),
                            plan.toAppend().size(), plan.tokens());
                    Long pinned = head == null ? null : head.pinnedSeq();
                    for (StoredMessage m : plan.toAppend()) {
                        if (m.role() == Role.SYSTEM) {
                            pinned = m.seq();
                        }
                    }
                    long revision = head == null ? 1 : head.revision() + 1;
                    Head next = new Head(revision, request.at(), pinned, "", after);
                    if (head == null) {
                        insertHead(s, key, next);
                    } else {
                        updateAppended(s, convId, key, head.revision(), next);
                    }
                    insertMessages(s, key, plan.toAppend());
                    return new AppendResult(convId, revision, plan.results(),
                            plan.alreadyStored(), after);
                });
    }

    private void updateAppended(Session s, String convId, byte[] key, long oldRevision,
                                Head head) throws SQLException {
        try (PreparedStatement ps = prepare(s, Sql.UPDATE_APPENDED)) {
            Counters c = head.counters();
            ps.setLong(1, head.revision());
            ps.setString(2, head.updatedAt().toString());
            if (head.pinnedSeq() == null) {
                ps.setNull(3, Types.BIGINT);
            } else {
                ps.setLong(3, head.pinnedSeq());
            }
            ps.setLong(4, c.roundsTotal());
            ps.setLong(5, c.messagesTotal());
            ps.setLong(6, c.recentTokens());
            ps.setBytes(7, key);
            ps.setLong(8, oldRevision);
            checkUpdated(ps.executeUpdate(), convId, oldRevision);
        }
    }

    private static void checkUpdated(int rows, String convId, long oldRevision) {
        if (rows != 1) {
            // The row is locked by this transaction: only a writer that ignores the lock
            // (not this store) could have moved it.
            throw new PalimpsestException(FailureKind.CONFLICT, convId, "the row of '"
                    + convId + "' changed under its lock: revision " + oldRevision
                    + " is gone");
        }
    }

    private void insertHead(Session s, byte[] key, Head head) throws SQLException {
        try (PreparedStatement ps = prepare(s, Sql.INSERT_CONVERSATION)) {
            ps.setBytes(1, key);
            setHead(ps, 2, head);
            ps.executeUpdate();
        }
    }

    private void updateHead(Session s, String convId, byte[] key, long oldRevision, Head head)
            throws SQLException {
        try (PreparedStatement ps = prepare(s, Sql.UPDATE_CONVERSATION)) {
            int i = setHead(ps, 1, head);
            ps.setBytes(i, key);
            ps.setLong(i + 1, oldRevision);
            checkUpdated(ps.executeUpdate(), convId, oldRevision);
        }
    }

    /** Sets the head's columns from parameter {@code i} on; returns the next parameter. */
    private static int setHead(PreparedStatement ps, int i, Head head) throws SQLException {
        Counters c = head.counters();
        ps.setLong(i++, head.revision());
        ps.setString(i++, head.updatedAt().toString());
        if (head.pinnedSeq() == null) {
            ps.setNull(i++, Types.BIGINT);
        } else {
            ps.setLong(i++, head.pinnedSeq());
        }
        ps.setBytes(i++, head.compressedContext().getBytes(StandardCharsets.UTF_8));
        ps.setLong(i++, c.roundsTotal());
        ps.setLong(i++, c.messagesTotal());
        ps.setLong(i++, c.compactions());
        ps.setLong(i++, c.compactedRounds());
        ps.setLong(i++, c.compactedMessages());
        ps.setLong(i++, c.compactionFailures());
        ps.setLong(i++, c.contextTokens());
        ps.setLong(i++, c.recentTokens());
        ps.setString(i++, c.lastCompactedAt().map(Instant::toString).orElse(null));
        return i;
    }

    private void insertMessages(Session s, byte[] key, List<StoredMessage> messages)
            throws SQLException {
        try (PreparedStatement ps = prepare(s, Sql.INSERT_MESSAGE)) {
            for (StoredMessage m : messages) {
                ps.setBytes(1, key);
                ps.setLong(2, m.seq());
                if (m.seq() == 1) {
                    ps.setNull(3, Types.BIGINT);
                } else {
                    ps.setLong(3, m.seq() - 1);
                }
                ps.setLong(4, m.roundSeq());
                if (m.message().id().isPresent()) {
                    ps.setBytes(5, m.message().id().get().getBytes(StandardCharsets.UTF_8));
                } else {
                    ps.setNull(5, Types.BINARY);
                }
                ps.setLong(6, m.tokens());
                ps.setString(7, new String(FormatCodec.encodeMessage(m, false),
                        StandardCharsets.UTF_8));
                ps.setString(8, searchable(m.message()));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /**
     * {@return the words of a message its full-text entry is made of}: its text, tool name and
     * tool calls, at most {@value #SEARCHABLE_CHARS} chars (PostgreSQL keeps a text-search entry
     * under 1 MB), NUL (which no PostgreSQL text holds) as a space
     */
    static String searchable(Message message) {
        StringBuilder out = new StringBuilder(Math.min(SEARCHABLE_CHARS,
                message.content().length() + 16));
        appendCapped(out, message.content());
        message.toolName().ifPresent(name -> appendCapped(out.append('\n'), name));
        for (ToolCall call : message.toolCalls()) {
            appendCapped(out.append('\n'), call.name());
            appendCapped(out.append('\n'), call.arguments());
        }
        if (out.length() > SEARCHABLE_CHARS) {
            int end = SEARCHABLE_CHARS;
            if (Character.isHighSurrogate(out.charAt(end - 1))) {
                end--;
            }
            out.setLength(end);
        }
        for (int i = 0; i < out.length(); i++) {
            if (out.charAt(i) == '\0') {
                out.setCharAt(i, ' ');
            }
        }
        return out.toString();
    }

    private static void appendCapped(StringBuilder out, String text) {
        int room = SEARCHABLE_CHARS + 1 - out.length();
        if (room > 0) {
            out.append(text, 0, Math.min(text.length(), room));
        }
    }

    @Override
    public long commitCompaction(CompactionRequest request) {
        if (request == null) {
            throw PalimpsestException.invalid("compaction request must not be null");
        }
        String convId = request.convId();
        byte[] key = key(convId);
        return run(convId, "compaction of '" + convId + "'",
                Connection.TRANSACTION_READ_COMMITTED, s -> {
                    Head head = requireHead(s, convId, key);
                    ChangeRules.checkCompaction(request, head.counters());
                    long base = head.counters().compactedRounds();
                    long messages;
                    long tokens;
                    try (PreparedStatement ps = prepare(s, Sql.FOLDED)) {
                        ps.setBytes(1, key);
                        ps.setLong(2, base);
                        ps.setLong(3, request.throughRound());
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            messages = rs.getLong(1);
                            tokens = rs.getLong(2);
                        }
                    }
                    Counters after;
                    try {
                        after = head.counters().withCompaction(request.throughRound() - base,
                                messages, tokens, request.contextTokens(), request.at());
                    } catch (PalimpsestException e) {
                        throw corrupt(convId, e);
                    }
                    Head next = new Head(head.revision() + 1, request.at(), head.pinnedSeq(),
                            request.compressedContext(), after);
                    updateHead(s, convId, key, head.revision(), next);
                    return next.revision();
                });
    }

    private Head requireHead(Session s, String convId, byte[] key) throws SQLException {
        Head head = head(s, convId, key, true);
        if (head == null) {
            throw new PalimpsestException(FailureKind.NOT_FOUND, convId,
                    "conversation '" + convId + "' does not exist");
        }
        return head;
    }

    @Override
    public long recordCompactionFailure(String convId, Instant at) {
        byte[] key = key(convId);
        if (at == null) {
            throw PalimpsestException.invalid("the time of a failure must not be null");
        }
        return run(convId, "count of a failed compaction of '" + convId + "'",
                Connection.TRANSACTION_READ_COMMITTED, s -> {
                    Head head = requireHead(s, convId, key);
                    Head next = new Head(head.revision() + 1, at, head.pinnedSeq(),
                            head.compressedContext(), head.counters().withCompactionFailure());
                    updateHead(s, convId, key, head.revision(), next);
                    return next.revision();
                });
    }

    /**
     * {@inheritDoc}
     *
     * <p>The rows are gone for every reader when this returns. PostgreSQL keeps a deleted row's
     * bytes in the table's files until (auto)vacuum reclaims them, and in the write-ahead log
     * until its segments are recycled: an operator who must erase them at once runs
     * {@code VACUUM} on the tables (docs/postgres.md).
     */
    @Override
    public boolean delete(String convId) {
        byte[] key = key(convId);
        // In a transaction, not auto-committed: a connection lost after an auto-committed
        // delete ran would make the attempt run again and answer "there was nothing".
        return run(convId, "delete of '" + convId + "'", Connection.TRANSACTION_READ_COMMITTED,
                s -> {
                    try (PreparedStatement ps = prepare(s, Sql.DELETE_CONVERSATION)) {
                        ps.setBytes(1, key);
                        return ps.executeUpdate() > 0;
                    }
                });
    }

    // ---- compaction leases

    @Override
    public boolean claimCompaction(String convId, String holder, Duration lease) {
        byte[] key = key(convId);
        checkLease(holder, lease);
        return run(convId, "compaction lease of '" + convId + "'", Session.AUTO_COMMIT, s -> {
            try (PreparedStatement ps = prepare(s, Sql.CLAIM_LEASE)) {
                ps.setString(1, holder);
                ps.setLong(2, lease.toMillis());
                ps.setBytes(3, key);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            }
        });
    }

    @Override
    public void releaseCompaction(String convId, String holder) {
        byte[] key = key(convId);
        checkLease(holder, Duration.ZERO);
        run(convId, "compaction lease of '" + convId + "'", Session.AUTO_COMMIT, s -> {
            try (PreparedStatement ps = prepare(s, Sql.RELEASE_LEASE)) {
                ps.setBytes(1, key);
                ps.setString(2, holder);
                return ps.executeUpdate();
            }
        });
    }

    private static void checkLease(String holder, Duration lease) {
        if (holder == null || holder.isEmpty() || holder.indexOf('\0') >= 0
                || holder.length() > 200) {
            throw PalimpsestException.invalid("a lease holder is 1 to 200 chars without NUL");
        }
        if (lease == null || lease.isNegative()) {
            throw PalimpsestException.invalid("a lease lasts 0 or more, was " + lease);
        }
    }

    /** Closes the pool the store opened; a caller's {@code DataSource} stays open. */
    @Override
    public void close() {
        closed = true;
        connections.close();
    }
}
