package dev.palimpsest.bench;

import dev.palimpsest.engine.CompactionPolicy;
import dev.palimpsest.engine.ConversationEngine;
import dev.palimpsest.engine.PromptContext;
import dev.palimpsest.engine.Summarizer;
import dev.palimpsest.engine.prompt.OpenAiMessage;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.Round;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.model.ToolCall;
import dev.palimpsest.recall.lucene.LuceneRecall;
import dev.palimpsest.store.ConversationStore;
import dev.palimpsest.store.Expectation;
import dev.palimpsest.store.RecallQuery;
import dev.palimpsest.store.file.FileConversationStore;
import dev.palimpsest.store.memory.InMemoryConversationStore;
import dev.palimpsest.summarizer.openai.OpenAiSummarizer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Figure 7, memory fidelity: what of a long dialogue's planted facts reaches the model, with a
 * question ({@code context(id, question, budget)}, recall on) and without one (the compressed
 * context and the recent rounds), next to the baseline a message-window memory gives (the last
 * rounds verbatim, at the same token budget); and what recall costs at the largest size. See
 * {@link MemoryDialogues} for the dialogues and docs/memory.md for the figures.
 *
 * <p>The scorer looks for each fact's exact value string in the text the model would receive
 * (every message's content and tool-call arguments of the OpenAI rendering); no model is needed
 * to score. A changed fact counts only with its newest value; a superseded value next to the
 * newest one counts as an error of the context without a question.
 */
final class MemoryBenchmark {
    private static final String CONV = "memory";

    private MemoryBenchmark() {
    }

    /** Where the summaries come from: the offline default, or an OpenAI-compatible endpoint. */
    record Endpoint(Optional<URI> url, Optional<String> model) {
        static Endpoint parse(List<String> args) {
            URI url = null;
            String model = null;
            for (int i = 0; i < args.size(); i++) {
                if (args.get(i).equals("--endpoint") && i + 1 < args.size()) {
                    url = URI.create(args.get(++i));
                } else if (args.get(i).equals("--model") && i + 1 < args.size()) {
                    model = args.get(++i);
                }
            }
            if ((url == null) != (model == null)) {
                throw new BenchException("give --endpoint URL and --model M together");
            }
            return new Endpoint(Optional.ofNullable(url), Optional.ofNullable(model));
        }

        Optional<Summarizer> summarizer() {
            return url.map(u -> OpenAiSummarizer.builder().baseUrl(u).model(model.orElseThrow())
                    .allowPlainHttp(true).build());
        }

        String describe() {
            return url.map(u -> "OpenAiSummarizer, model " + model.orElseThrow() + " at " + u)
                    .orElse("ExtractiveSummarizer (the offline default, 6,000 chars)");
        }
    }

    /** Tallies of one bucket: facts, and how many were found. */
    private static final class Tally {
        int facts;
        int withQuestion;
        int olderThanWindow;
        int keptWithout;
        int keptBaseline;
    }

    static void run(Settings settings, Report report, List<String> args) throws Exception {
        Endpoint endpoint = Endpoint.parse(args);
        int seeds = settings.pick(2, 5);
        List<Integer> sizes = settings.full() ? List.of(200, 1_000, 100_000)
                : List.of(200, 1_000, 10_000);
        List<List<String>> withRows = new ArrayList<>();
        List<List<String>> withoutRows = new ArrayList<>();
        for (int size : sizes) {
            Map<String, Tally> tallies = new LinkedHashMap<>();
            int superseded = 0;
            int supersededPrompt = 0;
            int supersededBaseline = 0;
            int changedStated = 0;
            long appendNanos = 0;
            for (int seed = 1; seed <= seeds; seed++) {
                MemoryDialogues dialogue = new MemoryDialogues(seed, size);
                Path dir = Files.createDirectories(settings.workDir().resolve("memory-" + size
                        + "-" + seed));
                try (InMemoryConversationStore store = new InMemoryConversationStore();
                     LuceneRecall recall = LuceneRecall.open(dir.resolve("recall"), store)) {
                    ConversationEngine.Builder builder = ConversationEngine.builder(store)
                            .recall(recall);
                    endpoint.summarizer().ifPresent(builder::summarizer);
                    try (ConversationEngine engine = builder.build()) {
                        long start = System.nanoTime();
                        for (long r = 1; r <= size; r++) {
                            engine.append(CONV, dialogue.round(r), Expectation.none());
                        }
                        appendNanos += System.nanoTime() - start;
                        long budget = engine.policy().maxTokens();
                        PromptContext plain = engine.context(CONV);
                        String without = text(plain);
                        String summary = plain.compressedContext();
                        long windowTokens = tokens(plain, engine);
                        String baseline = lastRoundsVerbatim(store, size, windowTokens);
                        int window = plain.recentRounds().size();
                        for (MemoryDialogues.Fact fact : dialogue.facts()) {
                            Tally t = tallies.computeIfAbsent(fact.bucket().name(),
                                    b -> new Tally());
                            t.facts++;
                            String value = fact.newest().value();
                            String asked = text(engine.context(CONV, fact.question(), budget));
                            if (asked.contains(value)) {
                                t.withQuestion++;
                            }
                            long depth = size - fact.newest().round() + 1;
                            if (depth > window) {
                                t.olderThanWindow++;
                                if (without.contains(value)) {
                                    t.keptWithout++;
                                }
                                if (baseline.contains(value)) {
                                    t.keptBaseline++;
                                }
                            }
                            if (fact.changed()) {
                                String old = fact.statements().get(0).value();
                                if (without.contains(value)) {
                                    changedStated++;
                                    if (summary.contains(old)) {
                                        superseded++;
                                    }
                                    if (without.contains(old)) {
                                        supersededPrompt++;
                                    }
                                }
                                if (baseline.contains(value) && baseline.contains(old)) {
                                    supersededBaseline++;
                                }
                            }
                        }
                    }
                } finally {
                    Dirs.delete(dir);
                }
            }
            int facts = 0;
            int older = 0;
            int kept = 0;
            int keptBase = 0;
            for (Map.Entry<String, Tally> e : tallies.entrySet()) {
                Tally t = e.getValue();
                facts += t.facts;
                older += t.olderThanWindow;
                kept += t.keptWithout;
                keptBase += t.keptBaseline;
                withRows.add(List.of(String.format(Locale.ROOT, "%,d", size), e.getKey(),
                        Integer.toString(t.facts), share(t.withQuestion, t.facts),
                        Report.verdict(t.withQuestion * 100 >= 95 * t.facts)));
            }
            double ours = older == 0 ? 0 : (double) kept / older;
            double base = older == 0 ? 0 : (double) keptBase / older;
            boolean meets = ours >= Math.max(2 * base, base + 0.20) && superseded == 0;
            withoutRows.add(List.of(String.format(Locale.ROOT, "%,d", size),
                    Integer.toString(facts), Integer.toString(older), share(kept, older),
                    share(keptBase, older), superseded + " of " + changedStated,
                    supersededPrompt + " / " + supersededBaseline,
                    String.format(Locale.ROOT, "%.1f s", appendNanos / 1e9 / seeds),
                    Report.verdict(meets)));
        }
        String summarizer = endpoint.describe();
        report.section("7a. Memory: facts in the context for a question",
                "Planted facts (" + MemoryDialogues.FACTS_PER_BUCKET + " per depth bucket and "
                        + "seed, " + seeds + " seeds; a quarter changed once, counted only with "
                        + "the newest value) found by their exact value in `context(id, "
                        + "question, budget)` at the policy's default budget ("
                        + CompactionPolicy.DEFAULT.maxTokens() + " estimated tokens), with "
                        + "LuceneRecall; default policy, " + summarizer + ". Target: at least "
                        + "95 % in every bucket.",
                List.of("rounds", "depth bucket (rounds back)", "facts", "found", "target"),
                withRows);
        report.section("7b. Memory: facts kept without a question, against the last rounds "
                        + "verbatim",
                "The compressed context and the recent rounds (`context(id)`), against a "
                        + "message-window memory holding the last rounds verbatim within the "
                        + "same estimated tokens, on the facts older than the recent window. "
                        + "Target: at least the larger of 2x the baseline and the baseline + 20 "
                        + "points, and no superseded value in the summary (the compressed context"
                        + " as shown) where the newest was stated; a superseded value anywhere in"
                        + " the prompt includes the recent rounds verbatim, where both statements "
                        + "of a fact that changed within the window are the dialogue itself "
                        + "(shown for ours and the baseline, not a target). The append column"
                        + " is the time to append the whole dialogue (in memory, with indexing "
                        + "and compaction), per seed.",
                List.of("rounds", "facts", "older than the window", "kept (ours)",
                        "kept (last rounds verbatim)", "superseded in the summary",
                        "superseded anywhere: ours / baseline", "append all", "target"),
                withoutRows);
        costs(settings, report);
        onPostgres(settings, report);
    }

    /**
     * Figure 7d: the facts found for a question with recall from PostgreSQL's text search
     * ({@code ts_rank}, not BM25) against LuceneRecall (BM25) in the same run, on the same
     * dialogues; and the search and context latency of each at the largest size.
     */
    static void onPostgres(Settings settings, Report report) throws Exception {
        int seeds = settings.pick(2, 3);
        List<Integer> sizes = List.of(200, 1_000, settings.pick(2_000, 10_000));
        List<List<String>> rows = new ArrayList<>();
        List<List<String>> latency = new ArrayList<>();
        try (dev.palimpsest.testkit.PostgresServer server =
                     dev.palimpsest.testkit.PostgresServer.start()) {
            java.util.Properties login = new java.util.Properties();
            login.setProperty("user", dev.palimpsest.testkit.PostgresServer.USER);
            login.setProperty("password", server.password());
            for (int size : sizes) {
                Map<String, int[]> found = new LinkedHashMap<>();
                List<Long> pgContext = new ArrayList<>();
                List<Long> luceneContext = new ArrayList<>();
                List<Long> pgSearch = new ArrayList<>();
                List<Long> luceneSearch = new ArrayList<>();
                for (int seed = 1; seed <= seeds; seed++) {
                    MemoryDialogues dialogue = new MemoryDialogues(seed, size);
                    Path dir = Files.createDirectories(settings.workDir().resolve("memory-pg-"
                            + size + "-" + seed));
                    try (dev.palimpsest.store.postgres.PostgresConversationStore pg =
                                 dev.palimpsest.store.postgres.PostgresConversationStore.open(
                                         server.jdbcUrl(), login,
                                         dev.palimpsest.store.postgres.PostgresStoreOptions
                                                 .DEFAULTS.withSchema("m" + size + "_" + seed)
                                                 .withMigrateOnOpen(true));
                         dev.palimpsest.store.postgres.PostgresRecall pgRecall =
                                 dev.palimpsest.store.postgres.PostgresRecall.of(pg);
                         ConversationEngine onPg = ConversationEngine.builder(pg)
                                 .recall(pgRecall).build();
                         InMemoryConversationStore memory = new InMemoryConversationStore();
                         LuceneRecall lucene = LuceneRecall.open(dir.resolve("recall"), memory);
                         ConversationEngine onLucene = ConversationEngine.builder(memory)
                                 .recall(lucene).build()) {
                        for (long r = 1; r <= size; r++) {
                            List<Message> round = dialogue.round(r);
                            onPg.append(CONV, round, Expectation.none());
                            onLucene.append(CONV, round, Expectation.none());
                        }
                        long budget = onPg.policy().maxTokens();
                        for (MemoryDialogues.Fact fact : dialogue.facts()) {
                            int[] tally = found.computeIfAbsent(fact.bucket().name(),
                                    b -> new int[3]);
                            tally[0]++;
                            String value = fact.newest().value();
                            long t0 = System.nanoTime();
                            String viaPg = text(onPg.context(CONV, fact.question(), budget));
                            long t1 = System.nanoTime();
                            String viaLucene = text(onLucene.context(CONV, fact.question(),
                                    budget));
                            long t2 = System.nanoTime();
                            pgRecall.search(RecallQuery.in(CONV, fact.question(), 24));
                            long t3 = System.nanoTime();
                            lucene.search(RecallQuery.in(CONV, fact.question(), 24));
                            long t4 = System.nanoTime();
                            pgContext.add(t1 - t0);
                            luceneContext.add(t2 - t1);
                            pgSearch.add(t3 - t2);
                            luceneSearch.add(t4 - t3);
                            if (viaPg.contains(value)) {
                                tally[1]++;
                            }
                            if (viaLucene.contains(value)) {
                                tally[2]++;
                            }
                        }
                    } finally {
                        Dirs.delete(dir);
                    }
                }
                for (Map.Entry<String, int[]> e : found.entrySet()) {
                    int[] t = e.getValue();
                    rows.add(List.of(String.format(Locale.ROOT, "%,d", size), e.getKey(),
                            Integer.toString(t[0]), share(t[1], t[0]), share(t[2], t[0]),
                            Report.verdict(t[1] * 100 >= 95 * t[0])));
                }
                latency.add(List.of(String.format(Locale.ROOT, "%,d", size),
                        Report.millis(stats(pgSearch).median()),
                        Report.millis(stats(luceneSearch).median()),
                        Report.millis(stats(pgContext).median()),
                        Report.millis(stats(pgContext).quantile(0.99)),
                        Report.millis(stats(luceneContext).median())));
            }
        }
        report.section("7d. Memory on PostgreSQL: facts in the context for a question",
                "The dialogues of 7a (" + seeds + " seeds), appended through two engines in the"
                        + " same run: one on the PostgreSQL store with PostgresRecall (the"
                        + " database's tsvector and ts_rank, which is not BM25), one on the"
                        + " in-memory store with LuceneRecall (BM25). Found: the newest value in"
                        + " `context(id, question, budget)` at the default budget. Target: at"
                        + " least 95 % in every bucket.",
                List.of("rounds", "depth bucket (rounds back)", "facts", "found (PostgreSQL)",
                        "found (Lucene, same dialogues)", "target"), rows);
        report.section("7d. Memory on PostgreSQL: latency",
                "Medians over every fact's question (and p99 of the context on PostgreSQL);"
                        + " the server on loopback, started by the benchmark with its defaults.",
                List.of("rounds", "search PostgreSQL ms", "search Lucene ms",
                        "context PostgreSQL ms", "context PostgreSQL p99 ms",
                        "context Lucene ms"), latency);
    }

    private static Stats stats(List<Long> samples) {
        return new Stats(samples.stream().mapToLong(Long::longValue).toArray());
    }

    private static String share(int part, int whole) {
        return whole == 0 ? "-" : String.format(Locale.ROOT, "%.1f %% (%d)",
                100.0 * part / whole, part);
    }

    /** {@return what the model receives, as one text: contents and tool-call arguments} */
    static String text(PromptContext context) {
        StringBuilder out = new StringBuilder();
        for (OpenAiMessage m : context.messages()) {
            m.content().ifPresent(c -> out.append(c).append('\n'));
            for (ToolCall call : m.toolCalls()) {
                out.append(call.arguments()).append('\n');
            }
        }
        return out.toString();
    }

    private static long tokens(PromptContext context, ConversationEngine engine) {
        long tokens = context.compressedContext().isEmpty() ? 0
                : engine.tokens(Message.system(context.compressedContext()));
        for (Round r : context.recentRounds()) {
            for (StoredMessage m : r.messages()) {
                tokens += m.tokens();
            }
        }
        return tokens;
    }

    /** The baseline: the newest rounds, whole, while they fit in {@code budget} tokens. */
    private static String lastRoundsVerbatim(ConversationStore store, long rounds, long budget) {
        List<Round> kept = new ArrayList<>();
        long used = 0;
        for (long r = rounds; r >= 1; r--) {
            Round round = store.rounds(CONV, r, 1).get(0);
            long cost = 0;
            for (StoredMessage m : round.messages()) {
                cost += m.tokens();
            }
            if (used + cost > budget) {
                break;
            }
            used += cost;
            kept.add(0, round);
        }
        return text(new PromptContext(CONV, Optional.empty(), "", kept));
    }

    /**
     * Figure 7c: search and context latency at the largest size, on the file store, and what
     * telling the recall of each append adds to an append, against the same engine without one.
     */
    private static void costs(Settings settings, Report report) throws Exception {
        int size = settings.pick(10_000, 100_000);
        MemoryDialogues dialogue = new MemoryDialogues(1, size);
        Path dir = Files.createDirectories(settings.workDir().resolve("memory-cost"));
        List<List<String>> rows = new ArrayList<>();
        try (FileConversationStore store = FileConversationStore.open(
                Files.createDirectories(dir.resolve("root")));
             LuceneRecall recall = LuceneRecall.open(dir.resolve("recall"), store);
             ConversationEngine engine = ConversationEngine.builder(store).recall(recall)
                     .build()) {
            long start = System.nanoTime();
            for (long r = 1; r <= size; r++) {
                engine.append(CONV, dialogue.round(r), Expectation.none());
            }
            double buildSeconds = (System.nanoTime() - start) / 1e9;
            long budget = engine.policy().maxTokens();
            // Warm up once, as a long-running agent would be.
            for (MemoryDialogues.Fact f : dialogue.facts().subList(0, 10)) {
                engine.context(CONV, f.question(), budget);
            }
            List<Long> search = new ArrayList<>();
            List<Long> context = new ArrayList<>();
            for (int pass = 0; pass < 3; pass++) {
                for (MemoryDialogues.Fact f : dialogue.facts()) {
                    long t0 = System.nanoTime();
                    recall.search(RecallQuery.in(CONV, f.question(), 24));
                    long t1 = System.nanoTime();
                    engine.context(CONV, f.question(), budget);
                    long t2 = System.nanoTime();
                    search.add(t1 - t0);
                    context.add(t2 - t1);
                }
            }
            Stats s = stats(search);
            Stats c = stats(context);
            rows.add(List.of(String.format(Locale.ROOT, "search in one conversation of %,d "
                    + "rounds", size), Report.millis(s.median()), Report.millis(s.quantile(0.9)),
                    Report.millis(s.quantile(0.99)), Integer.toString(search.size()),
                    Report.verdict(s.median() < 50e6)));
            rows.add(List.of(String.format(Locale.ROOT, "context(id, question, %,d) of %,d "
                    + "rounds", budget, size), Report.millis(c.median()),
                    Report.millis(c.quantile(0.9)), Report.millis(c.quantile(0.99)),
                    Integer.toString(context.size()), Report.verdict(c.median() < 50e6)));
            rows.add(List.of(String.format(Locale.ROOT, "(building it: %,d appends with "
                    + "indexing and compaction)", size), String.format(Locale.ROOT, "%.1f s "
                    + "total", buildSeconds), "-", "-", "1", "-"));
        } finally {
            Dirs.delete(dir);
        }
        rows.addAll(appendOverhead(settings));
        report.section("7c. Memory: what recall costs",
                "In-process, on the file store (durable appends), LuceneRecall in a directory "
                        + "beside it; latencies over three passes of every question of one "
                        + "seed. The append rows interleave two engines on two roots, one with "
                        + "the recall and one without (the fairest baseline: the same engine and "
                        + "store, not indexing), one 4-message round per append. Targets: "
                        + "search and context under 50 ms; indexing adds under 10 % to an append.",
                List.of("what", "median", "p90", "p99", "n", "target"), rows);
    }

    private static List<List<String>> appendOverhead(Settings settings) throws Exception {
        int rounds = settings.pick(500, 3_000);
        MemoryDialogues dialogue = new MemoryDialogues(2, Math.max(rounds, 40));
        Path dir = Files.createDirectories(settings.workDir().resolve("memory-append"));
        List<Long> with = new ArrayList<>();
        List<Long> without = new ArrayList<>();
        try (FileConversationStore indexed = FileConversationStore.open(
                Files.createDirectories(dir.resolve("indexed")));
             FileConversationStore plain = FileConversationStore.open(
                     Files.createDirectories(dir.resolve("plain")));
             LuceneRecall recall = LuceneRecall.open(dir.resolve("recall"), indexed);
             ConversationEngine a = ConversationEngine.builder(indexed).recall(recall)
                     .policy(CompactionPolicy.never(1)).build();
             ConversationEngine b = ConversationEngine.builder(plain)
                     .policy(CompactionPolicy.never(1)).build()) {
            for (long r = 1; r <= rounds; r++) {
                List<Message> round = dialogue.round(r);
                boolean first = r % 2 == 0;
                for (int k = 0; k < 2; k++) {
                    boolean useA = (k == 0) == first;
                    long t0 = System.nanoTime();
                    (useA ? a : b).append(CONV, round, Expectation.none());
                    long t = System.nanoTime() - t0;
                    (useA ? with : without).add(t);
                }
            }
        } finally {
            Dirs.delete(dir);
        }
        Stats w = stats(with);
        Stats o = stats(without);
        double medianRatio = w.median() / o.median();
        double meanRatio = w.mean() / o.mean();
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("append of a round, engine with recall", Report.micros(w.median()),
                Report.micros(w.quantile(0.9)), Report.micros(w.quantile(0.99)),
                Integer.toString(with.size()), String.format(Locale.ROOT,
                        "%s median, %s mean vs without", Report.ratio(medianRatio),
                        Report.ratio(meanRatio))));
        rows.add(List.of("append of a round, same engine without recall (baseline)",
                Report.micros(o.median()), Report.micros(o.quantile(0.9)),
                Report.micros(o.quantile(0.99)), Integer.toString(without.size()),
                Report.verdict(medianRatio < 1.10)));
        return rows;
    }
}
