package dev.palimpsest.bench;

import dev.palimpsest.engine.CompactionPolicy;
import dev.palimpsest.engine.ConversationEngine;
import dev.palimpsest.model.ConversationState;
import dev.palimpsest.model.Message;
import dev.palimpsest.store.AppendRequest;
import dev.palimpsest.store.ConversationPage;
import dev.palimpsest.store.ConversationStore;
import dev.palimpsest.store.Expectation;
import dev.palimpsest.store.NewMessage;
import dev.palimpsest.store.file.FileConversationStore;
import dev.palimpsest.store.file.FileStoreOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Figure 2, scale: an engine append at round 100 against one deep in a long conversation
 * (compaction keeps the state bounded and the log is indexed, so the cost must stay flat); load
 * time against the size of the state; {@code list} over 10,000 stored conversations. Figure 4b,
 * the memory of an engine holding those 10,000 states, uses the same data set.
 */
final class ScaleBenchmark {
    /** Distinct texts the long conversation cycles through, so its setup stays small in memory. */
    private static final int TEXT_POOL = 64;
    private static final List<String> USERS = new ArrayList<>();
    private static final List<String> ASSISTANTS = new ArrayList<>();
    /** Rounds appended to the long conversation per request while it is set up. */
    private static final int SETUP_BATCH = 1000;

    static {
        for (int i = 0; i < TEXT_POOL; i++) {
            USERS.add(TypicalState.text(1000L + i, TypicalState.USER_CHARS));
            ASSISTANTS.add(TypicalState.text(5000L + i, TypicalState.ASSISTANT_CHARS));
        }
    }

    private ScaleBenchmark() {
    }

    /**
     * Runs figure 2 (and the engine-memory part of figure 4) and reports it.
     *
     * @param settings the run's size and directories
     * @param report   where the figures go
     * @throws Exception if a step failed
     */
    static void run(Settings settings, Report report) throws Exception {
        Path work = Dirs.fresh(settings.workDir().resolve("scale"));
        appendAtDepth(settings, report, work);
        loadBySize(settings, report, work);
        listAndMemory(settings, report, work);
    }

    /**
     * {@return every stored conversation's id, page by page}
     *
     * @param store the store
     */
    static List<String> allIds(ConversationStore store) {
        List<String> ids = new ArrayList<>();
        Optional<String> after = Optional.empty();
        do {
            ConversationPage page = store.list(after, 1000);
            ids.addAll(page.ids());
            after = page.next();
        } while (after.isPresent());
        return ids;
    }

    private static ConversationEngine engine(ConversationStore store, Clock clock) {
        return ConversationEngine.builder(store).policy(CompactionPolicy.DEFAULT).clock(clock)
                .build();
    }

    private static void appendRound(ConversationEngine engine, String convId, long seq) {
        int i = (int) (seq % TEXT_POOL);
        engine.appendRound(convId, USERS.get(i), ASSISTANTS.get(i));
    }

    /**
     * Builds {@code rounds} rounds of a conversation quickly: {@value #SETUP_BATCH} rounds per
     * store append (one flush each), each batch then compacted by the engine down to the
     * policy's recent window, so the log holds every round and the state is bounded as after
     * real appends (only the points at which compactions happened differ).
     */
    private static void setUpFast(ConversationEngine engine, String convId, long rounds,
                                  Clock clock) {
        for (long first = 1; first <= rounds; first += SETUP_BATCH) {
            List<NewMessage> batch = new ArrayList<>();
            for (long seq = first; seq < Math.min(rounds + 1, first + SETUP_BATCH); seq++) {
                int i = (int) (seq % TEXT_POOL);
                Message user = Message.user(USERS.get(i));
                Message assistant = Message.assistant(ASSISTANTS.get(i));
                batch.add(new NewMessage(user, engine.tokens(user)));
                batch.add(new NewMessage(assistant, engine.tokens(assistant)));
            }
            engine.store().append(new AppendRequest(convId, batch,
                    Expectation.nextRoundSeq(first), clock.instant()));
            engine.compact(convId);
        }
    }

    private static void appendAtDepth(Settings settings, Report report, Path work)
            throws Exception {
        Clock clock = Clock.fixed(Instant.parse("2026-11-25T12:00:00Z"), ZoneOffset.UTC);
        long deep = settings.pick(20_000, 100_000);
        String deepName = String.format(Locale.ROOT, "engine append at round %,d", deep);
        try (FileConversationStore store = FileConversationStore.open(
                Dirs.fresh(work.resolve("depth")), FileStoreOptions.DEFAULTS);
             ConversationEngine engine = engine(store, clock)) {
            for (long seq = 1; seq < 100; seq++) {
                appendRound(engine, "round-100", seq);
            }
            long setupStart = System.nanoTime();
            setUpFast(engine, "deep", deep - 1, clock);
            long setupNanos = System.nanoTime() - setupStart;
            long logBytes = 0;
            try (var files = Files.list(store.root().resolve("sm"))) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    if (f.getFileName().toString().startsWith("conversation-deep.")) {
                        logBytes += Files.size(f);
                    }
                }
            }

