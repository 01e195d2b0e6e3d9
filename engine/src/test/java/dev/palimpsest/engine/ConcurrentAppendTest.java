package dev.palimpsest.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.model.Counters;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.store.AppendResult;
import dev.palimpsest.store.ConversationStore;
import dev.palimpsest.store.Expectation;
import dev.palimpsest.testkit.Seeds;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Threads appending whole rounds through one engine (or several on one store) while compactions
 * run, in the appending threads or on an executor: every acknowledged round is in the log once,
 * whole and in its writer's order, the seqs are dense, a retried append stores nothing twice, and
 * the counters agree with the log.
 */
class ConcurrentAppendTest {
    private static final int THREADS = 4;
    private static final int APPENDS = 120;

    @TempDir
    Path dir;

    @ParameterizedTest
    @MethodSource("dev.palimpsest.engine.Backends#all")
    void threadsAppendingToOneConversationLoseAndDuplicateNothing(Backends backend)
            throws Exception {
        try (ConversationStore store = backend.open(dir);
             ConversationEngine engine = ConversationEngine.builder(store)
                     .policy(new CompactionPolicy(8, 4, 1_000_000))
                     .summarizer(ExtractiveSummarizer.withBudget(400)).build()) {
            Map<String, Integer> acked = runAppenders(thread -> engine, thread -> "c");
            WrittenRounds.assertWhole(store, "c", acked, 0);
            assertCompacted(store, "c");
        }
    }

    @ParameterizedTest
    @MethodSource("dev.palimpsest.engine.Backends#all")
    void threadsAppendingToSeveralConversationsWhileAnExecutorCompactsLoseNothing(
            Backends backend) throws Exception {
        ExecutorService compactions = Executors.newFixedThreadPool(2);
        List<String> ids = List.of("a", "b", "c");
        try (ConversationStore store = backend.open(dir)) {
            Map<String, Integer> acked;
            try (ConversationEngine engine = ConversationEngine.builder(store)
                    .policy(new CompactionPolicy(6, 2, 1_000_000))
                    .summarizer(ExtractiveSummarizer.withBudget(400))
                    .executor(compactions).build()) {
                acked = runAppenders(thread -> engine, thread -> ids.get(thread % ids.size()));
            } // close() waits for the compactions in flight
            for (String id : ids) {
                Map<String, Integer> mine = new TreeMap<>();
                acked.forEach((writer, n) -> {
                    if (writer.startsWith(id + ".")) {
                        mine.put(writer, n);
                    }
                });
                WrittenRounds.assertWhole(store, id, mine, 0);
                assertCompacted(store, id);
            }
        } finally {
            compactions.shutdownNow();
        }
    }

    @ParameterizedTest
    @MethodSource("dev.palimpsest.engine.Backends#all")
    void enginesSharingAStoreWhileOthersCompactLoseNothing(Backends backend) throws Exception {
        ExecutorService compactions = Executors.newFixedThreadPool(2);
        try (ConversationStore store = backend.open(dir)) {
            List<ConversationEngine> engines = new ArrayList<>();
            Map<String, Integer> acked;
            try {
                for (int i = 0; i < THREADS; i++) {
                    ConversationEngine.Builder builder = ConversationEngine.builder(store)
                            .policy(new CompactionPolicy(6, 2, 1_000_000))
                            .summarizer(ExtractiveSummarizer.withBudget(400));
                    engines.add(i % 2 == 0 ? builder.build()
                            : builder.executor(compactions).build());
                }
                acked = runAppenders(engines::get, thread -> "shared");
            } finally {
                engines.forEach(ConversationEngine::close);
            }
            WrittenRounds.assertWhole(store, "shared", acked, 0);
            assertCompacted(store, "shared");
        } finally {
            compactions.shutdownNow();
        }
    }

    private static void assertCompacted(ConversationStore store, String convId) {
        Counters c = store.load(convId).orElseThrow().counters();
        assertTrue(c.compactions() > 0, "compactions ran in '" + convId + "': " + c);
        assertEquals(0, c.compactionFailures(), c.toString());
    }

    /**
     * Runs {@link #THREADS} threads of {@link #APPENDS} rounds each, thread t through
     * {@code engineOf(t)} into {@code convOf(t)} as writer {@code <conv>.t<t>}; now and then a
     * thread sends its last round again, as a caller would that never saw the answer, and the
     * retry must store nothing.
     *
     * @return per writer, how many appends returned
     */
    private static Map<String, Integer> runAppenders(IntFunction<ConversationEngine> engineOf,
                                                     IntFunction<String> convOf)
            throws Exception {
        Map<String, Integer> acked = new TreeMap<>();
        Seeds.run("concurrent appends", random -> {
            long[] seeds = random.longs(THREADS).toArray();
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                List<Future<Integer>> results = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    int thread = t;
                    results.add(pool.submit(() -> append(engineOf.apply(thread),
                            convOf.apply(thread), convOf.apply(thread) + ".t" + thread,
                            new Random(seeds[thread]))));
                }
                for (int t = 0; t < THREADS; t++) {
                    acked.put(convOf.apply(t) + ".t" + t, results.get(t).get(100,
                            TimeUnit.SECONDS));
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            } finally {
                pool.shutdownNow();
            }
        });
        return acked;
    }

    private static int append(ConversationEngine engine, String convId, String writer,
                              Random random) {
        long lastSeq = 0;
        for (int i = 0; i < APPENDS; i++) {
            AppendOutcome outcome = engine.append(convId, WrittenRounds.round(writer, i),
                    Expectation.none());
            List<StoredMessage> stored = outcome.appended().messages();
            assertTrue(stored.get(0).seq() > lastSeq, writer + "'s rounds are numbered in order");
            lastSeq = stored.get(0).seq();
            if (random.nextInt(8) == 0) {
                AppendResult retry = engine.append(convId, WrittenRounds.round(writer, i),
                        Expectation.none()).appended();
                assertTrue(retry.retried(), writer + " " + i + " retried");
                assertEquals(stored, retry.messages(), "a retry returns the stored messages");
            }
        }
        return APPENDS;
    }
}
