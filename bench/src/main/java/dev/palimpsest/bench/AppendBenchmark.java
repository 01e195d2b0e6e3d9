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
 * Figure 1: one durable round (about 2.4 KB: a user and an assistant message) appended by the
 * file store on the conversation log ({@code store-file}), at windows of 48 KB, 1 MB and 4 MB
 * that are never compacted during the measurement, against what a user would pick instead:
 * SQLite (WAL, {@code synchronous=FULL}) inserting that round as one row in one transaction. The
 * physical floor is one append of a round-sized record plus {@code fdatasync} into a zero-filled
 * file. Both are also measured without their caches, opened for each append as a CLI
 * process does. Medians, means and p99 are reported side by side, since the checkpoint the store writes
 * every 256 records (of the whole window) lands in the tail.
 */
final class AppendBenchmark {
    static final String FLOOR = "1a floor: write + fdatasync of a round-sized record (zero-filled file)";
    static final String FLOOR_RING = "1a' floor over one file per conversation: the same into"
            + " the next of as many zero-filled files as 1c has conversations at 48 KB";
    static final String SQLITE = "1b SQLite WAL FULL: insert the round as one row";
    static final String STORE = "1c store-file append of one round, window ";
    static final String STORE_FRESH = "1d store-file opened for the append, window ";
    static final String SQLITE_FRESH = "1e SQLite opened for the insert (connection per round)";
    static final String CHECKPOINTING = "1f store-file append that also checkpoints, window ";

    private static final int[] WINDOWS_KB = {48, 1024, 4096};

    private AppendBenchmark() {
    }

    static String user(long n) {
        return ("Round " + n + ": here is what I need next, with the details of the task. ")
                .repeat(16);
    }

    static String assistant(long n) {
        return ("Answer " + n + ": done, and this is what changed and why it matters here. ")
                .repeat(16);
    }

    /** As {@link #round}, each message with an id ({@code r<n>/u}, {@code r<n>/a}). */
    static AppendRequest roundWithIds(String conv, long n) {
        return new AppendRequest(conv, List.of(
                new NewMessage(Message.user(user(n)).withId("r" + n + "/u"), 300),
                new NewMessage(Message.assistant(assistant(n)).withId("r" + n + "/a"), 300)),
                Expectation.none(), Instant.now());
    }

    static AppendRequest round(String conv, long n) {
        return new AppendRequest(conv, List.of(new NewMessage(Message.user(user(n)), 300),
                new NewMessage(Message.assistant(assistant(n)), 300)), Expectation.none(),
                Instant.now());
    }

    /**
     * Conversations of one window size, appended to in turn so that each grows by at most a
     * tenth of its window while it is measured (a single conversation would grow by thousands
     * of rounds over a warm-up and a run, and a "48 KB window" would end at several MB).
     */
    static final class Ring {
        private final String[] ids;
        private final long[] next;
        private final long rounds;
        private long appended;

        Ring(String prefix, long rounds, int opsBudget) {
            long allowance = Math.max(1, rounds / 10);
            int k = (int) Math.max(1, (opsBudget + allowance - 1) / allowance);
            this.ids = new String[k];
            this.next = new long[k];
            this.rounds = rounds;
            for (int j = 0; j < k; j++) {
                ids[j] = prefix + "-" + j;
                next[j] = rounds + 1;
            }
        }

        /** Fills every conversation of the ring with its window, 500 rounds to a request. */
        void fill(FileConversationStore store) {
            for (String id : ids) {
                for (long n = 1; n <= rounds; n += 500) {
                    List<NewMessage> batch = new ArrayList<>();
                    for (long r = n; r < Math.min(rounds + 1, n + 500); r++) {
                        batch.addAll(round(id, r).messages());
                    }
                    store.append(new AppendRequest(id, batch, Expectation.nextRoundSeq(n),
                            Instant.now()));
                }
            }
        }

        /** {@return the next append: the next round of the next conversation in turn} */
        AppendRequest next() {
            int j = (int) (appended++ % ids.length);
            return round(ids[j], next[j]++);
        }

        /** {@return how far the busiest conversation grew, as a fraction of its window} */
        double growth() {
            return Math.ceil((double) appended / ids.length) / rounds;
        }

