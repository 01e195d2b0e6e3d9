package dev.palimpsest.bench;

import dev.palimpsest.model.Message;
import dev.palimpsest.store.AppendRequest;
import dev.palimpsest.store.ConversationStore;
import dev.palimpsest.store.Expectation;
import dev.palimpsest.store.NewMessage;
import dev.palimpsest.store.file.FileConversationStore;
import dev.palimpsest.store.file.FileStoreOptions;
import dev.palimpsest.store.postgres.PostgresConversationStore;
import dev.palimpsest.store.postgres.PostgresStoreOptions;
import dev.palimpsest.testkit.PostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Figure 8: the PostgreSQL store against what a user would pick instead, in one run: appending
 * a round (a user and an assistant message, 2.4 KB) one at a time (latency) and from eight
 * threads, each to its own conversation (throughput). The contenders are this store, the file
 * store on the same disk, SQLite (WAL, {@code synchronous=FULL}) inserting a row per round, and
 * the fairest baseline of all: plain JDBC inserting one row per round into one table of the same
 * PostgreSQL server (what an application that keeps its chat history in PostgreSQL itself does,
 * with no numbering, retries or state), without and with a text-search column as this store
 * keeps for recall. The server is started by the benchmark with PostgreSQL's
 * defaults, {@code fsync} and {@code synchronous_commit} on, as the report shows.
 */
final class PostgresBenchmark {
    private static final String OURS = "8a store-postgres, one round per append";
    private static final String PLAIN = "8b plain JDBC on the same server: INSERT one row per round";
    private static final String PLAIN_SEARCH = "8b' plain JDBC, same, with to_tsvector into a"
            + " GIN-indexed column";
    private static final String FILES = "8c store-file, one round per append";
    private static final String SQLITE = "8d SQLite WAL FULL: insert one row per round";

    private PostgresBenchmark() {
    }

    /** One contender: how to make an appender for a thread. */
    private record Contender(String name, Throughput.AppenderFactory factory) {
    }

