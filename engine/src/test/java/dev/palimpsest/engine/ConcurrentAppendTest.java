package dev.palimpsest.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.core.Conversation;
import dev.palimpsest.core.Round;
import dev.palimpsest.persist.ConversationStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Threads appending to one conversation through one or several engines on one store. */
class ConcurrentAppendTest {
    private static final int THREADS = 4;
    private static final int APPENDS = 150;
    private static final String ID = "shared";

    @Test
    void threadsAppendingToOneConversationLoseAndDuplicateNothing() throws Exception {
        InMemoryConversationStore store = new InMemoryConversationStore();
        ConversationEngine engine = ConversationEngine.builder(store)
                .policy(new CompactionPolicy(8, 4, 1_000_000)).clock(new TickingClock()).build();
        runAppenders(store, List.of(engine), ID, THREADS, APPENDS);
        // Compaction runs in the appending threads, so none is in flight once they are done.
        assertTranscriptWhole(store, ID, THREADS, APPENDS, true);
        List<Round> transcript = engine.transcript(ID);
        for (int i = 1; i < transcript.size(); i++) {
            assertTrue(transcript.get(i).createdAt().isAfter(transcript.get(i - 1).createdAt()),
                    "rounds are stamped in sequence order, at " + transcript.get(i).seq());
        }
    }

    @Test
    void enginesThatCompactOnAnExecutorWhileOthersAppendLoseNothing() throws Exception {
        InMemoryConversationStore store = new InMemoryConversationStore();
        ExecutorService compactions = Executors.newFixedThreadPool(2);
        try {
            List<ConversationEngine> engines = new ArrayList<>();
            for (int i = 0; i < THREADS; i++) {
                engines.add(ConversationEngine.builder(store)
                        .policy(new CompactionPolicy(6, 2, 1_000_000))
                        .executor(compactions).build());
            }
            runAppenders(store, engines, ID, THREADS, APPENDS);
        } finally {
            compactions.shutdown();
            assertTrue(compactions.awaitTermination(60, TimeUnit.SECONDS));
        }
        // The queued compactions ran after the appenders; the transcript is still whole, and
        // with no compaction in flight every archived round is counted as compacted.
        assertTranscriptWhole(store, ID, THREADS, APPENDS, true);
    }

    /**
     * Appends {@code appends} rounds from each of {@code threads} threads, thread i using engine
     * i modulo their count, then checks the transcript.
     */
    static void runAppenders(ConversationStore store, List<ConversationEngine> engines, String id,
                             int threads, int appends) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<Long>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                ConversationEngine engine = engines.get(t % engines.size());
                results.add(pool.submit(() -> {
                    List<Long> seqs = new ArrayList<>();
                    for (int i = 0; i < appends; i++) {
                        seqs.add(engine.append(id, "t" + thread + "-" + i, "ok").round().seq());
                    }
                    return seqs;
                }));
            }
            for (Future<List<Long>> result : results) {
                List<Long> seqs = result.get(100, TimeUnit.SECONDS);
                for (int i = 1; i < seqs.size(); i++) {
                    assertTrue(seqs.get(i) > seqs.get(i - 1), "one thread's rounds stay in order");
                }
            }
        } finally {
            pool.shutdownNow();
        }
        // Compactions handed to an executor may still be running: one of them may have
        // archived its rounds without having committed the state that drops them yet.
        assertTranscriptWhole(store, id, threads, appends, false);
    }

    /**
     * Checks that each thread's rounds are in the transcript once, in order, contiguously, and
     * that the archive holds every compacted round; when {@code quiescent} (no compaction in
     * flight), it holds exactly those, otherwise it may also hold the rounds of a compaction
     * that archived them and has not yet committed (never a round that was not appended).
     */
    static void assertTranscriptWhole(ConversationStore store, String id, int threads,
                                      int appends, boolean quiescent) {
        ConversationEngine reader = ConversationEngine.builder(store).build();
        List<Round> transcript = reader.transcript(id);
        assertEquals(threads * appends, transcript.size());
        Map<String, Long> seen = new HashMap<>();
        int[] next = new int[threads];
        for (int i = 0; i < transcript.size(); i++) {
            Round round = transcript.get(i);
            assertEquals(i + 1, round.seq(), "contiguous");
            assertEquals(null, seen.put(round.user(), round.seq()), "duplicate " + round.user());
            String[] parts = round.user().substring(1).split("-");
            int thread = Integer.parseInt(parts[0]);
            assertEquals(next[thread]++, Integer.parseInt(parts[1]), "order of thread " + thread);
        }
        Conversation state = store.load(id);
        assertEquals(threads * appends, state.counters().roundsTotal());
        try (var archived = store.archive(id)) {
            List<Long> seqs = archived.map(Round::seq).distinct().sorted().toList();
            if (quiescent) {
                assertEquals(state.counters().compactedRounds(), seqs.size());
            } else {
                assertTrue(seqs.size() >= state.counters().compactedRounds(),
                        seqs.size() + " archived, " + state.counters().compactedRounds()
                                + " compacted");
            }
            for (int i = 0; i < seqs.size(); i++) {
                assertEquals(i + 1, seqs.get(i), "the archive is contiguous from 1");
            }
        }
    }
}
