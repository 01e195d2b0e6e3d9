package dev.palimpsest.bench;

import dev.palimpsest.core.Conversation;
import dev.palimpsest.core.Round;
import dev.palimpsest.engine.ConversationEngine;
import dev.palimpsest.persist.ConversationStore;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Figure 1: the durable save of one typical state (20 rounds of about 2 KB, an 8 KB summary) by
 * our store, against the bare protocol on the same bytes (1a), one append plus fdatasync of one
 * round (1b, the physical floor of a durable round), SQLite's window rewrite (1c) and SQLite
 * storing the state as one row (1d). Each contender writes in its own directory of the same
 * file system, interleaved with the others.
 */
final class SaveBenchmark {
    static final String BARE = "1a bare protocol (temp, write, force, rename, dir fsync)";
    static final String APPEND = "1b append + fdatasync of one round";
    static final String SQLITE_WINDOW = "1c SQLite WAL FULL: delete + insert window";
    static final String SQLITE_ROW = "1d SQLite WAL FULL: state as one row";
    static final String SQLITE_ENGINE_WINDOW =
            "1e SQLite WAL FULL: delete + insert the engine's window (20 to 40 rounds)";
    static final String STORE = "store save (ConversationStore.save)";
    static final String ENGINE = "engine append of one round (update: read, append, save)";

    private SaveBenchmark() {
    }

    /**
     * Runs figure 1 and reports it.
     *
     * @param settings the run's size and directories
     * @param report   where the figures go
     * @throws Exception if a contender failed
     */
    static void run(Settings settings, Report report) throws Exception {
        Path work = Dirs.fresh(settings.workDir().resolve("save"));
        Conversation state = TypicalState.conversation("bench-save");
        byte[] bytes = StoreAccess.stateFileBytes(Dirs.fresh(work.resolve("probe")), state);

        List<Contender> contenders = new ArrayList<>();
        try {
            contenders.addAll(contenders(work, state, bytes));
            boolean storePresent = contenders.stream().anyMatch(c -> c.name().equals(STORE));
            InterleavedRunner runner = new InterleavedRunner(settings.pick(200, 1000),
                    Duration.ofSeconds(settings.pick(5, 30)), settings.pick(15, 40),
                    settings.pick(10, 20));
            Map<String, Stats> stats = runner.run(contenders);
            List<List<String>> rows = Report.ratioRows(stats, runner.lastCpu(), BARE);
            List<String> headers = List.of("contender", "median µs", "p10 µs", "p90 µs", "n",
                    "vs 1a", "CPU µs (median, calling thread)");
            report.section("1. Durable save of a typical state (" + bytes.length + " bytes)",
                    "Each operation is timed on its own; contenders interleave in rotating batches"
                            + " after a warm-up (" + runner.lastWarmup() + ")."
                            + " The last column is the CPU time the calling"
                            + " thread spent per operation (user and system), which hardly depends"
                            + " on how busy the machine is. The baselines write the exact bytes of the store's"
                            + " state file" + (storePresent ? "." : " (store not in this build:"
                            + " an equivalent JSON encoding)."),
                    headers, rows);
            if (storePresent) {
                double vsBare = stats.get(STORE).median() / stats.get(BARE).median();
                double vsWindow = stats.get(STORE).median() / stats.get(SQLITE_WINDOW).median();
                double engineVsWindow = stats.get(ENGINE).median()
                        / stats.get(SQLITE_WINDOW).median();
                double engineVsSameWindow = stats.get(ENGINE).median()
                        / stats.get(SQLITE_ENGINE_WINDOW).median();
                report.section("1. Targets", "Medians of the run above.",
                        List.of("target", "figure", "verdict"),
                        List.of(List.of("store save <= 1.15x bare protocol (1a)",
                                        Report.ratio(vsBare), Report.verdict(vsBare <= 1.15)),
                                List.of("store save vs SQLite window rewrite (1c): expect ~2x, "
                                                + "> 2x is a defect",
                                        Report.ratio(vsWindow), Report.verdict(vsWindow <= 2.0)),
                                List.of("engine append vs SQLite rewriting the same window (1e):"
                                                + " the whole per-round path, same expectation",
                                        Report.ratio(engineVsSameWindow),
                                        Report.verdict(engineVsSameWindow <= 2.0)),
                                List.of("(diagnostic) engine append vs 1c, whose window is the"
                                                + " 20-round typical state",
                                        Report.ratio(engineVsWindow), "-")));
            } else {
                report.text("\n**Store save not measured: the store implementation is not in this"
                        + " build.**\n");
            }
        } finally {
            for (Contender c : contenders) {
                c.release();
            }
        }
    }

