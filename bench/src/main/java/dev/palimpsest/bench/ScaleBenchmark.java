package dev.palimpsest.bench;

import dev.palimpsest.core.Conversation;
import dev.palimpsest.core.Counters;
import dev.palimpsest.core.Round;
import dev.palimpsest.engine.CompactionPolicy;
import dev.palimpsest.engine.ConversationEngine;
import dev.palimpsest.engine.summarizer.ExtractiveSummarizer;
import dev.palimpsest.persist.ConversationStore;
import dev.palimpsest.persist.ConversationSummary;
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
import java.util.stream.Stream;

/**
 * Figure 2, scale: an engine append at round 100 against one at round 100,000 of one
 * conversation (compaction keeps the state bounded, so the cost must stay flat); load time
 * against state size up to 1 MB; {@code list} over 10,000 stored conversations. Figure 4b, the
 * memory of an engine holding those 10,000 states, uses the same data set.
 */
final class ScaleBenchmark {
    /** Distinct texts the long conversation cycles through, so its setup stays small in memory. */
    private static final int TEXT_POOL = 64;
    private static final List<String> USERS = new ArrayList<>();
    private static final List<String> ASSISTANTS = new ArrayList<>();

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

    private static ConversationEngine engine(ConversationStore store, Clock clock) {
        return ConversationEngine.builder(store)
                .policy(CompactionPolicy.DEFAULT)
                .summarizer(ExtractiveSummarizer.withDefaultBudget())
                .clock(clock)
                .build();
    }

    private static void appendRound(ConversationEngine engine, String convId, long seq) {
        int i = (int) (seq % TEXT_POOL);
        engine.append(convId, USERS.get(i), ASSISTANTS.get(i));
    }

    /**
     * Builds {@code rounds} rounds of a conversation through the engine on an in-memory store,
     * then writes the resulting archive and state into the file store (archive first, as the
     * engine does). The state is the one real appends produce, except its revision.
     */
    private static void setUpFast(ConversationStore fileStore, String convId, long rounds,
                                  Clock clock) {
        try (InMemoryStore mem = new InMemoryStore(fileStore)) {
            ConversationEngine engine = engine(mem, clock);
            for (long seq = 1; seq <= rounds; seq++) {
                appendRound(engine, convId, seq);
            }
            List<Round> archived;
            try (Stream<Round> s = mem.archive(convId)) {
                archived = s.toList();
            }
            for (int from = 0; from < archived.size(); from += 2000) {
                fileStore.appendArchive(convId,
                        archived.subList(from, Math.min(archived.size(), from + 2000)));
            }
            Conversation state = mem.load(convId);
            fileStore.update(convId, current -> state);
        }
    }

    private static void appendAtDepth(Settings settings, Report report, Path work)
            throws Exception {
        Clock clock = Clock.fixed(Instant.parse("2026-11-25T12:00:00Z"), ZoneOffset.UTC);
        long deep = 100_000;
        try (ConversationStore store = ConversationStore.open(Dirs.fresh(work.resolve("depth")))) {
            ConversationEngine engine = engine(store, clock);
            // Trust the fast setup only after it matched real appends at a smaller size.
            long checkRounds = settings.pick(500, 2000);
            for (long seq = 1; seq <= checkRounds; seq++) {
                appendRound(engine, "check-real", seq);
            }
            setUpFast(store, "check-fast", checkRounds, clock);
            String mismatch = compare(store, "check-real", "check-fast");
            if (mismatch != null) {
                throw new BenchException("the fast setup path differs from real appends after "
                        + checkRounds + " rounds: " + mismatch);
            }

            for (long seq = 1; seq < 100; seq++) {
                appendRound(engine, "round-100", seq);
            }
            long setupStart = System.nanoTime();
            setUpFast(store, "round-100000", deep - 1, clock);
            long setupNanos = System.nanoTime() - setupStart;
            long archiveBytes = Files.size(store.archiveFile("round-100000"));

            long[] next = {100, deep};
            List<Contender> contenders = List.of(
                    SaveBenchmark.contender("engine append at round 100",
                            () -> appendRound(engine, "round-100", next[0]++)),
                    SaveBenchmark.contender("engine append at round 100,000",
                            () -> appendRound(engine, "round-100000", next[1]++)));
            InterleavedRunner runner = new InterleavedRunner(settings.pick(100, 500),
                    Duration.ofSeconds(settings.pick(5, 30)), settings.pick(10, 40), 10);
            Map<String, Stats> stats = runner.run(contenders);
            List<List<String>> rows = Report.ratioRows(stats, runner.lastCpu(),
                    "engine append at round 100");
            Conversation deepState = store.load("round-100000");
            report.section("2a. Append cost at round 100 and at round 100,000",
                    String.format(Locale.ROOT, "Engine with the default policy (%s) and the "
                                    + "extractive summarizer; compaction runs in the calling thread "
                                    + "and is included. The 100,000-round conversation was set up "
                                    + "in %.1f s through the engine on an in-memory store and written"
                                    + " into the file store (archive %d MB, state %d bytes); that "
                                    + "path was first checked to yield the same state and archive as"
                                    + " %d real appends. Timed appends then ran rounds %d.. and "
                                    + "%d.. interleaved, after a warm-up of %s.",
                            CompactionPolicy.DEFAULT,
                            setupNanos / 1e9, archiveBytes >> 20,
                            Files.size(store.stateFile("round-100000")), checkRounds, 100, deep,
                            runner.lastWarmup()),
                    List.of("contender", "median µs", "p10 µs", "p90 µs", "n", "vs round 100",
                            "CPU µs"),
                    rows);
            double ratio = stats.get("engine append at round 100,000").median()
                    / stats.get("engine append at round 100").median();
            report.section("2a. Target", "Recent rounds held at round 100,000: "
                            + deepState.recentRounds().size() + ", compressed context "
                            + deepState.compressedContext().length() + " chars.",
                    List.of("target", "figure", "verdict"),
                    List.of(List.of("append at round 100,000 <= 1.1x append at round 100",
                            Report.ratio(ratio), Report.verdict(ratio <= 1.1))));
        }
    }