            long[] next = {100, deep};
            List<Contender> contenders = List.of(
                    Contender.of("engine append at round 100",
                            () -> appendRound(engine, "round-100", next[0]++)),
                    Contender.of(deepName, () -> appendRound(engine, "deep", next[1]++)));
            InterleavedRunner runner = new InterleavedRunner(settings.pick(100, 500),
                    Duration.ofSeconds(settings.pick(5, 30)), settings.pick(10, 40), 10);
            Map<String, Stats> stats = runner.run(contenders);
            List<List<String>> rows = Report.ratioRows(stats, runner.lastCpu(),
                    "engine append at round 100");
            ConversationState shallow = engine.state("round-100").orElseThrow();
            ConversationState deepState = engine.state("deep").orElseThrow();
            report.section("2a. Append cost at round 100 and at round " + String.format(
                            Locale.ROOT, "%,d", deep),
                    String.format(Locale.ROOT, "Engine on the file store with the default policy"
                                    + " (%s) and the extractive summarizer; compaction runs in the"
                                    + " calling thread and is included. The deep conversation was"
                                    + " set up in %.1f s, %d rounds per store append, each batch"
                                    + " then compacted by the engine (its files: %d MB). Timed"
                                    + " appends then ran rounds 100.. and %d.. interleaved, after a"
                                    + " warm-up of %s.",
                            CompactionPolicy.DEFAULT, setupNanos / 1e9, SETUP_BATCH,
                            logBytes >> 20, deep, runner.lastWarmup()),
                    List.of("contender", "median µs", "p10 µs", "p90 µs", "n", "vs round 100",
                            "CPU µs"),
                    rows);
            double ratio = stats.get(deepName).median()
                    / stats.get("engine append at round 100").median();
            report.section("2a. Target", String.format(Locale.ROOT, "At the end: recent rounds %d"
                                    + " and %d, compressed contexts of %d and %d chars (round 100"
                                    + " and deep).", shallow.recentRounds().size(),
                            deepState.recentRounds().size(), shallow.compressedContext().length(),
                            deepState.compressedContext().length()),
                    List.of("target", "figure", "verdict"),
                    List.of(List.of("deep append <= 1.1x append at round 100",
                            Report.ratio(ratio), Report.verdict(ratio <= 1.1))));
        }
    }

    private static void loadBySize(Settings settings, Report report, Path work) throws Exception {
        Path root = Dirs.fresh(work.resolve("load"));
        int[] sizes = {5, 50, 500};
        try (FileConversationStore writer = FileConversationStore.open(root,
                FileStoreOptions.DEFAULTS)) {
            for (int rounds : sizes) {
                List<NewMessage> messages = new ArrayList<>();
                for (int seq = 1; seq <= rounds; seq++) {
                    messages.addAll(TypicalState.round("load-" + rounds, seq));
                }
                writer.append(new AppendRequest("load-" + rounds, messages,
                        Expectation.nextRoundSeq(1), Instant.parse("2026-11-25T12:00:00Z")));
            }
        }
        try (FileConversationStore open = FileConversationStore.open(root,
                FileStoreOptions.DEFAULTS)) {
            List<Contender> contenders = new ArrayList<>();
            for (int rounds : sizes) {
                String id = "load-" + rounds;
                // A store opened for the load: it reads the checkpoint and replays the log after
                // it, as every CLI process and a daemon's first load after a start do.
                contenders.add(Contender.of(String.format(Locale.ROOT,
                        "load of %d rounds, store opened for it", rounds), () -> {
                            try (FileConversationStore once = FileConversationStore.open(root,
                                    FileStoreOptions.DEFAULTS)) {
                                once.load(id).orElseThrow();
                            }
                        }));
                contenders.add(Contender.of(String.format(Locale.ROOT,
                        "load of %d rounds, store kept open", rounds),
                        () -> open.load(id).orElseThrow()));
            }
            InterleavedRunner runner = new InterleavedRunner(settings.pick(200, 500),
                    Duration.ofSeconds(settings.pick(3, 10)), settings.pick(20, 40), 10);
            Map<String, Stats> stats = runner.run(contenders);
            List<List<String>> rows = new ArrayList<>();
            for (Map.Entry<String, Stats> e : stats.entrySet()) {
                rows.add(List.of(e.getKey(), Report.micros(e.getValue().median()),
                        Report.micros(e.getValue().quantile(0.1)),
                        Report.micros(e.getValue().quantile(0.9))));
            }
            Map<String, String> stateSizes = new LinkedHashMap<>();
            for (int rounds : sizes) {
                Path checkpoint = open.checkpointFile("load-" + rounds);
                stateSizes.put("load-" + rounds, Files.exists(checkpoint)
                        ? Files.size(checkpoint) + "-byte checkpoint" : "no checkpoint");
            }
            report.section("2b. Load time against state size",
                    "`load` of conversations of 5, 50 and 500 rounds of about 2 KB, each stored "
                            + "by one append (" + stateSizes + "; the rest is replayed from the "
                            + "log); page cache warm: this is reading, parsing and validation, not "
                            + "the disk; warm-up: " + runner.lastWarmup() + ".",
                    List.of("contender", "median µs", "p10 µs", "p90 µs"), rows);
        }
    }

    /**
     * The file store's options for the 10,000 conversations of 2c and 4b: the defaults, but
     * preallocating 64 KiB of log instead of 1 MiB, so that the data set takes 1 GB of disk and
     * not 10; listing never reads a log.
     */
    static final FileStoreOptions MANY = new FileStoreOptions(
            FileStoreOptions.DEFAULTS.checkpointEveryRecords(),
            FileStoreOptions.DEFAULTS.checkpointEveryBytes(),
            FileStoreOptions.DEFAULTS.segmentBytes(), 64 * 1024,
            FileStoreOptions.DEFAULTS.maxRecordBytes());

    private static void listAndMemory(Settings settings, Report report, Path work)
            throws Exception {
        int count = 10_000;
        Path root = Dirs.fresh(work.resolve("many"));
        long setupStart = System.nanoTime();
        try (FileConversationStore store = FileConversationStore.open(root, MANY)) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    int first = t;
                    futures.add(pool.submit(() -> {
                        for (int i = first; i < count; i += 8) {
                            TypicalState.store(store, String.format("conv-%05d", i));
                        }
                        return null;
                    }));
                }
                for (Future<?> f : futures) {
                    f.get();
                }
            } finally {
                pool.shutdownNow();
            }
        }
        double setupSeconds = (System.nanoTime() - setupStart) / 1e9;

        long firstNanos;
        int listed;
        long[] samples = new long[settings.pick(5, 10)];
        try (FileConversationStore store = FileConversationStore.open(root, MANY)) {
            long start = System.nanoTime();
            listed = allIds(store).size();
            firstNanos = System.nanoTime() - start;
            for (int i = 0; i < samples.length; i++) {
                start = System.nanoTime();
                allIds(store);
                samples[i] = System.nanoTime() - start;
            }
        }
        if (listed != count) {
            throw new BenchException("list returned " + listed + " conversations, stored " + count);
        }
        Stats stats = new Stats(samples);
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("`list`, all pages of 1,000, first call in a fresh store (JIT cold)",
                Report.millis(firstNanos), "-", Report.verdict(firstNanos < 1e9)));
        rows.add(List.of("`list`, all pages, median of " + samples.length + " further calls",
                Report.millis(stats.median()), Report.millis(stats.quantile(0.9)),
                Report.verdict(stats.median() < 1e9)));

        Path launcher = Path.of(System.getProperty("palimpsest.launcher",
                "cli/target/image/bin/palimpsest")).toAbsolutePath();
        if (Files.isExecutable(launcher)) {
            List<String> cmd = List.of(launcher.toString(), "--root", root.toString(), "list",
                    "--json");
            Processes.Result r = Processes.run(work, cmd);
            if (r.exitCode() == 0) {
                long[] proc = new long[3];
                for (int i = 0; i < proc.length; i++) {
                    proc[i] = Processes.run(work, cmd).nanos();
                }
                Stats ps = new Stats(proc);
                rows.add(List.of("`palimpsest list --json` (a whole process)",
                        Report.millis(ps.median()), Report.millis(ps.quantile(1.0)),
                        Report.verdict(ps.median() < 1e9)));
            } else {
                rows.add(List.of("`palimpsest list --json`", "not measured: exit " + r.exitCode(),
                        "-", "-"));
            }
        }
        report.section("2c. `list` over 10,000 stored conversations",
                String.format(Locale.ROOT, "10,000 typical states (24 rounds of about 2 KB, 4 of them "
                        + "folded into an 8 KB compressed context) stored by 8 threads in %.1f s; "
                        + "page cache warm. Target: under 1 s.", setupSeconds),
                List.of("operation", "median ms", "p90 (or max) ms", "< 1 s"), rows);

        Processes.Result r = Processes.run(work, List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                EngineFootprint.class.getName(), root.toString(), Integer.toString(count)));
        if (r.exitCode() != 0) {
            throw new BenchException("engine footprint child exited " + r.exitCode() + ": "
                    + r.stderr());
        }
        report.section("4b. Memory of an engine holding 10,000 conversations' states",
                "A child JVM (default heap settings) opens the store and an engine, reads all "
                        + "10,000 typical states through `engine.state(id)` and keeps them in a "
                        + "map, as a daemon's cache would; then reports from /proc/self/status.",
                List.of("figure", "value"), EngineFootprint.rows(r.stdout()));
    }
}
