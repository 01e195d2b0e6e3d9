package dev.palimpsest.bench;

import dev.palimpsest.store.AppendRequest;
import dev.palimpsest.store.Expectation;
import dev.palimpsest.store.NewMessage;
import dev.palimpsest.store.file.FileConversationStore;
import dev.palimpsest.store.file.FileStoreOptions;
import java.time.Instant;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Figure 3: a cold {@code palimpsest show} of a typical state from the runtime image (a new JVM
 * each time; the page cache is warm for both contenders), against the hello-world jlink image
 * with CDS built in the same run, as a ratio; and the launcher's peak RSS.
 */
final class StartupBenchmark {
    private static final String CONV = "bench-startup";
    /** A 4 MB window, never compacted: the launcher's memory must not grow with it. */
    private static final String BIG = "bench-4mb-window";

    private StartupBenchmark() {
    }

    /**
     * Runs figure 3 and reports it.
     *
     * @param settings the run's size and directories
     * @param report   where the figures go
     */
    static void run(Settings settings, Report report) {
        Path work = Dirs.fresh(settings.workDir().resolve("startup"));
        Path launcher = Path.of(System.getProperty("palimpsest.launcher",
                "cli/target/image/bin/palimpsest")).toAbsolutePath();
        if (!Files.isExecutable(launcher)) {
            report.text("\n**Start-up not measured: no launcher at " + launcher
                    + " (build it with ./mvnw -B -DskipTests package -pl cli -am).**\n");
            return;
        }
        Path hello = HelloImage.build(work.resolve("hello"));
        Path root = work.resolve("root");
        Dirs.fresh(root);
        int bigRounds = 4 * 1024 * 1024
                / (TypicalState.USER_CHARS + TypicalState.ASSISTANT_CHARS);
        try (FileConversationStore s = FileConversationStore.open(root,
                FileStoreOptions.DEFAULTS)) {
            TypicalState.store(s, CONV);
            for (int first = 1; first <= bigRounds; first += 500) {
                List<NewMessage> batch = new ArrayList<>();
                for (int seq = first; seq < Math.min(bigRounds + 1, first + 500); seq++) {
                    batch.addAll(TypicalState.round(BIG, seq));
                }
                s.append(new AppendRequest(BIG, batch, Expectation.nextRoundSeq(first),
                        Instant.now()));
            }
        }
        List<String> helloCmd = List.of(hello.toString());
        List<String> showCmd = List.of(launcher.toString(), "--root", root.toString(), "show",
                CONV);
        List<String> appendCmd = List.of(launcher.toString(), "--root", root.toString(),
                "append", "--user", TypicalState.text(11, TypicalState.USER_CHARS),
                "--assistant", TypicalState.text(12, TypicalState.ASSISTANT_CHARS), CONV);
        Processes.Result check = Processes.run(work, showCmd);
        if (check.exitCode() != 0) {
            report.text("\n**Start-up not measured: `palimpsest show` exited " + check.exitCode()
                    + ": " + check.stderr().strip() + "**\n");
            return;
        }

        int warmup = 3;
        int rounds = settings.pick(15, 40);
        Map<String, List<String>> contenders = new LinkedHashMap<>();
        contenders.put("hello-world jlink image + CDS", helloCmd);
        contenders.put("palimpsest show (typical state)", showCmd);
        // The launcher without touching the store: how much of `show` is start-up alone.
        contenders.put("palimpsest --version (no store, no engine)",
                List.of(launcher.toString(), "--version"));
        Map<String, long[]> samples = new LinkedHashMap<>();
        contenders.keySet().forEach(k -> samples.put(k, new long[rounds]));
        List<String> names = new ArrayList<>(contenders.keySet());
        for (int r = -warmup; r < rounds; r++) {
            for (int k = 0; k < names.size(); k++) {
                String name = names.get((k + Math.max(r, 0)) % names.size());
                Processes.Result res = Processes.run(work, contenders.get(name));
                if (res.exitCode() != 0) {
                    throw new BenchException(name + " exited " + res.exitCode() + ": "
                            + res.stderr().strip());
                }
                if (r >= 0) {
                    samples.get(name)[r] = res.nanos();
                }
            }
        }
        Map<String, Stats> stats = new LinkedHashMap<>();
        samples.forEach((k, v) -> stats.put(k, new Stats(v)));
        String base = names.get(0);
        List<List<String>> rows = new ArrayList<>();
        for (Map.Entry<String, Stats> e : stats.entrySet()) {
            Stats st = e.getValue();
            rows.add(List.of(e.getKey(), Report.millis(st.median()), Report.millis(st.quantile(0.1)),
                    Report.millis(st.quantile(0.9)), Integer.toString(st.count()),
                    Report.ratio(st.median() / stats.get(base).median())));
        }
        double ratio = stats.get(names.get(1)).median() / stats.get(base).median();
        double launcherOnly = stats.get(names.get(2)).median() / stats.get(base).median();
        report.section("3. Start-up: a cold `show` against the JVM's floor",
                "Wall time from process start to exit, a new JVM each time, interleaved after "
                        + warmup + " warm-up runs each (warm page cache for both).",
                List.of("process", "median ms", "p10 ms", "p90 ms", "n", "vs hello"), rows);

        List<List<String>> rss = new ArrayList<>();
        rss.add(List.of("cold show <= 3x hello-world image", Report.ratio(ratio),
                Report.verdict(ratio <= 3.0)));
        rss.add(List.of("(diagnostic) `--version` against the hello-world image",
                Report.ratio(launcherOnly), "-"));
        if (Processes.canMeasureRss()) {
            long helloKib = medianRss(work, helloCmd, 5);
            long showKib = medianRss(work, showCmd, 5);
            long appendKib = medianRss(work, appendCmd, 5);
            String limit = Integer.toString(Integer.MAX_VALUE);
            long bigAppendKib = medianRss(work, List.of(launcher.toString(), "--root",
                    root.toString(), "append", "--max-rounds", limit, "--keep-rounds", "1",
                    "--max-tokens", limit, "--user", TypicalState.text(13,
                            TypicalState.USER_CHARS), "--assistant", TypicalState.text(14,
                            TypicalState.ASSISTANT_CHARS), BIG), 5);
            long bigShowKib = medianRss(work, List.of(launcher.toString(), "--root",
                    root.toString(), "show", "--json", BIG), 5);
            long bigContextKib = medianRss(work, List.of(launcher.toString(), "--root",
                    root.toString(), "context", BIG), 5);
            rss.add(List.of("peak RSS, hello-world image (reference)", mib(helloKib), "-"));
            rss.add(List.of("launcher peak RSS, `show` of a typical state <= 64 MiB", mib(showKib),
                    Report.verdict(showKib <= 64 * 1024)));
            rss.add(List.of("launcher peak RSS, `append` to a typical state <= 64 MiB",
                    mib(appendKib), Report.verdict(appendKib <= 64 * 1024)));
            rss.add(List.of("launcher peak RSS, `append` to a 4 MB window (not compacted) "
                    + "<= 64 MiB", mib(bigAppendKib), Report.verdict(bigAppendKib <= 64 * 1024)));
            rss.add(List.of("launcher peak RSS, `show --json` of a 4 MB window <= 64 MiB",
                    mib(bigShowKib), Report.verdict(bigShowKib <= 64 * 1024)));
            rss.add(List.of("launcher peak RSS, `context` of a 4 MB window <= 64 MiB",
                    mib(bigContextKib), Report.verdict(bigContextKib <= 64 * 1024)));
        } else {
            rss.add(List.of("launcher peak RSS", "not measured: /usr/bin/time missing "
                    + "(apt-get install time)", "-"));
        }
        report.section("3. Target, and 4a. the launcher's memory",
                "Peak RSS is GNU time's maximum resident set size, median of 5 runs.",
                List.of("target", "figure", "verdict"), rss);
    }

    private static long medianRss(Path work, List<String> command, int runs) {
        long[] kib = new long[runs];
        for (int i = 0; i < runs; i++) {
            kib[i] = Processes.peakRssKib(work, command);
        }
        return (long) new Stats(kib).median();
    }

    private static String mib(long kib) {
        return String.format(java.util.Locale.ROOT, "%.1f MiB", kib / 1024.0);
    }
}
