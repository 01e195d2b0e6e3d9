package dev.palimpsest.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.engine.CompactionOutcome.Status;
import dev.palimpsest.model.ConversationState;
import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.Role;
import dev.palimpsest.model.ToolCall;
import dev.palimpsest.store.ConversationStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Compaction through the engine: whole rounds, never the newest, failures, races, closing. */
class EngineCompactionTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final CompactionPolicy FOUR_KEEP_TWO = new CompactionPolicy(4, 2, 1_000_000);

    @TempDir
    Path dir;

    @ParameterizedTest
    @MethodSource("dev.palimpsest.engine.Backends#all")
    void anAppendPastTheLimitFoldsTheOldestWholeRoundsAndKeepsThemReadable(Backends backend) {
        RecordingSummarizer summarizer = RecordingSummarizer.immediate();
        List<CompactionOutcome> heard = new ArrayList<>();
        try (ConversationStore store = backend.open(dir);
             ConversationEngine engine = ConversationEngine.builder(store).policy(FOUR_KEEP_TWO)
                     .summarizer(summarizer).listener((id, o) -> heard.add(o)).build()) {
            AppendOutcome outcome = null;
            for (int i = 1; i <= 5; i++) {
                outcome = engine.appendRound("c", "question " + i, "answer " + i);
                assertEquals(i < 5, outcome.compaction().outcome().orElseThrow()
                        == CompactionOutcome.NOT_NEEDED, "round " + i);
            }
            assertEquals(CompactionOutcome.committed(3), outcome.compaction().outcome()
                    .orElseThrow());
            assertEquals(List.of(CompactionOutcome.committed(3)), heard);
            ConversationState state = engine.state("c").orElseThrow();
            assertEquals("r1-r3", state.compressedContext());
            assertEquals(List.of(4L, 5L), state.recentRounds().stream().map(r -> r.seq())
                    .toList());
            assertEquals(3, state.counters().compactedRounds());
            assertEquals(6, state.counters().compactedMessages());
            assertEquals(10, engine.messages("c", 1, 100).size(), "folded messages stay");
            assertEquals(3, summarizer.requests.get(0).evictedRounds().size());
        }
    }

    @ParameterizedTest
    @MethodSource("dev.palimpsest.engine.Backends#all")
    void theNewestRoundWaitingForAToolResultIsNeverFoldedAndAnAbandonedCallDoesNotBlock(
            Backends backend) {
        try (ConversationStore store = backend.open(dir);
             ConversationEngine engine = ConversationEngine.builder(store)
                     .policy(CompactionPolicy.never(1))
                     .summarizer(RecordingSummarizer.immediate()).build()) {
            engine.append("c", Message.user("one"), call("a"));        // abandoned: never answered
            engine.append("c", Message.user("two"), call("b"));        // still waiting
            CompactionOutcome outcome = engine.compact("c").outcome().orElseThrow();

            assertEquals(CompactionOutcome.committed(1), outcome);
            ConversationState state = engine.state("c").orElseThrow();
            assertEquals(1, state.recentRounds().size());
            assertTrue(state.recentRounds().get(0).hasUnansweredToolCall());
            engine.append("c", Message.tool("b", "t", "result"));
            assertEquals(3, engine.state("c").orElseThrow().recentRounds().get(0).messages()
                    .size(), "the result joined the round it answers");
        }
    }

    @ParameterizedTest
    @MethodSource("dev.palimpsest.engine.Backends#all")
    void theNewestSystemMessageSurvivesCompactionAndIsRenderedFirst(Backends backend) {
        try (ConversationStore store = backend.open(dir);
             ConversationEngine engine = ConversationEngine.builder(store).policy(FOUR_KEEP_TWO)
                     .summarizer(RecordingSummarizer.immediate()).build()) {
            engine.append("c", Message.system("old rules"));
            engine.append("c", Message.system("You are a pirate."));
            for (int i = 1; i <= 5; i++) {
                engine.appendRound("c", "q" + i, "a" + i);
            }
            ConversationState state = engine.state("c").orElseThrow();
            assertEquals(3, state.counters().compactedRounds(), "the system round was folded");
            PromptContext context = engine.context("c");
            assertEquals("You are a pirate.", context.messages().get(0).content().orElseThrow());
            assertEquals("system", context.messages().get(1).role());
            assertEquals(state.compressedContext(),
                    context.messages().get(1).content().orElseThrow());
        }
    }

    @ParameterizedTest
    @MethodSource("dev.palimpsest.engine.Backends#all")
    void aFailingSummarizerLeavesTheRoundsVerbatimAndIsCounted(Backends backend) {
        try (ConversationStore store = backend.open(dir);
             ConversationEngine engine = ConversationEngine.builder(store).policy(FOUR_KEEP_TWO)
                     .summarizer(request -> {
                         throw new IllegalStateException("model overloaded");
                     }).build()) {
            AppendOutcome outcome = null;
            for (int i = 1; i <= 5; i++) {
                outcome = engine.appendRound("c", "q" + i, "a" + i);
            }
            CompactionOutcome failed = outcome.compaction().outcome().orElseThrow();
            assertEquals(Status.FAILED, failed.status());
            assertEquals(FailureKind.SUMMARIZER, failed.failure().orElseThrow().kind());
            assertTrue(failed.failure().orElseThrow().getMessage().contains("model overloaded"));
            ConversationState state = engine.state("c").orElseThrow();
            assertEquals(5, state.recentRounds().size());
            assertEquals(1, state.counters().compactionFailures());
            assertEquals("", state.compressedContext());
        }
    }

    @Test
    void blankAndBrokenSummariesAndTimeoutsAreFailuresNotSummaries() {
        List<Summarizer> bad = List.of(request -> null, request -> "  \n",
                request -> "half a pair \uD83D", request -> {
                    Thread.sleep(60_000);
                    return "late";
                });
        for (Summarizer summarizer : bad) {
            try (ConversationStore store = Backends.MEMORY.open(dir);
                 ConversationEngine engine = ConversationEngine.builder(store)
                         .policy(CompactionPolicy.never(1)).summarizer(summarizer)
                         .summarizerTimeout(Duration.ofMillis(200)).build()) {
                engine.appendRound("c", "q1", "a1");
                engine.appendRound("c", "q2", "a2");
                CompactionOutcome outcome = engine.compact("c").outcome().orElseThrow();
                assertEquals(Status.FAILED, outcome.status());
                assertEquals(FailureKind.SUMMARIZER, outcome.failure().orElseThrow().kind());
                assertEquals("", engine.state("c").orElseThrow().compressedContext());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("dev.palimpsest.engine.Backends#all")
    void aSummaryMadeStaleByAnotherEngineIsDropped(Backends backend) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        RecordingSummarizer slow = RecordingSummarizer.waitingFor(release);
        ExecutorService background = Executors.newSingleThreadExecutor();
        try (ConversationStore store = backend.open(dir);
             ConversationEngine first = ConversationEngine.builder(store)
                     .policy(CompactionPolicy.never(1)).summarizer(slow)
                     .executor(background).build();
             ConversationEngine second = ConversationEngine.builder(store)
                     .policy(CompactionPolicy.never(1))
                     .summarizer(RecordingSummarizer.immediate()).build()) {
            for (int i = 1; i <= 3; i++) {
                first.appendRound("c", "q" + i, "a" + i);
            }
            Future<CompactionHandle> slowOne = background.submit(() -> first.compact("c"));
            assertTrue(slow.entered.await(30, TimeUnit.SECONDS));
            assertEquals(CompactionOutcome.committed(2),
                    second.compact("c").outcome().orElseThrow());
            release.countDown();

            assertEquals(CompactionOutcome.of(Status.DROPPED),
                    slowOne.get(30, TimeUnit.SECONDS).await(WAIT));
            assertEquals("r1-r2", first.state("c").orElseThrow().compressedContext());
        } finally {
            background.shutdownNow();
        }
    }

    @ParameterizedTest
    @MethodSource("dev.palimpsest.engine.Backends#all")
    void aConversationDeletedAndStartedAgainNeverReceivesTheOldSummary(Backends backend)
            throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        RecordingSummarizer slow = RecordingSummarizer.waitingFor(release);
        ExecutorService background = Executors.newSingleThreadExecutor();
        try (ConversationStore store = backend.open(dir);
             ConversationEngine engine = ConversationEngine.builder(store)
                     .policy(CompactionPolicy.never(1)).summarizer(slow).build()) {
            for (int i = 1; i <= 3; i++) {
                engine.appendRound("c", "secret " + i, "a" + i);
            }
            var pending = background.submit(() -> engine.compact("c"));
            assertTrue(slow.entered.await(30, TimeUnit.SECONDS));
            assertTrue(store.delete("c"));
            for (int i = 1; i <= 3; i++) {
                engine.appendRound("c", "fresh " + i, "b" + i);
            }
            release.countDown();

            assertEquals(CompactionOutcome.of(Status.DROPPED), pending.get().await(WAIT));
            ConversationState state = engine.state("c").orElseThrow();
            assertEquals("", state.compressedContext());
            assertEquals("fresh 1", state.recentRounds().get(0).messages().get(0).message().content());
        } finally {
            background.shutdownNow();
        }
    }

    @Test
    void onAnExecutorTheHandleTellsWhenItEndsAndAppendsMeanwhileJoinIt() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        RecordingSummarizer slow = RecordingSummarizer.waitingFor(release);
        ExecutorService background = Executors.newFixedThreadPool(2);
        try (ConversationStore store = Backends.MEMORY.open(dir);
             ConversationEngine engine = ConversationEngine.builder(store).policy(FOUR_KEEP_TWO)
                     .summarizer(slow).executor(background).build()) {
            AppendOutcome due = null;
            for (int i = 1; i <= 5; i++) {
                due = engine.appendRound("c", "q" + i, "a" + i);
            }
            assertTrue(slow.entered.await(30, TimeUnit.SECONDS));
            assertFalse(due.compaction().isDone());
            AppendOutcome meanwhile = engine.appendRound("c", "q6", "a6");
            assertSame(due.compaction(), meanwhile.compaction());
            release.countDown();

            assertEquals(CompactionOutcome.committed(3), due.compaction().await(WAIT));
            assertEquals(1, slow.requests.size(), "one compaction, not two");
            assertEquals(List.of(4L, 5L, 6L), engine.state("c").orElseThrow().recentRounds()
                    .stream().map(r -> r.seq()).toList());
        } finally {
            background.shutdownNow();
        }
    }

    @Test
    void closingWaitsForACompactionThatEndsInTime() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        RecordingSummarizer slow = RecordingSummarizer.waitingFor(release);
        ExecutorService background = Executors.newSingleThreadExecutor();
        try (ConversationStore store = Backends.MEMORY.open(dir)) {
            ConversationEngine engine = ConversationEngine.builder(store).policy(FOUR_KEEP_TWO)
                    .summarizer(slow).executor(background).closeTimeout(WAIT).build();
            AppendOutcome due = null;
            for (int i = 1; i <= 5; i++) {
                due = engine.appendRound("c", "q" + i, "a" + i);
            }
            assertTrue(slow.entered.await(30, TimeUnit.SECONDS));
            new Thread(() -> {
                sleep(200);
                release.countDown();
            }).start();
            engine.close();

            assertEquals(CompactionOutcome.committed(3), due.compaction().outcome().orElseThrow());
            assertThrows(IllegalStateException.class, () -> engine.appendRound("c", "q", "a"));
        } finally {
            background.shutdownNow();
        }
    }

    @Test
    void closingInterruptsASummarizerThatOverrunsTheCloseTimeoutAndWritesNothing()
            throws Exception {
        RecordingSummarizer stuck = RecordingSummarizer.waitingFor(new CountDownLatch(1));
        ExecutorService background = Executors.newSingleThreadExecutor();
        try (ConversationStore store = Backends.MEMORY.open(dir)) {
            ConversationEngine engine = ConversationEngine.builder(store).policy(FOUR_KEEP_TWO)
                    .summarizer(stuck).executor(background)
                    .closeTimeout(Duration.ofMillis(100)).build();
            AppendOutcome due = null;
            for (int i = 1; i <= 5; i++) {
                due = engine.appendRound("c", "q" + i, "a" + i);
            }
            assertTrue(stuck.entered.await(30, TimeUnit.SECONDS));
            long start = System.nanoTime();
            engine.close();

            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10),
                    "close is bounded");
            assertEquals(CompactionOutcome.of(Status.CANCELLED), due.compaction().await(WAIT));
            ConversationState state = engine.state("c").orElseThrow();
            assertEquals(0, state.counters().compactedRounds());
            assertEquals(0, state.counters().compactionFailures(), "cancelling is no failure");
            for (int i = 0; i < 100 && !stuck.interrupted; i++) {
                sleep(20);
            }
            assertTrue(stuck.interrupted, "the summarizer was interrupted");
        } finally {
            background.shutdownNow();
        }
    }

    @Test
    void anOnDemandCompactionOfAnUnknownOrSmallConversationIsNotNeeded() {
        try (ConversationStore store = Backends.MEMORY.open(dir);
             ConversationEngine engine = ConversationEngine.builder(store).build()) {
            assertEquals(CompactionOutcome.NOT_NEEDED,
                    engine.compact("nobody").outcome().orElseThrow());
            engine.appendRound("c", "q", "a");
            assertEquals(CompactionOutcome.NOT_NEEDED, engine.compact("c").outcome().orElseThrow());
            assertEquals(Role.USER, engine.context("c").dialogue().get(0).role());
        }
    }

    private static Message call(String id) {
        return Message.assistant("", List.of(new ToolCall(id, "t", "{}")));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