    static void run(Settings settings, Report report) throws Exception {
        Path work = Dirs.fresh(settings.workDir().resolve("postgres"));
        int latencyAppends = settings.pick(200, 500);
        int reps = settings.pick(2, 5);
        long millis = settings.pick(3000, 4000);
        String user = AppendBenchmark.user(1);
        String assistant = AppendBenchmark.assistant(1);
        String body = "{\"user\":\"" + user + "\",\"assistant\":\"" + assistant + "\"}";
        List<AutoCloseable> resources = new ArrayList<>();
        Map<String, List<Long>> latency = new LinkedHashMap<>();
        Map<String, List<Double>> throughput = new LinkedHashMap<>();
        List<List<String>> serverSettings = new ArrayList<>();
        try (PostgresServer server = PostgresServer.start()) {
            Properties login = new Properties();
            login.setProperty("user", PostgresServer.USER);
            login.setProperty("password", server.password());
            try (Connection c = DriverManager.getConnection(server.jdbcUrl(), login);
                 Statement st = c.createStatement()) {
                for (String name : List.of("server_version", "fsync", "synchronous_commit",
                        "wal_sync_method", "full_page_writes", "shared_buffers")) {
                    try (ResultSet rs = st.executeQuery("SHOW " + name)) {
                        rs.next();
                        serverSettings.add(List.of(name, rs.getString(1)));
                    }
                }
                st.execute("CREATE TABLE plain_rounds (conv_id text NOT NULL, seq bigint NOT NULL,"
                        + " body text NOT NULL, PRIMARY KEY (conv_id, seq))");
                st.execute("CREATE TABLE plain_search_rounds (conv_id text NOT NULL,"
                        + " seq bigint NOT NULL, body text NOT NULL, search tsvector NOT NULL,"
                        + " PRIMARY KEY (conv_id, seq))");
                st.execute("CREATE INDEX ON plain_search_rounds USING gin (search)");
            }
            PostgresConversationStore pg = PostgresConversationStore.open(server.jdbcUrl(), login,
                    PostgresStoreOptions.DEFAULTS.withMigrateOnOpen(true).withPoolSize(8));
            resources.add(pg);
            FileConversationStore files = FileConversationStore.open(
                    Dirs.fresh(work.resolve("store")), FileStoreOptions.DEFAULTS);
            resources.add(files);
            Path sqliteDb = Dirs.fresh(work.resolve("sqlite")).resolve("chat.db");
            List<Contender> contenders = List.of(
                    new Contender(OURS, storeAppender(pg, "pg", user, assistant)),
                    new Contender(PLAIN, t -> {
                        Connection c = DriverManager.getConnection(server.jdbcUrl(), login);
                        synchronized (resources) {
                            resources.add(c);
                        }
                        PreparedStatement insert = c.prepareStatement(
                                "INSERT INTO plain_rounds (conv_id, seq, body) VALUES (?, ?, ?)");
                        String conv = "plain-" + t;
                        long[] seq = {seqBase(t)};
                        return () -> {
                            insert.setString(1, conv);
                            insert.setLong(2, ++seq[0]);
                            insert.setString(3, body);
                            insert.executeUpdate();
                        };
                    }),
                    new Contender(PLAIN_SEARCH, t -> {
                        Connection c = DriverManager.getConnection(server.jdbcUrl(), login);
                        synchronized (resources) {
                            resources.add(c);
                        }
                        PreparedStatement insert = c.prepareStatement(
                                "INSERT INTO plain_search_rounds (conv_id, seq, body, search)"
                                        + " VALUES (?, ?, ?, to_tsvector('english', ?))");
                        String conv = "plain-search-" + t;
                        long[] seq = {seqBase(t)};
                        String words = user + "\n" + assistant;
                        return () -> {
                            insert.setString(1, conv);
                            insert.setLong(2, ++seq[0]);
                            insert.setString(3, body);
                            insert.setString(4, words);
                            insert.executeUpdate();
                        };
                    }),
                    new Contender(FILES, storeAppender(files, "file", user, assistant)),
                    new Contender(SQLITE, t -> {
                        SqliteBaseline conn = new SqliteBaseline(sqliteDb);
                        synchronized (resources) {
                            resources.add(conn);
                        }
                        String conv = "sqlite-" + t;
                        long[] seq = {seqBase(t)};
                        return () -> conn.insertRound(conv, ++seq[0], body);
                    }));
            for (Contender c : contenders) {
                Throughput.measure(8, 1000, c.factory());
            }
            for (int r = 0; r < reps; r++) {
                for (Contender c : contenders) {
                    Throughput.Appender one = c.factory().create(100 + r);
                    List<Long> samples = latency.computeIfAbsent(c.name(),
                            k -> new ArrayList<>());
                    for (int i = 0; i < latencyAppends; i++) {
                        long start = System.nanoTime();
                        one.appendNext();
                        samples.add(System.nanoTime() - start);
                    }
                }
                for (Contender c : contenders) {
                    throughput.computeIfAbsent(c.name(), k -> new ArrayList<>())
                            .add(Throughput.measure(8, millis, c.factory()));
                }
            }
        } finally {
            for (int i = resources.size() - 1; i >= 0; i--) {
                try {
                    resources.get(i).close();
                } catch (SQLException e) {
                    // A connection to the server the benchmark already stopped.
                }
            }
        }
        report.section("8. PostgreSQL server settings", "The server the benchmark started"
                        + " (PostgreSQL's defaults; the data directory on the machine's /tmp).",
                List.of("setting", "value"), serverSettings);
        Map<String, Stats> stats = new LinkedHashMap<>();
        for (Map.Entry<String, List<Long>> e : latency.entrySet()) {
            stats.put(e.getKey(), new Stats(e.getValue().stream().mapToLong(Long::longValue)
                    .toArray()));
        }
        report.section("8. Append latency, one thread, one round per append", latencyAppends
                        + " appends per repetition, " + reps + " interleaved repetitions; ratio"
                        + " of medians to plain JDBC on the same server (8b).",
                List.of("contender", "median µs", "p10 µs", "p90 µs", "appends", "vs 8b"),
                Report.ratioRows(stats, PLAIN));
        List<List<String>> p99 = new ArrayList<>();
        for (Map.Entry<String, Stats> e : stats.entrySet()) {
            p99.add(List.of(e.getKey(), Report.micros(e.getValue().quantile(0.99)),
                    Report.micros(e.getValue().mean())));
        }
        report.section("8. Append latency tail", "Same samples.",
                List.of("contender", "p99 µs", "mean µs"), p99);
        Map<String, Double> median = new LinkedHashMap<>();
        List<List<String>> rows = Report.throughputRows(throughput, median);
        for (List<String> row : new ArrayList<>(rows)) {
            int i = rows.indexOf(row);
            List<String> withRatio = new ArrayList<>(row);
            withRatio.add(Report.ratio(median.get(row.get(0)) / median.get(PLAIN)));
            rows.set(i, withRatio);
        }
        report.section("8. Eight writers, each appending rounds to its own conversation",
                "Rounds per second over " + millis / 1000 + " s windows, " + reps
                        + " interleaved repetitions after a warm-up; median, range, each"
                        + " repetition, and the ratio of medians to plain JDBC (8b).",
                List.of("contender", "median rounds/s", "range", "repetitions", "vs 8b"), rows);
    }

    private static Throughput.AppenderFactory storeAppender(ConversationStore store,
                                                            String prefix, String user,
                                                            String assistant) {
        return t -> {
            String conv = prefix + "-" + t + "-" + System.nanoTime();
            return () -> store.append(new AppendRequest(conv, List.of(
                    new NewMessage(Message.user(user), 600),
                    new NewMessage(Message.assistant(assistant), 600)),
                    Expectation.none(), Instant.now()));
        };
    }

    /** Each measurement makes new appenders: start each at a seq no earlier one reached. */
    private static long seqBase(int thread) {
        return System.nanoTime() / 1000 * 16 + thread;
    }
}