    /** Returns null if both conversations hold the same rounds, context and counters. */
    private static String compare(ConversationStore store, String a, String b) {
        Conversation x = store.load(a);
        Conversation y = store.load(b);
        if (!x.compressedContext().equals(y.compressedContext())) {
            return "compressed context";
        }
        if (!x.recentRounds().equals(y.recentRounds())) {
            return "recent rounds";
        }
        if (!x.counters().equals(y.counters())) {
            return "counters " + x.counters() + " vs " + y.counters();
        }
        try (Stream<Round> ra = store.archive(a); Stream<Round> rb = store.archive(b)) {
            if (!ra.toList().equals(rb.toList())) {
                return "archive";
            }
        }
        return null;
    }

    private static void loadBySize(Settings settings, Report report, Path work) throws Exception {
        Path root = Dirs.fresh(work.resolve("load"));
        try (ConversationStore writer = ConversationStore.open(root)) {
            for (int rounds : new int[] {5, 50, 500}) {
                String id = "load-" + rounds;
                List<Round> list = new ArrayList<>();
                for (int seq = 1; seq <= rounds; seq++) {
                    list.add(TypicalState.round(id, seq));
                }
                writer.save(new Conversation(id, 0, Instant.parse("2026-11-25T12:00:00Z"), "",
                        list, new Counters(rounds, 0, 0, 0, 0, 0, Optional.empty())));
            }
        }
        // Loaded through another store, which has written nothing and so knows none of the
        // files: every load reads and parses its file, as a daemon's first load after a start.
        try (ConversationStore store = ConversationStore.open(root)) {
            List<Contender> contenders = new ArrayList<>();
            Map<String, Long> sizes = new LinkedHashMap<>();
            for (int rounds : new int[] {5, 50, 500}) {
                String id = "load-" + rounds;
                long bytes = Files.size(store.stateFile(id));
                String name = String.format(Locale.ROOT, "load of a %,d-byte state", bytes);
                sizes.put(name, bytes);
                contenders.add(SaveBenchmark.contender(name, () -> store.load(id)));
            }
            InterleavedRunner runner = new InterleavedRunner(settings.pick(200, 500),
                    Duration.ofSeconds(settings.pick(3, 10)), settings.pick(20, 40), 10);
            Map<String, Stats> stats = runner.run(contenders);
            List<List<String>> rows = new ArrayList<>();
            for (Map.Entry<String, Stats> e : stats.entrySet()) {
                double mbPerS = sizes.get(e.getKey()) / (e.getValue().median() / 1e9) / 1e6;
                rows.add(List.of(e.getKey(), Report.micros(e.getValue().median()),
                        Report.micros(e.getValue().quantile(0.1)),
                        Report.micros(e.getValue().quantile(0.9)),
                        String.format(Locale.ROOT, "%.0f MB/s", mbPerS)));
            }
            report.section("2b. Load time against state size",
                    "`ConversationStore.load` of states of 5, 50 and 500 rounds of about 2 KB "
                            + "(page cache warm: this is parsing and validation, not the disk), through a store"
                            + " that did not write them, as after a restart; warm-up: "
                            + runner.lastWarmup() + ".",
                    List.of("contender", "median µs", "p10 µs", "p90 µs", "throughput"), rows);
        }
    }

    private static void listAndMemory(Settings settings, Report report, Path work)
            throws Exception {
        int count = 10_000;
        Path root = Dirs.fresh(work.resolve("many"));
        long setupStart = System.nanoTime();
        try (ConversationStore store = ConversationStore.open(root)) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < 8; t++) {
                    int first = t;
                    futures.add(pool.submit(() -> {
                        for (int i = first; i < count; i += 8) {
                            store.save(TypicalState.conversation(String.format("conv-%05d", i)));
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
        try (ConversationStore store = ConversationStore.open(root)) {
            long start = System.nanoTime();
            List<ConversationSummary> all = store.list();
            firstNanos = System.nanoTime() - start;
            listed = all.size();
            for (int i = 0; i < samples.length; i++) {
                start = System.nanoTime();
                store.list();
                samples[i] = System.nanoTime() - start;
            }
        }
        if (listed != count) {
            throw new BenchException("list returned " + listed + " conversations, stored " + count);
        }
        Stats stats = new Stats(samples);
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("`list()`, first call in a fresh store (JIT cold)",
                Report.millis(firstNanos), "-", Report.verdict(firstNanos < 1e9)));
        rows.add(List.of("`list()`, median of " + samples.length + " further calls",
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
                String.format(Locale.ROOT, "10,000 typical states (about 50 KB each) saved by 8 "
                        + "threads in %.1f s; page cache warm. Target: under 1 s.", setupSeconds),
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
