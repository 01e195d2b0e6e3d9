package dev.palimpsest.store.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.model.ConversationState;
import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.model.ToolCall;
import dev.palimpsest.store.AppendRequest;
import dev.palimpsest.store.Expectation;
import dev.palimpsest.store.RecallHit;
import dev.palimpsest.store.RecallQuery;
import dev.palimpsest.testkit.PostgresServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What only this store has, against a real server: its schema and migration, the constraints
 * that hold the numbering, hostile ids and texts, timeouts, dropped connections and the
 * compaction leases.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PostgresStoreTest {
    private static final Instant T = Instant.parse("2026-12-07T10:00:00.123456789Z");

    private static PostgresStoreOptions options(String schema) {
        return PostgresStoreOptions.DEFAULTS.withSchema(schema);
    }

    @Test
    void aDatabaseWithoutTheSchemaIsRefusedUntilMigrated() throws SQLException {
        PostgresServer server = TestDatabase.server();
        String schema = TestDatabase.freshSchema();
        PalimpsestException missing = assertThrows(PalimpsestException.class,
                () -> TestDatabase.open(server, options(schema)));
        assertEquals(FailureKind.NOT_FOUND, missing.kind());
        assertTrue(missing.getMessage().contains("palimpsest db migrate"), missing.getMessage());
        try (Connection c = TestDatabase.connect(server)) {
            assertEquals(OptionalInt.empty(), PostgresSchema.version(c, schema));
            assertEquals(0, PostgresSchema.migrate(c, schema));
            assertEquals(OptionalInt.of(PostgresSchema.VERSION), PostgresSchema.version(c,
                    schema));
            assertEquals(1, PostgresSchema.migrate(c, schema), "a second migration is a no-op");
            assertTrue(c.getAutoCommit(), "the caller's auto-commit is restored");
        }
        try (PostgresConversationStore store = TestDatabase.open(server, options(schema))) {
            store.append(AppendRequest.of("c", Expectation.none(), T, Message.user("hi")));
        }
        try (Connection c = TestDatabase.connect(server); Statement st = c.createStatement()) {
            st.execute("UPDATE " + schema + ".schema_version SET version = 2");
            PalimpsestException newer = assertThrows(PalimpsestException.class,
                    () -> PostgresSchema.migrate(c, schema));
            assertEquals(FailureKind.CORRUPT, newer.kind());
            assertTrue(newer.getMessage().contains("upgrade Palimpsest"), newer.getMessage());
        }
        PalimpsestException newer = assertThrows(PalimpsestException.class,
                () -> TestDatabase.open(server, options(schema)));
        assertEquals(FailureKind.CORRUPT, newer.kind(), newer.getMessage());
    }

    @Test
    void theDatabaseItselfRefusesAGapADuplicateSeqOrADuplicateId() throws SQLException {
        String schema = TestDatabase.freshSchema();
        try (PostgresConversationStore store = TestDatabase.open(TestDatabase.server(),
                options(schema).withMigrateOnOpen(true))) {
            store.append(AppendRequest.of("c", Expectation.none(), T,
                    Message.user("one").withId("m1"), Message.assistant("two")));
        }
        try (Connection c = TestDatabase.connect(TestDatabase.server())) {
            String insert = "INSERT INTO " + schema + ".messages (conv_id, seq, prev_seq,"
                    + " round_seq, msg_id, tokens, body, search) VALUES ('\\x63'::bytea, ?, ?,"
                    + " 1, ?, 0, '{}', ''::tsvector)";
            Map<String, Object[]> wrong = Map.of(
                    "23505", new Object[] {2L, 1L, null},
                    "23503", new Object[] {4L, 3L, null},
                    "23514", new Object[] {3L, 1L, null});
            for (Map.Entry<String, Object[]> w : wrong.entrySet()) {
                try (PreparedStatement ps = c.prepareStatement(insert)) {
                    ps.setLong(1, (Long) w.getValue()[0]);
                    ps.setLong(2, (Long) w.getValue()[1]);
                    ps.setBytes(3, null);
                    SQLException e = assertThrows(SQLException.class, ps::executeUpdate);
                    assertEquals(w.getKey(), e.getSQLState(), e.getMessage());
                }
            }
            try (PreparedStatement ps = c.prepareStatement(insert)) {
                ps.setLong(1, 3L);
                ps.setLong(2, 2L);
                ps.setBytes(3, "m1".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                assertEquals("23505", assertThrows(SQLException.class, ps::executeUpdate)
                        .getSQLState(), "a message id twice in one conversation");
            }
        }
    }

    @Test
    void hostileIdsAndTextsRoundTripThroughBindParametersOnly() {
        String nul = "a\0b";
        String big = "x'\"\\; DROP TABLE messages; --\0 ".repeat(1 << 15);
        assertTrue(big.length() >= 1_000_000, "a 1 MB message");
        List<String> ids = List.of("'; DROP TABLE conversations; --", "quote'\"`", nul,
                "\\x00", "日本語/../..", "emoji \uD83D\uDE00", "%_*");
        try (PostgresConversationStore store = TestDatabase.fresh()) {
            for (String id : ids) {
                Message user = new Message(dev.palimpsest.model.Role.USER, big + id, List.of(),
                        java.util.Optional.empty(), java.util.Optional.empty(),
                        java.util.Optional.of("id " + id), Map.of("k\0'", "v\0\""));
                Message call = Message.assistant("calling", List.of(new ToolCall("call'\0",
                        "tool\"", "{\"q\":\"\\u0000'\"}")));
                Message result = Message.tool("call'\0", "tool\"", "result\0 nul word");
                store.append(AppendRequest.of(id, Expectation.none(), T, user, call, result));
                ConversationState s = store.load(id).orElseThrow();
                List<StoredMessage> all = s.recentRounds().get(0).messages();
                assertEquals(user, all.get(0).message(), "the 1 MB message of " + id);
                assertEquals(call, all.get(1).message());
                assertEquals(result, all.get(2).message());
                assertEquals(T, all.get(0).createdAt(), "instants keep their nanoseconds");
                assertEquals(user, store.messageById(id, "id " + id).orElseThrow().message());
                List<RecallHit> hits = PostgresRecall.of(store).search(
                        RecallQuery.in(id, "nul word", 5));
                assertEquals(3, hits.get(0).message().seq(), "found past a NUL: " + hits);
            }
            assertEquals(ids.stream().sorted(dev.palimpsest.store.ConversationIds.ORDER)
                    .toList(), store.list(java.util.Optional.empty(), 100).ids(),
                    "listed in code point order, NUL and all");
            assertTrue(store.delete(nul));
            assertTrue(store.load(nul).isEmpty());
        }
    }

    @Test
    void aStatementPastItsTimeoutFailsWithIoAndChangesNothing() throws Exception {
        String schema = TestDatabase.freshSchema();
        PostgresStoreOptions opts = options(schema).withMigrateOnOpen(true)
                .withStatementTimeout(Duration.ofSeconds(1));
        try (PostgresConversationStore store = TestDatabase.open(TestDatabase.server(), opts);
             Connection holder = TestDatabase.connect(TestDatabase.server())) {
            store.append(AppendRequest.of("c", Expectation.none(), T, Message.user("one")));
            holder.setAutoCommit(false);
            try (Statement st = holder.createStatement()) {
                st.executeQuery("SELECT * FROM " + schema + ".conversations FOR UPDATE")
                        .close();
            }
            long started = System.nanoTime();
            PalimpsestException e = assertThrows(PalimpsestException.class, () -> store.append(
                    AppendRequest.of("c", Expectation.none(), T, Message.user("two"))));
            long millis = (System.nanoTime() - started) / 1_000_000;
            assertEquals(FailureKind.IO, e.kind(), e.getMessage());
            assertTrue(e.getMessage().contains("timed out"), e.getMessage());
            assertTrue(millis < 20_000, "it gave up after " + millis + " ms");
            holder.rollback();
            ConversationState s = store.load("c").orElseThrow();
            assertEquals(1, s.revision());
            assertEquals(1, s.counters().messagesTotal(), "nothing partial");
            store.append(AppendRequest.of("c", Expectation.none(), T, Message.user("two")));
            assertEquals(2, store.load("c").orElseThrow().counters().messagesTotal());
        }
    }

    @Test
    void aDroppedConnectionIsReplacedAndAnAppendItCutIsWholeOrAbsent() throws Exception {
        String schema = TestDatabase.freshSchema();
        PostgresStoreOptions opts = options(schema).withMigrateOnOpen(true).withPoolSize(1);
        try (PostgresConversationStore store = TestDatabase.open(TestDatabase.server(), opts);
             Connection admin = TestDatabase.connect(TestDatabase.server())) {
            store.append(AppendRequest.of("c", Expectation.none(), T, Message.user("one")));
            int killed = terminateOthers(admin);
            assertTrue(killed >= 1, "the pool's idle connection was dropped");
            // The next operation finds its connection dead, and runs again on a new one.
            store.append(AppendRequest.of("c", Expectation.none(), T,
                    Message.assistant("two")));
            assertEquals(2, store.load("c").orElseThrow().counters().messagesTotal());

            // A connection dropped in the middle of an append (blocked on a row lock).
            admin.setAutoCommit(false);
            try (Statement st = admin.createStatement()) {
                st.executeQuery("SELECT * FROM " + schema + ".conversations FOR UPDATE")
                        .close();
            }
            java.util.concurrent.CompletableFuture<Object> cut =
                    java.util.concurrent.CompletableFuture.supplyAsync(() -> store.append(
                            AppendRequest.of("c", Expectation.none(), T,
                                    Message.user("three").withId("three"))));
            try (Connection killer = TestDatabase.connect(TestDatabase.server())) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (waiting(killer) == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertTrue(terminateWaiting(killer) >= 1, "the blocked append was cut");
            }
            admin.rollback();
            admin.setAutoCommit(true);
            try {
                cut.get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                PalimpsestException p = (PalimpsestException) e.getCause();
                assertEquals(FailureKind.IO, p.kind(), p.getMessage());
            }
            ConversationState s = store.load("c").orElseThrow();
            long threes = store.messages("c", 1, 10).stream()
                    .filter(m -> m.message().content().equals("three")).count();
            assertTrue(threes <= 1, "never twice");
            assertEquals(2 + threes, s.counters().messagesTotal(), "whole or absent");
        }
    }

    /** The other client sessions of the test database, and those waiting for a lock. */
    private static final String OTHERS = " FROM pg_stat_activity WHERE pid <> pg_backend_pid()"
            + " AND datname = current_database() AND backend_type = 'client backend'";
    private static final String WAITING = OTHERS + " AND wait_event_type = 'Lock'";

    private static int count(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static int terminateOthers(Connection admin) throws SQLException {
        return count(admin, "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))" + OTHERS);
    }

    private static int waiting(Connection c) throws SQLException {
        return count(c, "SELECT count(*)" + WAITING);
    }

    private static int terminateWaiting(Connection c) throws SQLException {
        return count(c, "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))" + WAITING);
    }

    @Test
    void oneHolderAtATimeClaimsACompactionAndAnExpiredClaimIsFree() throws Exception {
        try (PostgresConversationStore store = TestDatabase.fresh()) {
            assertFalse(store.claimCompaction("c", "a", Duration.ofMinutes(1)),
                    "no claim on a conversation that does not exist");
            store.append(AppendRequest.of("c", Expectation.none(), T, Message.user("one")));
            assertTrue(store.claimCompaction("c", "a", Duration.ofMinutes(1)));
            assertFalse(store.claimCompaction("c", "b", Duration.ofMinutes(1)));
            assertTrue(store.claimCompaction("c", "a", Duration.ofMinutes(1)), "renewed");
            store.releaseCompaction("c", "b");
            assertFalse(store.claimCompaction("c", "b", Duration.ofMinutes(1)),
                    "only the holder releases");
            store.releaseCompaction("c", "a");
            assertTrue(store.claimCompaction("c", "b", Duration.ZERO));
            Thread.sleep(5);
            assertTrue(store.claimCompaction("c", "a", Duration.ofMinutes(1)),
                    "b's claim ran out");
            assertTrue(store.delete("c"));
            store.append(AppendRequest.of("c", Expectation.none(), T, Message.user("one")));
            assertTrue(store.claimCompaction("c", "b", Duration.ofMinutes(1)),
                    "a deleted conversation's claim went with it");
        }
    }

    @Test
    void aClosedStoreAndBadOptionsAreRefusedByName() {
        PostgresConversationStore store = TestDatabase.fresh();
        store.close();
        assertEquals(FailureKind.INVALID_INPUT, assertThrows(PalimpsestException.class,
                () -> store.load("c")).kind());
        assertEquals(FailureKind.INVALID_INPUT, assertThrows(PalimpsestException.class,
                () -> PostgresStoreOptions.DEFAULTS.withSchema("Robert'); DROP")).kind());
        assertEquals(FailureKind.INVALID_INPUT, assertThrows(PalimpsestException.class,
                () -> PostgresStoreOptions.DEFAULTS.withPoolSize(0)).kind());
        assertEquals(FailureKind.INVALID_INPUT, assertThrows(PalimpsestException.class,
                () -> PostgresStoreOptions.DEFAULTS.withStatementTimeout(Duration.ZERO))
                .kind());
        PostgresServer server = TestDatabase.server();
        java.util.Properties wrong = TestDatabase.login(server);
        wrong.setProperty("password", "not the password");
        PalimpsestException refused = assertThrows(PalimpsestException.class,
                () -> PostgresConversationStore.open(server.jdbcUrl(), wrong,
                        PostgresStoreOptions.DEFAULTS));
        assertEquals(FailureKind.IO, refused.kind(), refused.getMessage());
        assertFalse(refused.getMessage().contains("not the password"), refused.getMessage());
    }
}
