package dev.palimpsest.bench;

import dev.palimpsest.model.Round;
import dev.palimpsest.store.CompactionRequest;
import dev.palimpsest.store.file.FileConversationStore;
import dev.palimpsest.store.file.FileStoreOptions;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Figure 6: reading 10 rounds of a long conversation (100,000 rounds of 2.4 KB in the full run,
 * one durable append per round, all but the last 20 compacted) at its start, its middle, just
 * before the recent window and inside it. Each read opens the store afresh, as a
 * {@code palimpsest transcript} process does, and once more on a store kept open; against what a
 * user would pick instead, SQLite reading 10 rows by primary key range, on a connection kept
 * open and on one opened per read (the fair match of a fresh store). And a retry: the messages
 * of round 5, sent again with their ids, by a fresh store (a launcher process after a lost
 * acknowledgement), in the long conversation against a short one of 100 rounds: the store must
 * find the ids stored (through its message-id index) without reading the long log.
 */
final class RangeReadBenchmark {
    private static final int LIMIT = 10;
    private static final int RECENT = 20;
    private static final int SHORT = 100;
    private static final String SHORT_CONV = "short";
    private static final long RETRIED = 5;

    private RangeReadBenchmark() {
    }

    /**
     * Runs figure 6 and reports it.
     *
     * @param settings the run's size and directories
     * @param report   where the figures go
     * @throws Exception if a contender failed
     */
    static void run(Settings settings, Report report) throws Exception {
        Path work = Dirs.fresh(settings.workDir().resolve("range"));
        int rounds = settings.pick(20_000, 100_000);
        String conv = "long";
        Path root = Dirs.fresh(work.resolve("store"));
        long built = System.nanoTime();
        try (FileConversationStore store = FileConversationStore.open(root,
                FileStoreOptions.DEFAULTS)) {
            for (long n = 1; n <= rounds; n++) {
                store.append(AppendBenchmark.roundWithIds(conv, n));
            }
            for (long n = 1; n <= SHORT; n++) {
                store.append(AppendBenchmark.roundWithIds(SHORT_CONV, n));
            }
            store.commitCompaction(new CompactionRequest(conv, 0, rounds - RECENT,
                    "summary", 1, Instant.now()));
        }
        Duration buildTime = Duration.ofNanos(System.nanoTime() - built);

        Connection sqlite = DriverManager.getConnection("jdbc:sqlite:"
                + Dirs.fresh(work.resolve("sqlite")).resolve("chat.db").toAbsolutePath());
        try (Statement st = sqlite.createStatement()) {
            st.execute("PRAGMA journal_mode=WAL");
            st.execute("CREATE TABLE rounds (conv_id TEXT NOT NULL, seq INTEGER NOT NULL,"
                    + " body TEXT NOT NULL, PRIMARY KEY (conv_id, seq))");
        }
        sqlite.setAutoCommit(false);
        String body = "{\"user\":\"" + AppendBenchmark.user(1) + "\",\"assistant\":\""
                + AppendBenchmark.assistant(1) + "\"}";
        try (PreparedStatement insert = sqlite.prepareStatement(
                "INSERT INTO rounds (conv_id, seq, body) VALUES (?, ?, ?)")) {
            for (long n = 1; n <= rounds; n++) {
                insert.setString(1, conv);
                insert.setLong(2, n);
                insert.setString(3, body);
                insert.executeUpdate();
            }
        }
        sqlite.commit();
        sqlite.setAutoCommit(true);
        PreparedStatement select = sqlite.prepareStatement(
                "SELECT seq, body FROM rounds WHERE conv_id = ? AND seq >= ? ORDER BY seq LIMIT ?");

        long[] froms = {1, rounds / 2, rounds - 100, rounds - LIMIT + 1};
        String[] where = {"start", "middle", "just before the recent window", "recent"};
        List<Contender> contenders = new ArrayList<>();
        FileConversationStore warm = FileConversationStore.open(root, FileStoreOptions.DEFAULTS);
        try {
            for (int i = 0; i < froms.length; i++) {
                long from = froms[i];
                contenders.add(Contender.closing(name("6a fresh store", where[i], from),
                        () -> {
                            try (FileConversationStore s = FileConversationStore.open(root)) {
                                check(s.rounds(conv, from, LIMIT), from);
                            }
                        }, null));
                contenders.add(Contender.closing(name("6b open store", where[i], from),
                        () -> check(warm.rounds(conv, from, LIMIT), from), null));
            }
            for (String c : List.of(conv, SHORT_CONV)) {
                contenders.add(Contender.closing(retryName(c, c.equals(conv) ? rounds : SHORT),
                        () -> {
                            try (FileConversationStore s = FileConversationStore.open(root)) {
                                if (!s.append(AppendBenchmark.roundWithIds(c, RETRIED))
                                        .retried()) {
                                    throw new BenchException("the retry of round " + RETRIED
                                            + " of " + c + " was appended again");
                                }
                            }
                        }, null));
            }
            long deep = rounds - 100;
            contenders.add(Contender.closing(name("6c SQLite", "just before the recent window",
                    deep), () -> {
                        select.setString(1, conv);
                        select.setLong(2, deep);
                        select.setInt(3, LIMIT);
                        int n = 0;
                        try (ResultSet rs = select.executeQuery()) {
                            while (rs.next()) {
                                rs.getString(2);
                                n++;
                            }
                        }
                        if (n != LIMIT) {
                            throw new BenchException("SQLite read " + n + " rows");
                        }
                    }, null));
            contenders.add(Contender.closing(name("6d SQLite, connection opened per read",
                    "just before the recent window", deep), () -> {
                        try (Connection c = DriverManager.getConnection("jdbc:sqlite:"
                                + work.resolve("sqlite").resolve("chat.db").toAbsolutePath());
                             PreparedStatement q = c.prepareStatement("SELECT seq, body FROM"
                                     + " rounds WHERE conv_id = ? AND seq >= ? ORDER BY seq"
                                     + " LIMIT ?")) {
                            q.setString(1, conv);
                            q.setLong(2, deep);
                            q.setInt(3, LIMIT);
                            int n = 0;
                            try (ResultSet rs = q.executeQuery()) {
                                while (rs.next()) {
                                    rs.getString(2);
                                    n++;
                                }
                            }
                            if (n != LIMIT) {
                                throw new BenchException("SQLite read " + n + " rows");
                            }
                        }
                    }, null));
            InterleavedRunner runner = new InterleavedRunner(settings.pick(200, 1000),
                    Duration.ofSeconds(settings.pick(5, 20)), settings.pick(20, 50),
                    settings.pick(10, 20));
            Map<String, Stats> stats = runner.run(contenders);
            double startFresh = stats.get(name("6a fresh store", where[0], froms[0])).median();
            double startWarm = stats.get(name("6b open store", where[0], froms[0])).median();
            double sql = stats.get(name("6c SQLite", where[2], deep)).median();
            double sqlFresh = stats.get(name("6d SQLite, connection opened per read", where[2],
                    deep)).median();
            List<List<String>> rows = new ArrayList<>();
            double retryShort = stats.get(retryName(SHORT_CONV, SHORT)).median();
            // What the retry cost before the id index: the whole log read for its ids (and here
            // the index made again). Too slow to interleave a thousand times: timed apart.
            Path idIndex = root.resolve("sm").resolve("conversation-" + conv + ".ids");
            long[] unindexed = new long[settings.pick(3, 5)];
            for (int i = 0; i < unindexed.length; i++) {
                java.nio.file.Files.deleteIfExists(idIndex);
                long t = System.nanoTime();
                try (FileConversationStore s = FileConversationStore.open(root)) {
                    if (!s.append(AppendBenchmark.roundWithIds(conv, RETRIED)).retried()) {
                        throw new BenchException("the retry of round " + RETRIED + " of " + conv
                                + " was appended again");
                    }
                }
                unindexed[i] = System.nanoTime() - t;
            }
            Stats noIndex = new Stats(unindexed);
            for (Contender c : contenders) {
                Stats s = stats.get(c.name());
                if (c.name().startsWith("6e")) {
                    rows.add(List.of(c.name(), Report.micros(s.median()),
                            Report.micros(s.quantile(0.1)), Report.micros(s.quantile(0.9)),
                            String.valueOf(s.count()), Report.ratio(s.median() / retryShort)
                                    + " (vs the " + SHORT + "-round one)", "-"));
                    continue;
                }
                boolean fresh = c.name().startsWith("6a") || c.name().startsWith("6d");
                double base = c.name().startsWith("6a") ? startFresh
                        : c.name().startsWith("6b") ? startWarm : fresh ? sqlFresh : sql;
                rows.add(List.of(c.name(), Report.micros(s.median()),
                        Report.micros(s.quantile(0.1)), Report.micros(s.quantile(0.9)),
                        String.valueOf(s.count()), Report.ratio(s.median() / base),
                        Report.ratio(s.median() / (fresh ? sqlFresh : sql))));
            }
            rows.add(List.of(retryName(conv, rounds) + ", its id index removed first (the"
                    + " whole log read; timed apart)", Report.micros(noIndex.median()),
                    Report.micros(noIndex.quantile(0.0)), Report.micros(noIndex.quantile(1.0)),
                    String.valueOf(noIndex.count()), Report.ratio(noIndex.median() / retryShort)
                            + " (vs the " + SHORT + "-round one)", "-"));
            report.section("6. Reading " + LIMIT + " rounds of a " + rounds + "-round conversation",
                    "Built with one durable append per round in " + buildTime.toSeconds()
                            + " s; all but the last " + RECENT + " rounds compacted. Fresh: the"
                            + " store is opened (checkpoint read, cache empty) for each read, as"
                            + " a launcher process does. Contenders interleave after a warm-up ("
                            + runner.lastWarmup() + ").",
                    List.of("contender", "median µs", "p10 µs", "p90 µs", "n",
                            "vs the same at round 1", "vs SQLite (6d for fresh, 6c for open)"), rows);
            double deepFresh = stats.get(name("6a fresh store", where[2], deep)).median();
            double retryDeep = stats.get(retryName(conv, rounds)).median();
            report.section("6. Targets", "Medians of the run above.",
                    List.of("target", "figure", "verdict"),
                    List.of(List.of("rounds from " + deep + " within 2x of from 1 (fresh store)",
                            Report.ratio(deepFresh / startFresh),
                            Report.verdict(deepFresh / startFresh <= 2)),
                            List.of("(no target) a retry with ids in the " + rounds
                                    + "-round conversation against one in a " + SHORT
                                    + "-round one (fresh store; the id index is read whole, 32"
                                    + " bytes per message with an id); without the index",
                                    Report.ratio(retryDeep / retryShort) + "; "
                                            + Report.ratio(noIndex.median() / retryShort), "-")));
        } finally {
            warm.close();
            select.close();
            sqlite.close();
        }
    }

    private static String retryName(String conv, long rounds) {
        return "6e fresh store: round " + RETRIED + " sent again with its ids, in a " + rounds
                + "-round conversation";
    }

    private static String name(String who, String where, long from) {
        return who + ": rounds " + from + "-" + (from + LIMIT - 1) + " (" + where + ")";
    }

    private static void check(List<Round> got, long from) {
        if (got.size() != LIMIT || got.get(0).seq() != from) {
            throw new BenchException("read " + got.size() + " rounds from " + from);
        }
    }
}
