package dev.palimpsest.bench;

import dev.palimpsest.model.Message;
import dev.palimpsest.store.AppendRequest;
import dev.palimpsest.store.Expectation;
import dev.palimpsest.store.NewMessage;
import dev.palimpsest.store.file.FileConversationStore;
import dev.palimpsest.store.file.FileStoreOptions;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Figure 5: one durable round (about 2.4 KB: a user and an assistant message) appended by the
 * file store on the conversation log ({@code store-file}), at windows of 48 KB, 1 MB and 4 MB
 * that are never compacted during the measurement, against what a user would pick instead:
 * SQLite (WAL, {@code synchronous=FULL}) inserting that round as one row in one transaction. The
 * physical floor is one append of a round-sized record plus {@code fdatasync} into a zero-filled
 * file. Medians, means and p99 are reported side by side, since the checkpoint the store writes
 * every 256 records (of the whole window) lands in the tail.
 */
final class LogAppendBenchmark {
    static final String FLOOR = "5a floor: write + fdatasync of a round-sized record (zero-filled file)";
    static final String SQLITE = "5b SQLite WAL FULL: insert the round as one row";
    static final String STORE = "5c store-file append of one round, window ";

    private static final int[] WINDOWS_KB = {48, 1024, 4096};

    private LogAppendBenchmark() {
    }

    static String user(long n) {
        return ("Round " + n + ": here is what I need next, with the details of the task. ")
                .repeat(16);
    }

    static String assistant(long n) {
        return ("Answer " + n + ": done, and this is what changed and why it matters here. ")
                .repeat(16);
    }

    static AppendRequest round(String conv, long n) {
        return new AppendRequest(conv, List.of(new NewMessage(Message.user(user(n)), 300),
                new NewMessage(Message.assistant(assistant(n)), 300)), Expectation.none(),
                Instant.now());
    }

    /**
     * Runs figure 5 and reports it.
     *
     * @param settings the run's size and directories
     * @param report   where the figures go
     * @throws Exception if a contender failed
     */
    static void run(Settings settings, Report report) throws Exception {
        Path work = Dirs.fresh(settings.workDir().resolve("log"));
        int roundBytes = (user(1) + assistant(1)).getBytes(StandardCharsets.UTF_8).length;
        List<Contender> contenders = new ArrayList<>();
        try {
            Path floorFile = Dirs.fresh(work.resolve("floor")).resolve("log");
            FileChannel floor = FileChannel.open(floorFile, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE, StandardOpenOption.READ);
            long zeroed = 256L << 20;
            ByteBuffer zeros = ByteBuffer.allocate(1 << 20);
            for (long p = 0; p < zeroed; p += zeros.capacity()) {
                zeros.clear();
                floor.write(zeros, p);
            }
            floor.force(true);
            byte[] record = new byte[roundBytes + 200];
            java.util.Arrays.fill(record, (byte) 'r');
            long[] at = {0};
            contenders.add(SaveBenchmark.closing(FLOOR, () -> {
                if (at[0] + record.length > zeroed) {
                    at[0] = 0;
                }
                floor.write(ByteBuffer.wrap(record), at[0]);
                at[0] += record.length;
                floor.force(false);
            }, floor));

            SqliteBaseline sqlite = new SqliteBaseline(
                    Dirs.fresh(work.resolve("sqlite")).resolve("chat.db"));
            long[] sqlSeq = {0};
            String body = "{\"user\":\"" + user(1) + "\",\"assistant\":\"" + assistant(1) + "\"}";
            contenders.add(SaveBenchmark.closing(SQLITE,
                    () -> sqlite.insertRound("bench", ++sqlSeq[0], body), sqlite));

            for (int kb : WINDOWS_KB) {
                FileConversationStore store = FileConversationStore.open(
                        Dirs.fresh(work.resolve("store-" + kb)), FileStoreOptions.DEFAULTS);
                String conv = "window-" + kb;
                long rounds = Math.max(1, (long) kb * 1024 / roundBytes);
                for (long n = 1; n <= rounds; n++) {
                    store.append(round(conv, n));
                }
                long[] next = {rounds + 1};
                contenders.add(SaveBenchmark.closing(STORE + kb + " KB",
                        () -> store.append(round(conv, next[0]++)), store));
            }

            InterleavedRunner runner = new InterleavedRunner(settings.pick(300, 1500),
                    Duration.ofSeconds(settings.pick(5, 30)), settings.pick(20, 60),
                    settings.pick(10, 20));
            Map<String, Stats> stats = runner.run(contenders);
            Stats sql = stats.get(SQLITE);
            List<List<String>> rows = new ArrayList<>();
            for (Contender c : contenders) {
                Stats s = stats.get(c.name());
                rows.add(List.of(c.name(), Report.micros(s.median()), Report.micros(s.mean()),
                        Report.micros(s.quantile(0.99)), String.valueOf(s.count()),
                        Report.ratio(s.median() / sql.median()),
                        Report.ratio(s.mean() / sql.mean())));
            }
            report.section("5. One durable round (" + roundBytes + " bytes of text) appended",
                    "Contenders interleave in rotating batches after a warm-up ("
                            + runner.lastWarmup() + "). The store's windows are never compacted"
                            + " here; its checkpoint (the whole window) is written every 256"
                            + " records, which the mean and p99 show.",
                    List.of("contender", "median µs", "mean µs", "p99 µs", "n", "median vs 5b",
                            "mean vs 5b"), rows);
            double small = stats.get(STORE + "48 KB").median();
            double large = stats.get(STORE + "4096 KB").median();
            List<List<String>> targets = new ArrayList<>();
            for (int kb : WINDOWS_KB) {
                double r = stats.get(STORE + kb + " KB").median() / sql.median();
                targets.add(List.of("append at " + kb + " KB: median <= 1.2x SQLite's row insert",
                        Report.ratio(r), Report.verdict(r <= 1.2)));
            }
            targets.add(List.of("4 MB median within 1.1x of the 48 KB one (flat)",
                    Report.ratio(large / small), Report.verdict(large / small <= 1.1)));
            report.section("5. Targets", "Medians of the run above.",
                    List.of("target", "figure", "verdict"), targets);
        } finally {
            for (Contender c : contenders) {
                c.release();
            }
        }
    }
}
