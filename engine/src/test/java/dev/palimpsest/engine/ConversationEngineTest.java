package dev.palimpsest.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.core.Conversation;
import dev.palimpsest.core.InvalidModelException;
import dev.palimpsest.core.Round;
import dev.palimpsest.engine.CompactionOutcome.Status;
import dev.palimpsest.persist.StoreIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class ConversationEngineTest {
    private static final String ID = "conv-1";
    private static final CompactionPolicy SMALL = new CompactionPolicy(6, 3, 1_000_000);

    private final InMemoryConversationStore store = new InMemoryConversationStore();
    private final SwitchableSummarizer summarizer = new SwitchableSummarizer(2_000);
    private final List<String> heard = new CopyOnWriteArrayList<>();

    private ConversationEngine.Builder engine() {
        return ConversationEngine.builder(store).policy(SMALL).summarizer(summarizer)
                .clock(new TickingClock())
                .listener((id, outcome) -> heard.add(id + ":" + outcome.status()));
    }

    private static String user(long seq) {
        return "question " + seq + " about the shipment";
    }

    private static String assistant(long seq) {
        return "answer " + seq + ": the parcel is on its way";
    }

    @Test
    void appendsGetContiguousSequenceNumbersAndAreStoredBeforeReturning() {
        ConversationEngine engine = engine().build();
        for (long seq = 1; seq <= 5; seq++) {
            AppendResult result = engine.append(ID, user(seq), assistant(seq));
            assertEquals(seq, result.round().seq());
            assertEquals(result.state(), store.load(ID));
            assertEquals(seq, store.load(ID).counters().roundsTotal());
            assertEquals(Status.NOT_NEEDED, result.compaction().status());
        }
        assertTrue(heard.isEmpty(), "appends without compaction are not reported: " + heard);
    }

    @Test
    void compactionFoldsTheOldestRoundsDownToKeepRoundsAndArchivesThem() {
        ConversationEngine engine = engine().build();
        AppendResult last = null;
        for (long seq = 1; seq <= 7; seq++) {
            last = engine.append(ID, user(seq), assistant(seq));
        }
        assertEquals(CompactionOutcome.committed(4), last.compaction());
        Conversation state = store.load(ID);
        assertEquals(state, last.state());
        assertEquals(List.of(5L, 6L, 7L), seqs(state.recentRounds()));
        assertEquals(4, state.counters().compactedRounds());
        assertEquals(1, state.counters().compactions());
        assertTrue(state.counters().lastCompactedAt().isPresent());
        assertTrue(state.compressedContext().contains("#4 user: question 4"),
                state.compressedContext());
        assertEquals(List.of(1L, 2L, 3L, 4L), seqs(store.rawArchive(ID)));
        assertEquals(List.of(ID + ":COMMITTED"), heard);
    }

    @Test
    void theAppendPathNeverReadsTheArchive() {
        ConversationEngine engine = engine().build();
        for (long seq = 1; seq <= 300; seq++) {
            engine.append(ID, user(seq), assistant(seq));
        }
        assertTrue(store.load(ID).counters().compactions() > 10);
        assertEquals(0, store.archiveReads());
    }

    @Test
    void tokenCountersMatchARecountAfterEveryAppendAndCompaction() {
        TokenCounter counter = TokenCounter.estimating();
        ConversationEngine engine = engine().build();
        for (long seq = 1; seq <= 40; seq++) {
            Conversation state = engine.append(ID, user(seq) + " ü 日本 " + seq,
                    assistant(seq)).state();
            long recent = 0;
            for (Round r : state.recentRounds()) {
                recent += counter.count(r.user()) + counter.count(r.assistant())
                        + 2 * ConversationEngine.MESSAGE_OVERHEAD_TOKENS;
            }
            assertEquals(recent, state.counters().recentTokens(), "recent tokens at " + seq);
            long context = state.compressedContext().isEmpty() ? 0
                    : counter.count(state.compressedContext())
                    + ConversationEngine.MESSAGE_OVERHEAD_TOKENS;
            assertEquals(context, state.counters().contextTokens(), "context tokens at " + seq);
        }
    }

    @Test
    void theTokenLimitTriggersACompactionThatStillKeepsKeepRounds() {
        ConversationEngine engine = engine().policy(new CompactionPolicy(100, 2, 200)).build();
        String big = "word ".repeat(60);
        List<Status> statuses = new ArrayList<>();
        for (long seq = 1; seq <= 6; seq++) {
            statuses.add(engine.append(ID, big, big).compaction().status());
        }
        // Each round is about 120 estimated tokens: the third append crosses 200 with three
        // recent rounds and folds one; from then on two rounds remain after each compaction.
        assertEquals(List.of(Status.NOT_NEEDED, Status.NOT_NEEDED, Status.COMMITTED,
                Status.COMMITTED, Status.COMMITTED, Status.COMMITTED), statuses);
        assertEquals(2, store.load(ID).recentRounds().size());
    }

    @Test
    void aFewHugeRoundsWithinKeepRoundsNeverTriggerACompaction() {
        ConversationEngine engine = engine().policy(new CompactionPolicy(10, 3, 10)).build();
        for (long seq = 1; seq <= 3; seq++) {
            assertEquals(Status.NOT_NEEDED,
                    engine.append(ID, "x ".repeat(500), "y").compaction().status());
        }
        assertEquals(0, summarizer.calls());
    }

    @Test
    void aRetryWithTheExpectedSeqReturnsTheStoredRoundWithoutAddingOne() {
        ConversationEngine engine = engine().build();
        Round first = engine.append(ID, RoundInput.of("hi", "hello").expectingSeq(1)).round();
        long writes = store.writes();
        AppendResult retry = engine.append(ID, RoundInput.of("hi", "hello").expectingSeq(1));
        assertEquals(first, retry.round());
        assertEquals(writes, store.writes(), "a retry writes nothing");
        assertEquals(1, store.load(ID).counters().roundsTotal());
        assertEquals(2, engine.append(ID, RoundInput.of("a", "b").expectingSeq(2)).round().seq());
    }

    @Test
    void aRetryOfARoundAlreadyCompactedIsFoundInTheArchive() {
        ConversationEngine engine = engine().build();
        Round first = engine.append(ID, RoundInput.of("hi", "hello").expectingSeq(1)).round();
        for (long seq = 2; seq <= 10; seq++) {
            engine.append(ID, user(seq), assistant(seq));
        }
        assertTrue(store.load(ID).counters().compactedRounds() >= 1);
        assertEquals(first, engine.append(ID, RoundInput.of("hi", "hello").expectingSeq(1))
                .round());
        assertEquals(10, store.load(ID).counters().roundsTotal());
        SequenceConflictException e = assertThrows(SequenceConflictException.class,
                () -> engine.append(ID, RoundInput.of("hi", "other").expectingSeq(1)));
        assertEquals(1, e.expectedSeq());
        assertEquals(11, e.actualNextSeq());
    }

    @Test
    void anExpectedSeqThatDoesNotHoldIsAConflictAndWritesNothing() {
        ConversationEngine engine = engine().build();
        engine.append(ID, "a", "b");
        engine.append(ID, "c", "d");
        long writes = store.writes();
        SequenceConflictException otherTexts = assertThrows(SequenceConflictException.class,
                () -> engine.append(ID, RoundInput.of("a", "changed").expectingSeq(1)));
        assertEquals(3, otherTexts.actualNextSeq());
        SequenceConflictException ahead = assertThrows(SequenceConflictException.class,
                () -> engine.append(ID, RoundInput.of("e", "f").expectingSeq(5)));
        assertEquals(5, ahead.expectedSeq());
        assertEquals(3, ahead.actualNextSeq());
        assertTrue(ahead.getMessage().contains(ID), ahead.getMessage());
        assertEquals(writes, store.writes());
        assertEquals(2, store.load(ID).counters().roundsTotal());
    }

    @Test
    void metadataRidesAlongWithTheRound() {
        ConversationEngine engine = engine().build();
        Round round = engine.append(ID, RoundInput.of("u", "a")
                .withMetadata(Map.of("model", "m1", "tool", "t"))).round();
        assertEquals(Map.of("model", "m1", "tool", "t"), round.metadata());
        assertEquals(round, store.load(ID).recentRounds().get(0));
    }

    @Test
    void invalidTextIsRejectedBeforeAnythingIsStored() {
        ConversationEngine engine = engine().build();
        assertThrows(InvalidModelException.class, () -> engine.append(ID, "bad \uD800", "x"));
        assertThrows(InvalidModelException.class,
                () -> engine.append(ID, RoundInput.of("u", "a").withMetadata(Map.of("", "v"))));
        assertFalse(store.load(ID).isStored());
    }

    @Test
    void aFailingSummarizerLeavesTheRoundsVerbatimAndIsCountedAndRetried() {
        ConversationEngine engine = engine().build();
        summarizer.failing(true);
        AppendResult failed = null;
        for (long seq = 1; seq <= 7; seq++) {
            failed = engine.append(ID, user(seq), assistant(seq));
        }
        assertEquals(Status.FAILED, failed.compaction().status());
        assertTrue(failed.compaction().failure().orElseThrow()
                .contains(SwitchableSummarizer.ERROR_TEXT), failed.compaction().toString());
        Conversation state = store.load(ID);
        assertEquals(7, state.recentRounds().size());
        assertEquals("", state.compressedContext());
        assertEquals(1, state.counters().compactionFailures());
        assertEquals(0, state.counters().compactions());
        assertEquals(List.of(ID + ":FAILED"), heard);

        AppendResult again = engine.append(ID, user(8), assistant(8));
        assertEquals(Status.FAILED, again.compaction().status(), "the next append tries again");
        assertEquals(2, store.load(ID).counters().compactionFailures());

        summarizer.failing(false);
        AppendResult recovered = engine.append(ID, user(9), assistant(9));
        assertEquals(CompactionOutcome.committed(6), recovered.compaction());
        assertFalse(store.load(ID).compressedContext().contains("MODEL-ERROR-TEXT"));
        assertEquals(9, engine.transcript(ID).size());
    }

    @Test
    void aSummarizerFailureIsReportedEvenWhenCountingItFails() {
        store.refuseWrites(next -> next.counters().compactionFailures() > 0);
        summarizer.failing(true);
        ConversationEngine engine = engine().build();
        AppendResult result = null;
        for (long seq = 1; seq <= 7; seq++) {
            result = engine.append(ID, user(seq), assistant(seq));
        }
        assertEquals(Status.FAILED, result.compaction().status());
        assertTrue(result.compaction().failure().orElseThrow()
                .contains(SwitchableSummarizer.ERROR_TEXT), result.compaction().toString());
        assertEquals(store.load(ID), result.state());
        assertEquals(7, result.state().recentRounds().size());
        SummarizerException e = assertThrows(SummarizerException.class, () -> engine.compact(ID));
        assertEquals(StoreIOException.class, e.getSuppressed()[0].getClass());
        assertEquals(0, store.load(ID).counters().compactionFailures());
    }

    @Test
    void blankNullAndInvalidSummariesAreFailuresNotContexts() {
        for (String bad : new String[] {null, "", "  \n ", "half \uDC00 pair"}) {
            InMemoryConversationStore own = new InMemoryConversationStore();
            ConversationEngine engine = ConversationEngine.builder(own).policy(SMALL)
                    .summarizer(request -> bad).build();
            AppendResult result = null;
            for (long seq = 1; seq <= 7; seq++) {
                result = engine.append(ID, user(seq), assistant(seq));
            }
            assertEquals(Status.FAILED, result.compaction().status(), String.valueOf(bad));
            assertEquals("", own.load(ID).compressedContext());
            assertEquals(7, own.load(ID).recentRounds().size());
        }
    }

    @Test
    void aSummarizerThatOverrunsItsTimeoutIsInterruptedAndCountedAsAFailure() throws Exception {
        CountDownLatch interrupted = new CountDownLatch(1);
        ConversationEngine engine = engine().summarizerTimeout(Duration.ofMillis(200))
                .summarizer(request -> {
                    try {
                        new CountDownLatch(1).await();
                        throw new AssertionError("unreachable");
                    } catch (InterruptedException e) {
                        interrupted.countDown();
                        throw new SummarizerException(request.convId(), "interrupted", e);
                    }
                }).build();
        AppendResult result = null;
        for (long seq = 1; seq <= 7; seq++) {
            result = engine.append(ID, user(seq), assistant(seq));
        }
        assertEquals(Status.FAILED, result.compaction().status());
        assertTrue(result.compaction().failure().orElseThrow().contains("timed out"),
                result.compaction().toString());
        assertTrue(interrupted.await(60, TimeUnit.SECONDS), "the overrunning call is interrupted");
        assertEquals(1, store.load(ID).counters().compactionFailures());
        assertEquals(7, store.load(ID).recentRounds().size());
    }

    @Test
    void compactOnDemandFoldsDownToKeepRoundsOrThrowsWhenTheSummarizerFails() {
        ConversationEngine engine = engine().build();
        assertEquals(CompactionOutcome.NOT_NEEDED, engine.compact("never-stored"));
        assertFalse(store.load("never-stored").isStored());
        for (long seq = 1; seq <= 5; seq++) {
            engine.append(ID, user(seq), assistant(seq));
        }
        summarizer.failing(true);
        SummarizerException e = assertThrows(SummarizerException.class, () -> engine.compact(ID));
        assertTrue(e.getMessage().contains(SwitchableSummarizer.ERROR_TEXT), e.getMessage());
        assertEquals(1, store.load(ID).counters().compactionFailures());
        summarizer.failing(false);
        assertEquals(CompactionOutcome.committed(2), engine.compact(ID));
        assertEquals(List.of(3L, 4L, 5L), seqs(store.load(ID).recentRounds()));
        assertEquals(CompactionOutcome.NOT_NEEDED, engine.compact(ID));
        assertEquals(List.of(ID + ":FAILED", ID + ":COMMITTED"), heard);
    }

    @Test
    void withAnExecutorTheAppendSchedulesTheCompactionAndTheListenerHearsItsOutcome() {
        List<Runnable> queued = new ArrayList<>();
        ConversationEngine engine = engine().executor(queued::add).build();
        AppendResult result = null;
        for (long seq = 1; seq <= 7; seq++) {
            result = engine.append(ID, user(seq), assistant(seq));
        }
        assertEquals(Status.SCHEDULED, result.compaction().status());
        assertEquals(7, result.state().recentRounds().size());
        assertEquals(Status.IN_PROGRESS,
                engine.append(ID, user(8), assistant(8)).compaction().status(),
                "a queued compaction is not queued twice");
        assertEquals(1, queued.size());
        queued.get(0).run();
        assertEquals(List.of(ID + ":COMMITTED"), heard);
        assertEquals(List.of(6L, 7L, 8L), seqs(store.load(ID).recentRounds()));
        assertEquals(Status.NOT_NEEDED, engine.append(ID, user(9), assistant(9))
                .compaction().status());
    }

    @Test
    void aSummaryIsDroppedWhenAnotherEngineCompactedTheRoundsFirst() {
        ConversationEngine other = ConversationEngine.builder(store).policy(SMALL)
                .summarizer(summarizer).build();
        ConversationEngine engine = engine().summarizer(request -> {
            // Another process compacts the same rounds while this summary is being written.
            assertEquals(CompactionOutcome.committed(4), other.compact(ID));
            return "a summary that must be dropped";
        }).build();
        AppendResult result = null;
        for (long seq = 1; seq <= 7; seq++) {
            result = engine.append(ID, user(seq), assistant(seq));
        }
        assertEquals(CompactionOutcome.of(Status.DROPPED), result.compaction());
        Conversation state = store.load(ID);
        assertFalse(state.compressedContext().contains("must be dropped"));
        assertEquals(4, state.counters().compactedRounds());
        assertEquals(List.of(1L, 2L, 3L, 4L), seqs(store.rawArchive(ID)), "archived once");
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L), seqs(engine.transcript(ID)));
    }

    @Test
    void roundsAppendedWhileTheSummarizerRunsAreKeptAtCommit() {
        ConversationEngine other = ConversationEngine.builder(store)
                .policy(new CompactionPolicy(1_000, 3, 1_000_000)).build();
        ConversationEngine engine = engine().summarizer(request -> {
            other.append(ID, "meanwhile user", "meanwhile assistant");
            other.append(ID, "meanwhile user 2", "meanwhile assistant 2");
            return summarizer.summarize(request);
        }).build();
        AppendResult result = null;
        for (long seq = 1; seq <= 7; seq++) {
            result = engine.append(ID, user(seq), assistant(seq));
        }
        assertEquals(CompactionOutcome.committed(4), result.compaction());
        assertEquals(List.of(5L, 6L, 7L, 8L, 9L), seqs(store.load(ID).recentRounds()));
        assertEquals(9, engine.transcript(ID).size());
    }

    @Test
    void aCrashBetweenArchiveAndStateLeavesRoundsInBothAndTheTranscriptDeduplicates() {
        ConversationEngine engine = engine().build();
        List<Round> appended = new ArrayList<>();
        for (long seq = 1; seq <= 6; seq++) {
            appended.add(engine.append(ID, user(seq), assistant(seq)).round());
        }
        store.crashAfterArchiveAppend(1);
        AppendResult crashed = engine.append(ID, user(7), assistant(7));
        appended.add(crashed.round());
        assertEquals(Status.FAILED, crashed.compaction().status());
        assertEquals(7, store.load(ID).recentRounds().size(), "the state still holds them");
        assertEquals(List.of(1L, 2L, 3L, 4L), seqs(store.rawArchive(ID)), "and the archive too");
        assertEquals(appended, engine.transcript(ID));

        appended.add(engine.append(ID, user(8), assistant(8)).round());
        assertEquals(List.of(1L, 2L, 3L, 4L, 1L, 2L, 3L, 4L, 5L), seqs(store.rawArchive(ID)));
        assertEquals(appended, engine.transcript(ID));
        try (Stream<Round> stream = engine.transcriptStream(ID)) {
            assertEquals(appended, stream.collect(Collectors.toList()));
        }
    }

    @Test
    void aTranscriptRangeReadsFromAnyPoint() {
        ConversationEngine engine = engine().build();
        for (long seq = 1; seq <= 20; seq++) {
            engine.append(ID, user(seq), assistant(seq));
        }
        long compacted = store.load(ID).counters().compactedRounds();
        assertTrue(compacted > 5);
        assertEquals(List.of(2L, 3L, 4L), seqs(engine.transcript(ID, 2, 3)));
        assertEquals(List.of(compacted - 1, compacted, compacted + 1),
                seqs(engine.transcript(ID, compacted - 1, 3)));
        long reads = store.archiveReads();
        assertEquals(List.of(19L, 20L), seqs(engine.transcript(ID, 19, 10)));
        assertEquals(reads, store.archiveReads(), "a range of recent rounds skips the archive");
        assertEquals(List.of(), engine.transcript(ID, 21, 10));
        assertEquals(List.of(), engine.transcript(ID, 1, 0));
        assertEquals(List.of(), engine.transcript("never-stored"));
        assertThrows(IllegalArgumentException.class, () -> engine.transcript(ID, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> engine.transcript(ID, 1, -1));
    }

    @Test
    void anArchiveWithAGapFailsTheTranscriptInsteadOfSkippingRounds() {
        ConversationEngine engine = engine().build();
        for (long seq = 1; seq <= 7; seq++) {
            engine.append(ID, user(seq), assistant(seq));
        }
        List<Round> archive = new ArrayList<>(store.rawArchive(ID));
        archive.remove(1);
        store.replaceArchive(ID, archive);
        EngineException gap = assertThrows(EngineException.class, () -> engine.transcript(ID));
        assertTrue(gap.getMessage().contains("lacks rounds 2 to 2"), gap.getMessage());
        store.replaceArchive(ID, archive.subList(0, 1));
        EngineException shortArchive = assertThrows(EngineException.class,
                () -> engine.transcript(ID));
        assertTrue(shortArchive.getMessage().contains("ends before round 2"),
                shortArchive.getMessage());
    }

    @Test
    void aFailingListenerNeverFailsTheAppend() {
        ConversationEngine engine = engine().listener((id, outcome) -> {
            throw new IllegalStateException("listener bug");
        }).build();
        AppendResult result = null;
        for (long seq = 1; seq <= 7; seq++) {
            result = engine.append(ID, user(seq), assistant(seq));
        }
        assertEquals(Status.COMMITTED, result.compaction().status());
    }

    @Test
    void theContextIsTheCompressedContextAndTheRecentRoundsAsMessagesAndText() {
        ConversationEngine engine = engine().build();
        engine.append(ID, "u1", "a1");
        PromptContext early = engine.context(ID);
        assertEquals(List.of(new ChatMessage("user", "u1"), new ChatMessage("assistant", "a1")),
                early.messages());
        assertEquals("[round 1]\nuser: u1\nassistant: a1\n", early.asText());
        for (long seq = 2; seq <= 7; seq++) {
            engine.append(ID, "u" + seq, "a" + seq);
        }
        PromptContext context = engine.context(ID);
        Conversation state = store.load(ID);
        assertEquals(state.compressedContext(), context.compressedContext());
        List<ChatMessage> messages = context.messages();
        assertEquals(new ChatMessage("system", state.compressedContext()), messages.get(0));
        assertEquals(1 + 2 * state.recentRounds().size(), messages.size());
        assertEquals(new ChatMessage("user", "u5"), messages.get(1));
        assertEquals(new ChatMessage("assistant", "a7"), messages.get(messages.size() - 1));
        assertTrue(context.asText().startsWith("[context]\n" + state.compressedContext() + "\n"));
        assertTrue(context.asText().endsWith("[round 7]\nuser: u7\nassistant: a7\n"));
        assertEquals(new PromptContext("", List.of()), engine.context("never-stored"));
    }

    @Test
    void storeFailuresOfCompactOnDemandPassThroughUnchangedAndLoseNothing() {
        store.crashAfterArchiveAppend(1);
        ConversationEngine engine = engine().policy(new CompactionPolicy(100, 3, 1_000_000))
                .build();
        for (long seq = 1; seq <= 7; seq++) {
            engine.append(ID, user(seq), assistant(seq));
        }
        StoreIOException e = assertThrows(StoreIOException.class, () -> engine.compact(ID));
        assertEquals(StoreIOException.Step.RENAME, e.step());
        assertEquals(7, store.load(ID).recentRounds().size());
        assertEquals(7, engine.transcript(ID).size());
        assertEquals(CompactionOutcome.committed(4), engine.compact(ID));
        assertEquals(7, engine.transcript(ID).size());
    }

    static List<Long> seqs(List<Round> rounds) {
        return rounds.stream().map(Round::seq).collect(Collectors.toList());
    }
}
