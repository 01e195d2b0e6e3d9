package dev.palimpsest.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.engine.CompactionOutcome.Status;
import dev.palimpsest.model.ConversationState;
import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.store.ConversationStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A summarizer that blocks, and one that ignores interrupts: appends never wait for a running
 * compaction, the summarizer timeout bounds a compaction and counts it as a failure of kind
 * {@code SUMMARIZER}, a late summary is never committed, and {@code close()} returns within its
 * timeout (plus the cancel grace) however stubborn the summarizer.
 */
class BlockingSummarizerTest {
    private static final String ID = "slow-model";
    private static final CompactionPolicy SIX_KEEP_THREE = new CompactionPolicy(6, 3, 1_000_000);
    /** Far below the summarizer timeouts of the tests that must not hit them. */
    private static final long PROMPT_NANOS = TimeUnit.SECONDS.toNanos(5);

    @TempDir
    Path dir;

    private final StubbornSummarizer stubborn = new StubbornSummarizer();

    @AfterEach
    void releaseTheAbandonedSummarizerThread() {
        stubborn.release.countDown();
    }

    @ParameterizedTest
    @MethodSource("dev.palimpsest.engine.Backends#all")
    void appendsThroughTheSameEngineDoNotWaitForARunningCompaction(Backends backend)
            throws Exception {
        try (ConversationStore store = backend.open(dir);
             ConversationEngine engine = ConversationEngine.builder(store).policy(SIX_KEEP_THREE)
                     .summarizer(stubborn).summarizerTimeout(Duration.ofSeconds(20)).build()) {
            CompletableFuture<AppendOutcome> compacting = blockACompaction(engine);
            for (int i = 8; i <= 27; i++) {
                long start = System.nanoTime();
                AppendOutcome meanwhile = engine.appendRound(ID, "u" + i, "a" + i);
                assertTrue(System.nanoTime() - start < PROMPT_NANOS, "append " + i + " waited");
                assertEquals(2 * i - 1, meanwhile.appended().messages().get(0).seq());
                assertFalse(meanwhile.compaction().isDone(),
                        "append " + i + " joined the running compaction");
            }
            assertEquals(1, stubborn.release.getCount(), "every append returned while it blocked");
            stubborn.release.countDown();
            AppendOutcome committed = compacting.get(60, TimeUnit.SECONDS);
            assertEquals(CompactionOutcome.committed(4), committed.compaction().outcome()
                    .orElseThrow());

            ConversationState state = engine.state(ID).orElseThrow();
            assertEquals(27, state.counters().roundsTotal());
            assertEquals(4, state.counters().compactedRounds());
            assertEquals(23, state.recentRounds().size(), "rounds appended meanwhile are kept");
            assertInOrder(engine, 27);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.palimpsest.engine.Backends#all")
    void anotherEngineAppendsAndCompactsMeanwhileAndTheBlockedSummaryIsDropped(Backends backend)
            throws Exception {
        try (ConversationStore store = backend.open(dir);
             ConversationEngine engine = ConversationEngine.builder(store).policy(SIX_KEEP_THREE)
                     .summarizer(stubborn).summarizerTimeout(Duration.ofSeconds(20)).build();
             ConversationEngine other = ConversationEngine.builder(store).policy(SIX_KEEP_THREE)
                     .summarizer(RecordingSummarizer.immediate()).build()) {
            CompletableFuture<AppendOutcome> compacting = blockACompaction(engine);
            for (int i = 8; i <= 27; i++) {
                long start = System.nanoTime();
                AppendOutcome meanwhile = other.appendRound(ID, "u" + i, "a" + i);
                assertTrue(System.nanoTime() - start < PROMPT_NANOS, "append " + i + " waited");
                assertTrue(meanwhile.compaction().isDone(), "the other engine compacts itself");
            }
            ConversationState before = other.state(ID).orElseThrow();
            assertTrue(before.counters().compactions() > 0, before.counters().toString());
            stubborn.release.countDown();
            assertEquals(CompactionOutcome.of(Status.DROPPED),
                    compacting.get(60, TimeUnit.SECONDS).compaction().outcome().orElseThrow());

            ConversationState after = engine.state(ID).orElseThrow();
            assertEquals(before.compressedContext(), after.compressedContext(),
                    "the stale summary was not committed");
            assertEquals(before.counters(), after.counters());
            assertInOrder(engine, 27);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.palimpsest.engine.Backends#all")
    void aSummarizerIgnoringInterruptsIsBoundedByTheTimeoutAndCountedAsFailed(Backends backend)
            throws Exception {
        List<CompactionOutcome> heard = new CopyOnWriteArrayList<>();
        try (ConversationStore store = backend.open(dir);
             ConversationEngine engine = ConversationEngine.builder(store)
                     .policy(new CompactionPolicy(4, 2, 1_000_000)).summarizer(stubborn)
                     .summarizerTimeout(Duration.ofMillis(300))
                     .listener((id, outcome) -> heard.add(outcome)).build()) {
            for (int i = 1; i <= 4; i++) {
                engine.appendRound(ID, "u" + i, "a" + i);
            }
            long start = System.nanoTime();
            AppendOutcome due = engine.appendRound(ID, "u5", "a5");
            long took = System.nanoTime() - start;
            assertTrue(took >= TimeUnit.MILLISECONDS.toNanos(300), "waited " + took + " ns");
            assertTrue(took < PROMPT_NANOS, "the timeout bounds the compaction: " + took + " ns");

            CompactionOutcome failed = due.compaction().outcome().orElseThrow();
            assertEquals(Status.FAILED, failed.status());
            PalimpsestException failure = failed.failure().orElseThrow();
            assertEquals(FailureKind.SUMMARIZER, failure.kind());
            assertEquals(ID, failure.convId().orElseThrow());
            assertTrue(failure.getMessage().contains("timed out after 300 ms"),
                    failure.getMessage());
            assertEquals(List.of(failed), heard);
            assertTrue(stubborn.awaitInterrupted(), "the overrunning call was interrupted");
            ConversationState state = engine.state(ID).orElseThrow();
            assertEquals(1, state.counters().compactionFailures());
            assertEquals(0, state.counters().compactions());
            assertEquals(5, state.recentRounds().size(), "the rounds stay verbatim");

            // The abandoned call returns a summary late: it must never land.
            stubborn.release.countDown();
            assertTrue(stubborn.returned.await(30, TimeUnit.SECONDS));
            assertEquals(state, engine.state(ID).orElseThrow(), "the late summary was dropped");

            // The next append past the limit tries again, and this time the summarizer answers.
            AppendOutcome retried = engine.appendRound(ID, "u6", "a6");
            assertEquals(CompactionOutcome.committed(4), retried.compaction().outcome()
                    .orElseThrow());
            ConversationState compacted = engine.state(ID).orElseThrow();
            assertEquals(1, compacted.counters().compactionFailures(), "the failure stays counted");
            assertEquals(1, compacted.counters().compactions());
            assertInOrder(engine, 6);
        }
    }

    @Test
    void closeIsBoundedWhenACompactionOnAnExecutorIgnoresInterrupts() throws Exception {
        ExecutorService background = Executors.newSingleThreadExecutor();
        try (ConversationStore store = Backends.FILES.open(dir)) {
            ConversationEngine engine = ConversationEngine.builder(store)
                    .policy(new CompactionPolicy(4, 2, 1_000_000)).summarizer(stubborn)
                    .executor(background).closeTimeout(Duration.ofMillis(200)).build();
            AppendOutcome due = null;
            for (int i = 1; i <= 5; i++) {
                due = engine.appendRound(ID, "u" + i, "a" + i);
            }
            assertTrue(stubborn.entered.await(30, TimeUnit.SECONDS));
            ConversationState before = engine.state(ID).orElseThrow();
            assertClosesInTime(engine);

            assertEquals(CompactionOutcome.of(Status.CANCELLED),
                    due.compaction().await(Duration.ofSeconds(30)));
            assertTrue(stubborn.awaitInterrupted(), "close interrupted the summarizer");
            assertThrows(IllegalStateException.class, () -> engine.appendRound(ID, "u", "a"));
            stubborn.release.countDown();
            assertTrue(stubborn.returned.await(30, TimeUnit.SECONDS));
            assertEquals(before, engine.state(ID).orElseThrow(), "cancelled, nothing written");
            assertEquals(0, before.counters().compactionFailures(), "cancelling is no failure");
        } finally {
            background.shutdownNow();
        }
    }

    @Test
    void closeIsBoundedWhileAnAppendCompactsInItsOwnThreadAndThatAppendReturns()
            throws Exception {
        try (ConversationStore store = Backends.MEMORY.open(dir)) {
            ConversationEngine engine = ConversationEngine.builder(store).policy(SIX_KEEP_THREE)
                    .summarizer(stubborn).closeTimeout(Duration.ofMillis(200)).build();
            CompletableFuture<AppendOutcome> compacting = blockACompaction(engine);
            assertClosesInTime(engine);

            AppendOutcome appended = compacting.get(10, TimeUnit.SECONDS);
            assertEquals(7, appended.appended().messages().get(0).roundSeq(),
                    "the append itself is durable");
            assertEquals(CompactionOutcome.of(Status.CANCELLED),
                    appended.compaction().outcome().orElseThrow());
            ConversationState state = engine.state(ID).orElseThrow();
            assertEquals(0, state.counters().compactions());
            assertEquals(0, state.counters().compactionFailures());
            assertEquals(7, state.recentRounds().size());
        }
    }

    /** Appends six rounds, then a seventh in another thread, whose compaction blocks. */
    private CompletableFuture<AppendOutcome> blockACompaction(ConversationEngine engine)
            throws InterruptedException {
        for (int i = 1; i <= 6; i++) {
            assertTrue(engine.appendRound(ID, "u" + i, "a" + i).compaction().isDone());
        }
        CompletableFuture<AppendOutcome> compacting =
                CompletableFuture.supplyAsync(() -> engine.appendRound(ID, "u7", "a7"));
        assertTrue(stubborn.entered.await(30, TimeUnit.SECONDS), "the summarizer was called");
        return compacting;
    }

    /** Closes and checks that it took at least the close timeout and at most the grace more. */
    private static void assertClosesInTime(ConversationEngine engine) {
        long start = System.nanoTime();
        engine.close();
        long took = System.nanoTime() - start;
        assertTrue(took >= TimeUnit.MILLISECONDS.toNanos(200), "close waited " + took + " ns");
        long bound = TimeUnit.MILLISECONDS.toNanos(200)
                + ConversationEngine.CANCEL_GRACE.toNanos() + TimeUnit.SECONDS.toNanos(3);
        assertTrue(took < bound, "close took " + took + " ns, more than " + bound);
    }

    private static void assertInOrder(ConversationEngine engine, int rounds) {
        List<StoredMessage> log = engine.messages(ID, 1, 1_000);
        assertEquals(2 * rounds, log.size());
        for (int i = 0; i < log.size(); i++) {
            assertEquals(i + 1, log.get(i).seq());
            String expected = (i % 2 == 0 ? "u" : "a") + (i / 2 + 1);
            assertEquals(expected, log.get(i).message().content());
        }
    }

    /**
     * Blocks every call until released and ignores interrupts while it waits (a client library
     * that swallows them), then summarizes extractively. It waits 60 s at most, so that no test
     * leaves a thread behind for longer.
     */
    static final class StubbornSummarizer implements Summarizer {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch returned = new CountDownLatch(1);
        final AtomicInteger interrupts = new AtomicInteger();
        private final CountDownLatch interrupted = new CountDownLatch(1);
        private final ExtractiveSummarizer working = ExtractiveSummarizer.withDefaultBudget();

        @Override
        public String summarize(SummaryRequest request) {
            entered.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            try {
                while (release.getCount() > 0 && System.nanoTime() < deadline) {
                    try {
                        release.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                    } catch (InterruptedException ignored) {
                        interrupts.incrementAndGet();
                        interrupted.countDown();
                    }
                }
                return working.summarize(request);
            } finally {
                returned.countDown();
            }
        }

        boolean awaitInterrupted() throws InterruptedException {
            return interrupted.await(10, TimeUnit.SECONDS);
        }
    }
}
