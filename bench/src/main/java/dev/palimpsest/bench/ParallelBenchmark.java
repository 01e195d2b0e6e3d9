package dev.palimpsest.bench;

import dev.palimpsest.engine.CompactionPolicy;
import dev.palimpsest.engine.ConversationEngine;
import dev.palimpsest.model.Message;
import dev.palimpsest.store.file.FileConversationStore;
import dev.palimpsest.store.file.FileStoreOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Figure 5: eight threads in one JVM, each appending rounds (2.4 KB) to its own conversation
 * through the engine of the model v2 on the file store (default policy, the extractive
 * summarizer, so compactions run as in use), against what a user would pick instead: SQLite
 * (WAL, {@code synchronous=FULL}) inserting each round as one row, with eight connections on one
 * database, and with one connection whose writers queue in the JVM.
 */
final class ParallelBenchmark {
    private static final String OURS = "5a engine on store-file, one round per append";
    private static final String SQLITE = "5b SQLite WAL FULL: insert one row per round, 8 connections";
    private static final String SQLITE_QUEUED =
            "5c SQLite, same, one shared connection, writers queued in the JVM";

    private ParallelBenchmark() {
    }

    /**
     * Runs figure 5 and reports it.
     *
     * @param settings the run's size and directories
     * @param report   where the figures go
     * @throws Exception if a step failed
     */
    static void run(Settings settings, Report report) throws Exception {
        Path work = Dirs.fresh(settings.workDir().resolve("parallel"));
        long millis = settings.pick(3000, 4000);
        int reps = settings.pick(2, 5);
        Map<String, List<Double>> results = new LinkedHashMap<>();
        List<AutoCloseable> resources = new ArrayList<>();
        String user = AppendBenchmark.user(1);
        String assistant = AppendBenchmark.assistant(1);
        String body = "{\"user\":\"" + user + "\",\"assistant\":\"" + assistant + "\"}";
        try {
            FileConversationStore store = FileConversationStore.open(
                    Dirs.fresh(work.resolve("store")), FileStoreOptions.DEFAULTS);
            resources.add(store);
            ConversationEngine engine = ConversationEngine.builder(store)
                    .policy(CompactionPolicy.DEFAULT).build();
            resources.add(engine);
            Throughput.AppenderFactory ours = t -> {
                String conv = "parallel-" + t;
                return () -> engine.append(conv, Message.user(user), Message.assistant(assistant));
            };
            Path db = Dirs.fresh(work.resolve("sqlite")).resolve("chat.db");
            Throughput.AppenderFactory sqlite = t -> {
                SqliteBaseline conn = new SqliteBaseline(db);
                synchronized (resources) {
                    resources.add(conn);
                }
                String conv = "parallel-" + t;
                long[] seq = {seqBase(t)};
                return () -> conn.insertRound(conv, ++seq[0], body);
            };
            SqliteBaseline shared = new SqliteBaseline(
                    Dirs.fresh(work.resolve("sqlite-queued")).resolve("chat.db"));
            resources.add(shared);
            Object writeLock = new Object();
            Throughput.AppenderFactory sqliteQueued = t -> {
                String conv = "parallel-" + t;
                long[] seq = {seqBase(t)};
                return () -> {
                    synchronized (writeLock) {
                        shared.insertRound(conv, ++seq[0], body);
                    }
                };
            };
            Throughput.measure(8, 1000, ours);
            Throughput.measure(8, 1000, sqlite);
            Throughput.measure(8, 1000, sqliteQueued);
            for (int r = 0; r < reps; r++) {
                for (int threads : new int[] {8, 1}) {
                    results.computeIfAbsent(OURS + ", " + threads + " thread(s)",
                            k -> new ArrayList<>()).add(Throughput.measure(threads,
                            millis, ours));
                    results.computeIfAbsent(SQLITE + ", " + threads + " thread(s)",
                            k -> new ArrayList<>()).add(Throughput.measure(threads,
                            millis, sqlite));
                    if (threads > 1) {
                        results.computeIfAbsent(SQLITE_QUEUED + ", " + threads + " thread(s)",
                                k -> new ArrayList<>()).add(Throughput.measure(threads,
                                millis, sqliteQueued));
                    }
                }
            }
        } finally {
            for (int i = resources.size() - 1; i >= 0; i--) {
                resources.get(i).close();
            }
        }
        Map<String, Double> median = new LinkedHashMap<>();
        List<List<String>> rows = Report.throughputRows(results, median);
        report.section("5. Eight threads, each appending rounds to its own conversation",
                "Rounds per second over " + millis / 1000 + " s windows, " + reps
                        + " interleaved repetitions after a warm-up; median, range and each"
                        + " repetition.",
                List.of("contender", "median rounds/s", "range", "repetitions"), rows);
        double ours8 = median.get(OURS + ", 8 thread(s)");
        double sqlite8 = median.get(SQLITE + ", 8 thread(s)");
        double queued8 = median.get(SQLITE_QUEUED + ", 8 thread(s)");
        report.section("5. Target", "Medians of the run above.",
                List.of("target", "figure", "verdict"),
                List.of(List.of("8 threads: ours >= 1.5x SQLite (8 connections)",
                                Report.ratio(ours8 / sqlite8),
                                Report.verdict(ours8 / sqlite8 >= 1.5)),
                        List.of("8 threads: ours >= 1.5x SQLite (one connection, writers queued)",
                                Report.ratio(ours8 / queued8),
                                Report.verdict(ours8 / queued8 >= 1.5))));
    }

    /** Each measurement makes new appenders: start each at a seq no earlier one reached. */
    private static long seqBase(int thread) {
        return System.nanoTime() / 1000 * 16 + thread;
    }
}