    /**
     * Sets up figure 1's contenders, each in its own directory under {@code work}; the store's
     * two are left out when the build holds no store.
     *
     * @param work  the figure's scratch directory
     * @param state the typical state
     * @param bytes the store's state file bytes for it
     * @return the contenders, baseline first
     * @throws Exception if a set-up step failed
     */
    static List<Contender> contenders(Path work, Conversation state, byte[] bytes)
            throws Exception {
        List<Contender> contenders = new ArrayList<>();
        byte[] roundLine = StateJson.roundLine(state.recentRounds().get(0));
        Path bareDir = Dirs.fresh(work.resolve("bare"));
        contenders.add(contender(BARE, () -> BareProtocol.replace(bareDir,
                "conversation-bench-save.json", bytes, true, true)));

        FileChannel log = FileChannel.open(Dirs.fresh(work.resolve("append")).resolve("log"),
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        contenders.add(new Contender() {
            @Override
            public String name() {
                return APPEND;
            }

            @Override
            public void runOnce() throws Exception {
                ByteBuffer buf = ByteBuffer.wrap(roundLine);
                while (buf.hasRemaining()) {
                    log.write(buf);
                }
                log.force(false);
            }

            @Override
            public void release() throws Exception {
                log.close();
            }
        });

        SqliteBaseline window = new SqliteBaseline(
                Dirs.fresh(work.resolve("sqlite-window")).resolve("chat.db"));
        contenders.add(closing(SQLITE_WINDOW, () -> window.rewriteWindow(state), window));
        SqliteBaseline row = new SqliteBaseline(
                Dirs.fresh(work.resolve("sqlite-row")).resolve("chat.db"));
        contenders.add(closing(SQLITE_ROW, () -> row.putState(state.convId(), bytes), row));
        // What the engine contender writes: its window grows to 40 rounds and is cut back to 20,
        // so it averages 30 rounds, half as many bytes again as the typical state of 1c.
        SqliteBaseline engineWindow = new SqliteBaseline(
                Dirs.fresh(work.resolve("sqlite-engine-window")).resolve("chat.db"));
        ParallelBenchmark.SlidingWindow sliding =
                new ParallelBenchmark.SlidingWindow("bench-sqlite-engine");
        contenders.add(closing(SQLITE_ENGINE_WINDOW,
                () -> engineWindow.rewriteWindow(sliding.next()), engineWindow));

        Optional<ConversationStore> store = StoreAccess.open(Dirs.fresh(work.resolve("store")));
        if (store.isPresent()) {
            ConversationStore s = store.get();
            Conversation[] current = {state};
            contenders.add(closing(STORE, () -> current[0] = s.save(current[0]), s));
            ConversationStore engineStore = ConversationStore.open(
                    Dirs.fresh(work.resolve("engine")));
            ConversationEngine engine = ConversationEngine.builder(engineStore).build();
            // Start from the typical state, so the window holds 20 to 40 rounds from here on.
            engineStore.save(TypicalState.conversation("bench-engine"));
            long[] seq = {TypicalState.conversation("bench-engine").nextSeq()};
            contenders.add(closing(ENGINE, () -> {
                Round r = TypicalState.round("bench-engine", seq[0]++);
                engine.append("bench-engine", r.user(), r.assistant());
            }, engineStore));
        }

        return contenders;
    }

    /** An operation that may throw, for building contenders from lambdas. */
    @FunctionalInterface
    interface Op {
        void run() throws Exception;
    }

    static Contender contender(String name, Op op) {
        return closing(name, op, null);
    }

    static Contender closing(String name, Op op, AutoCloseable resource) {
        return new Contender() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void runOnce() throws Exception {
                op.run();
            }

            @Override
            public void release() throws Exception {
                if (resource != null) {
                    resource.close();
                }
            }
        };
    }
}
