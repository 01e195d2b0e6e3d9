package dev.palimpsest.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.core.Conversation;
import dev.palimpsest.core.Round;
import dev.palimpsest.engine.CompactionOutcome.Status;
import dev.palimpsest.engine.summarizer.ExtractiveSummarizer;
import dev.palimpsest.persist.ConversationStore;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A summarizer that blocks until released while other threads keep appending: no append waits for
 * it, and the rounds appended meanwhile survive its commit.
 */
class BlockingSummarizerTest {
    private static final String ID = "slow-model";
    private static final CompactionPolicy POLICY = new CompactionPolicy(6, 3, 1_000_000);

    @Test
    void appendsThroughTheSameEngineDoNotWaitForARunningCompaction() throws Exception {
        InMemoryConversationStore store = new InMemoryConversationStore();
        BlockingSummarizer blocking = new BlockingSummarizer();
        ConversationEngine engine = ConversationEngine.builder(store).policy(POLICY)
                .summarizer(blocking).build();
        runWhileBlocked(store, engine, engine, blocking, Status.IN_PROGRESS);
    }

    @Test
    void appendsThroughAnotherEngineDoNotWaitForARunningCompaction() throws Exception {
        InMemoryConversationStore store = new InMemoryConversationStore();
        BlockingSummarizer blocking = new BlockingSummarizer();
        ConversationEngine engine = ConversationEngine.builder(store).policy(POLICY)
                .summarizer(blocking).build();
        // Another process's engine that only appends (its policy never asks for a compaction).
        ConversationEngine other = ConversationEngine.builder(store)
                .policy(new CompactionPolicy(10_000, 3, Long.MAX_VALUE)).build();
        runWhileBlocked(store, engine, other, blocking, Status.NOT_NEEDED);
    }

    /**
     * Appends until {@code engine}'s summarizer blocks in a background thread, appends 20 more
     * rounds through {@code appender} (each of which must return while the summarizer is still
     * blocked), then releases it and checks that its commit kept every round.
     */
    static void runWhileBlocked(ConversationStore store, ConversationEngine engine,
                                ConversationEngine appender, BlockingSummarizer blocking,
                                Status expectedWhileBlocked) throws Exception {
        for (long seq = 1; seq <= 6; seq++) {
            engine.append(ID, "u" + seq, "a" + seq);
        }
        CompletableFuture<AppendResult> compacting =
                CompletableFuture.supplyAsync(() -> engine.append(ID, "u7", "a7"));
        assertTrue(blocking.entered.await(60, TimeUnit.SECONDS), "the summarizer was called");
        for (long seq = 8; seq <= 27; seq++) {
            AppendResult meanwhile = appender.append(ID, "u" + seq, "a" + seq);
            assertEquals(seq, meanwhile.round().seq());
            assertEquals(expectedWhileBlocked, meanwhile.compaction().status());
        }
        assertEquals(1, blocking.release.getCount(), "every append returned while it blocked");
        blocking.release.countDown();
        AppendResult committed = compacting.get(60, TimeUnit.SECONDS);
        assertEquals(CompactionOutcome.committed(4), committed.compaction());

        Conversation state = store.load(ID);
        assertEquals(27, state.counters().roundsTotal());
        assertEquals(4, state.counters().compactedRounds());
        assertEquals(23, state.recentRounds().size(), "rounds appended meanwhile are kept");
        List<Round> transcript = ConversationEngine.builder(store).build().transcript(ID);
        assertEquals(27, transcript.size());
        for (int i = 0; i < transcript.size(); i++) {
            assertEquals("u" + (i + 1), transcript.get(i).user());
        }
    }

    /** Blocks every call until released, then summarizes extractively. */
    static final class BlockingSummarizer implements Summarizer {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        private final Summarizer working = ExtractiveSummarizer.withDefaultBudget();

        @Override
        public String summarize(SummaryRequest request) {
            entered.countDown();
            try {
                if (!release.await(100, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SummarizerException(request.convId(), "interrupted", e);
            }
            return working.summarize(request);
        }
    }
}