        int size() {
            return ids.length;
        }
    }

    /** The rings of one run, by contender name, so the report can say how much they grew. */
    static final Map<String, Ring> RINGS = new java.util.LinkedHashMap<>();

    /**
     * Sets up the contenders of figure 1 under {@code work}: the floor, SQLite, the store at each
     * window, and the store and SQLite without their caches (opened for each append).
     *
     * @param work      an empty directory
     * @param opsBudget how many appends each contender is expected to make at most (warm-up
     *                  and measurement), which sizes its ring of conversations
     * @return the contenders, set up; the caller releases them
     * @throws Exception if one could not be set up
     */
    static List<Contender> contenders(Path work, int opsBudget) throws Exception {
        int roundBytes = roundBytes();
        List<Contender> contenders = new ArrayList<>();
        RINGS.clear();
        boolean complete = false;
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
            contenders.add(Contender.closing(FLOOR, () -> {
                if (at[0] + record.length > zeroed) {
                    at[0] = 0;
                }
                floor.write(ByteBuffer.wrap(record), at[0]);
                at[0] += record.length;
                floor.force(false);
            }, floor));

            contenders.add(ringFloor(work, record, opsBudget));

            Path db = Dirs.fresh(work.resolve("sqlite")).resolve("chat.db");
            SqliteBaseline sqlite = new SqliteBaseline(db);
            long[] sqlSeq = {0};
            String body = "{\"user\":\"" + user(1) + "\",\"assistant\":\"" + assistant(1) + "\"}";
            contenders.add(Contender.closing(SQLITE,
                    () -> sqlite.insertRound("bench", ++sqlSeq[0], body), sqlite));

            for (int kb : WINDOWS_KB) {
                Path root = Dirs.fresh(work.resolve("store-" + kb));
                FileConversationStore store = FileConversationStore.open(root,
                        FileStoreOptions.DEFAULTS);
                long rounds = Math.max(1, (long) kb * 1024 / roundBytes);
                Ring ring = new Ring("window-" + kb, rounds, opsBudget);
                ring.fill(store);
                RINGS.put(STORE + kb + " KB", ring);
                contenders.add(Contender.closing(STORE + kb + " KB",
                        () -> store.append(ring.next()), store));
                if (kb == WINDOWS_KB[0] || kb == WINDOWS_KB[WINDOWS_KB.length - 1]) {
                    // The same store, its cache dropped: what each `palimpsest append` process
                    // pays on top of start-up (open, read the checkpoint, replay the log tail).
                    Ring fresh = new Ring("fresh-" + kb, rounds, opsBudget);
                    fresh.fill(store);
                    RINGS.put(STORE_FRESH + kb + " KB", fresh);
                    contenders.add(Contender.of(STORE_FRESH + kb + " KB", () -> {
                        try (FileConversationStore once = FileConversationStore.open(root,
                                FileStoreOptions.DEFAULTS)) {
                            once.append(fresh.next());
                        }
                    }));
                }
            }
            long[] freshSeq = {0};
            contenders.add(Contender.of(SQLITE_FRESH, () -> {
                try (SqliteBaseline once = new SqliteBaseline(db)) {
                    once.insertRound("bench-fresh", ++freshSeq[0], body);
                }
            }));
            complete = true;
            return contenders;
        } finally {
            if (!complete) {
                for (Contender c : contenders) {
                    c.release();
                }
            }
        }
    }

    /**
     * The floor of a store that keeps a file per conversation: one record written and forced
     * into the next of as many files as the 48 KB ring of 1c has conversations. It differs from
     * the floor of one file where the file system updates a file's time stamps at most once a
     * clock tick: one file written again and again changes its inode once a tick, each file of
     * a ring on every write, and on ext4 that inode is written by the {@code fdatasync} too.
     * SQLite keeps every conversation in one write-ahead log, so it pays the one-file floor.
     */
    private static Contender ringFloor(Path work, byte[] record, int opsBudget)
            throws java.io.IOException {
        long rounds = Math.max(1, 48L * 1024 / roundBytes());
        int files = new Ring("floor", rounds, opsBudget).size();
        long perFile = ((long) (opsBudget / files + 2) * record.length + 4095) / 4096 * 4096;
        Path dir = Dirs.fresh(work.resolve("floor-ring"));
        FileChannel[] channels = new FileChannel[files];
        long[] at = new long[files];
        ByteBuffer zeros = ByteBuffer.allocate((int) Math.min(perFile, 1 << 20));
        try {
            for (int i = 0; i < files; i++) {
                channels[i] = FileChannel.open(dir.resolve("log-" + i),
                        StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                        StandardOpenOption.READ);
                for (long p = 0; p < perFile; p += zeros.capacity()) {
                    zeros.clear();
                    channels[i].write(zeros, p);
                }
                channels[i].force(true);
            }
        } catch (java.io.IOException | RuntimeException e) {
            closeAll(channels);
            throw e;
        }
        long[] turn = {0};
        return Contender.closing(FLOOR_RING, () -> {
            int i = (int) (turn[0]++ % files);
            if (at[i] + record.length > perFile) {
                at[i] = 0;
            }
            channels[i].write(ByteBuffer.wrap(record), at[i]);
            at[i] += record.length;
            channels[i].force(false);
        }, () -> closeAll(channels));
    }

    private static void closeAll(FileChannel[] channels) {
        for (FileChannel ch : channels) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (java.io.IOException e) {
                    // Scratch files of a benchmark: nothing was promised about them.
                }
            }
        }
    }

    /**
     * Sets up one contender per window whose every append also writes a checkpoint of the
     * whole window: what the store pays once every {@code checkpointEveryRecords} appends
     * (256 by default), measured on its own so that the amortized cost can be stated.
     */
    private static List<Contender> checkpointContenders(Path work, int opsBudget) {
        List<Contender> contenders = new ArrayList<>();
        for (int kb : WINDOWS_KB) {
            FileConversationStore store = FileConversationStore.open(
                    Dirs.fresh(work.resolve("checkpointing-" + kb)),
                    FileStoreOptions.DEFAULTS.checkpointingEveryChange());
            long rounds = Math.max(1, (long) kb * 1024 / roundBytes());
            Ring ring = new Ring("checkpointing-" + kb, rounds, opsBudget);
            ring.fill(store);
            RINGS.put(CHECKPOINTING + kb + " KB", ring);
            contenders.add(Contender.closing(CHECKPOINTING + kb + " KB",
                    () -> store.append(ring.next()), store));
        }
        return contenders;
    }

    private static int roundBytes() {
        return (user(1) + assistant(1)).getBytes(StandardCharsets.UTF_8).length;
    }

    /**
     * Runs figure 1 and reports it.
     *
     * @param settings the run's size and directories
     * @param report   where the figures go
     * @throws Exception if a contender failed
     */
    static void run(Settings settings, Report report) throws Exception {
        Path work = Dirs.fresh(settings.workDir().resolve("append"));
        int roundBytes = roundBytes();
        InterleavedRunner runner = new InterleavedRunner(settings.pick(300, 1500),
                Duration.ofSeconds(settings.pick(5, 30)), settings.pick(20, 60),
                settings.pick(10, 20));
        List<Contender> contenders = contenders(work, settings.pick(1500, 4000));
        List<Contender> checkpointing = new ArrayList<>();
        try {
            Map<String, Stats> stats = runner.run(contenders);
            String warmup = runner.lastWarmup();
            checkpointing.addAll(checkpointContenders(work, settings.pick(200, 400)));
            InterleavedRunner slow = new InterleavedRunner(settings.pick(30, 100),
                    Duration.ofSeconds(settings.pick(3, 10)), settings.pick(10, 20), 5);
            Map<String, Stats> checkpointStats = slow.run(checkpointing);
            Stats sql = stats.get(SQLITE);
            Stats sqlFresh = stats.get(SQLITE_FRESH);
            List<List<String>> rows = new ArrayList<>();
            for (Contender c : contenders) {
                Stats s = stats.get(c.name());
                Stats base = c.name().startsWith(STORE_FRESH) || c.name().equals(SQLITE_FRESH)
                        ? sqlFresh : sql;
                rows.add(List.of(c.name(), Report.micros(s.median()), Report.micros(s.mean()),
                        Report.micros(s.quantile(0.99)), String.valueOf(s.count()),
                        Report.ratio(s.median() / base.median()),
                        Report.ratio(s.mean() / base.mean()), growth(c.name())));
            }
            for (Contender c : checkpointing) {
                Stats s = checkpointStats.get(c.name());
                rows.add(List.of(c.name(), Report.micros(s.median()), Report.micros(s.mean()),
                        Report.micros(s.quantile(0.99)), String.valueOf(s.count()),
                        Report.ratio(s.median() / sql.median()),
                        Report.ratio(s.mean() / sql.mean()), growth(c.name())));
            }
            report.section("1. One durable round (" + roundBytes + " bytes of text) appended",
                    "Contenders interleave in rotating batches after a warm-up (" + warmup
                            + "). Each store contender appends to a ring of conversations of its"
                            + " window in turn, so that none grows by more than about a tenth"
                            + " (last column: the busiest one's growth); nothing is compacted."
                            + " 1d and 1e open the store or the database for each append (no"
                            + " cache, as a CLI process) and are compared with each other. 1f"
                            + " checkpoints at every append (run separately, warm-up "
                            + slow.lastWarmup() + "): the store does that once every 256"
                            + " appends or 4 MiB of log.",
                    List.of("contender", "median µs", "mean µs", "p99 µs", "n",
                            "median vs 1b (1d: vs 1e)", "mean vs 1b (1d: vs 1e)",
                            "window growth"), rows);
            double small = stats.get(STORE + "48 KB").median();
            double large = stats.get(STORE + "4096 KB").median();
            List<List<String>> targets = new ArrayList<>();
            for (int kb : WINDOWS_KB) {
                double r = stats.get(STORE + kb + " KB").median() / sql.median();
                targets.add(List.of("append at " + kb + " KB: median <= 1.2x SQLite's row insert",
                        Report.ratio(r), Report.verdict(r <= 1.2)));
            }
            double ringFloor = stats.get(FLOOR_RING).median();
            targets.add(List.of("(no target) the floor over a file per conversation (1a')"
                    + " against SQLite's row insert", Report.ratio(ringFloor / sql.median()), "-"));
            targets.add(List.of("(no target) append at 48 KB against the floor over a file per"
                    + " conversation (1a')", Report.ratio(small / ringFloor), "-"));
            targets.add(List.of("4 MB median within 1.1x of the 48 KB one (flat)",
                    Report.ratio(large / small), Report.verdict(large / small <= 1.1)));
            for (int kb : WINDOWS_KB) {
                Stats plain = stats.get(STORE + kb + " KB");
                Stats ckpt = checkpointStats.get(CHECKPOINTING + kb + " KB");
                double amortized = plain.mean() + Math.max(0, ckpt.mean() - plain.mean()) / 256;
                targets.add(List.of("(no target) mean at " + kb + " KB with the checkpoint"
                                + " amortized over 256 appends, against SQLite's mean",
                        Report.micros(amortized) + " µs, " + Report.ratio(amortized / sql.mean()),
                        "-"));
            }
            for (int kb : new int[] {WINDOWS_KB[0], WINDOWS_KB[WINDOWS_KB.length - 1]}) {
                double r = stats.get(STORE_FRESH + kb + " KB").median() / sqlFresh.median();
                targets.add(List.of("(no cache) append at " + kb + " KB, store opened per append"
                        + " <= 1.2x SQLite opened per insert", Report.ratio(r),
                        Report.verdict(r <= 1.2)));
            }
            report.section("1. Targets", "Medians of the run above.",
                    List.of("target", "figure", "verdict"), targets);
        } finally {
            for (Contender c : contenders) {
                c.release();
            }
            for (Contender c : checkpointing) {
                c.release();
            }
        }
    }

    private static String growth(String name) {
        Ring ring = RINGS.get(name);
        return ring == null ? "-" : String.format(java.util.Locale.ROOT, "%.0f%% (%d conversations)",
                ring.growth() * 100, ring.size());
    }
}
