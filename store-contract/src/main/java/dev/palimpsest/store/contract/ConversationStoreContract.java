package dev.palimpsest.store.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.model.ConversationState;
import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.model.Round;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.model.ToolCall;
import dev.palimpsest.store.AppendRequest;
import dev.palimpsest.store.AppendResult;
import dev.palimpsest.store.CompactionRequest;
import dev.palimpsest.store.ConversationPage;
import dev.palimpsest.store.ConversationStore;
import dev.palimpsest.store.ConversationSummary;
import dev.palimpsest.store.Expectation;
import dev.palimpsest.store.NewMessage;
import dev.palimpsest.store.SummaryPage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract every {@link ConversationStore} fulfils. A backend's test extends this class and
 * says how to make a fresh, empty store and how to reopen one over the same data (a new process
 * would see what {@link #reopen} returns); every test runs against it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class ConversationStoreContract {
    /** The time stamped on the appends of the suite. */
    protected static final Instant T = Instant.parse("2026-12-01T10:00:00Z");

    /** The store under test; reopened stores replace it. */
    protected ConversationStore store;

    /** For a backend's test to extend. */
    protected ConversationStoreContract() {
    }

    /** {@return a fresh store holding no conversation} */
    protected abstract ConversationStore newStore();

    /**
     * Closes {@code old} and opens a store over the same data, as another process would.
     *
     * @param old the store to close
     * @return the reopened store
     */
    protected abstract ConversationStore reopen(ConversationStore old);

    @BeforeEach
    void openStore() {
        store = newStore();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    /** A small interface so that a failing call can be named in one line. */
    @FunctionalInterface
    protected interface Call {
        /** Runs the call. */
        void run();
    }

    /**
     * Asserts that {@code call} fails with {@code kind}.
     *
     * @param kind the expected kind
     * @param call the call
     * @return the failure
     */
    protected static PalimpsestException fails(FailureKind kind, Call call) {
        PalimpsestException e = assertThrows(PalimpsestException.class, call::run);
        assertEquals(kind, e.kind(), () -> "kind of: " + e.getMessage());
        return e;
    }

    /**
     * Appends messages without expectation.
     *
     * @param convId   the conversation
     * @param messages the messages
     * @return the result
     */
    protected AppendResult append(String convId, Message... messages) {
        return store.append(AppendRequest.of(convId, Expectation.none(), T, messages));
    }

    /**
     * Appends one user/assistant round per text.
     *
     * @param convId the conversation
     * @param rounds how many rounds
     */
    protected void appendRounds(String convId, int rounds) {
        for (int i = 0; i < rounds; i++) {
            long n = store.load(convId).map(s -> s.counters().roundsTotal()).orElse(0L) + 1;
            store.append(new AppendRequest(convId, List.of(
                    new NewMessage(Message.user("question " + n), 3),
                    new NewMessage(Message.assistant("answer " + n), 5)),
                    Expectation.none(), T));
        }
    }

    private ConversationState state(String convId) {
        return store.load(convId).orElseThrow(() -> new AssertionError(convId + " not stored"));
    }

    private static ToolCall call(String id) {
        return new ToolCall(id, "search", "{\"q\":\"" + id + "\"}");
    }

    // ---- appends ----

    @Test
    void anUnknownConversationLoadsAsEmpty() {
        assertTrue(store.load("never").isEmpty());
        assertTrue(store.messageById("never", "m").isEmpty());
        assertFalse(store.delete("never"));
    }

    @Test
    void theFirstAppendCreatesTheConversationAtRevisionOne() {
        AppendResult r = append("c", Message.user("hi"), Message.assistant("hello"));
        assertEquals(1, r.revision());
        assertEquals(0, r.alreadyStored());
        assertEquals(List.of(1L, 2L), List.of(r.messages().get(0).seq(),
                r.messages().get(1).seq()));
        ConversationState s = state("c");
        assertEquals(1, s.revision());
        assertEquals(1, s.recentRounds().size());
        assertEquals(2, s.counters().messagesTotal());
        assertEquals(r.messages(), s.recentRounds().get(0).messages());
        assertEquals(T, s.recentRounds().get(0).messages().get(0).createdAt());
    }

    @Test
    void aUserMessageOpensTheNextRoundAndEveryOtherJoinsIt() {
        append("c", Message.system("be brief"), Message.user("q1"));
        append("c", Message.assistant("a1"));
        append("c", Message.assistant("a1, continued"));
        AppendResult r = append("c", Message.user("q2"), Message.assistant("a2"));
        assertEquals(2, r.messages().get(0).roundSeq());
        ConversationState s = state("c");
        assertEquals(List.of(4, 2), s.recentRounds().stream().map(x -> x.messages().size())
                .toList());
        assertEquals(4, s.revision());
        assertEquals(2, s.counters().roundsTotal());
        assertEquals(6, s.counters().messagesTotal());
    }

    @Test
    void aToolCallAndItsResultStayInOneRound() {
        append("c", Message.user("weather?"));
        append("c", Message.assistant("", List.of(call("t1"), call("t2"))));
        append("c", Message.tool("t1", "search", "sunny"));
        append("c", Message.tool("t2", "search", "warm"), Message.assistant("sunny and warm"));
        Round round = state("c").recentRounds().get(0);
        assertEquals(5, round.messages().size());
        assertFalse(round.hasUnansweredToolCall());
        assertEquals(List.of(call("t1"), call("t2")),
                round.messages().get(1).message().toolCalls());
        assertEquals(Optional.of("t2"), round.messages().get(3).message().toolCallId());
    }

    @Test
    void messagesThatCannotFollowWhatIsStoredAreRefusedAndNothingIsStored() {
        fails(FailureKind.INVALID_INPUT, () -> append("c", Message.assistant("first")));
        assertTrue(store.load("c").isEmpty(), "a refused first append creates nothing");
        append("c", Message.user("q"));
        fails(FailureKind.INVALID_INPUT, () -> append("c", Message.assistant("a"),
                Message.tool("nope", "search", "r")));
        assertEquals(1, state("c").counters().messagesTotal(), "nothing of a refused batch");
        append("c", Message.assistant("", List.of(call("t"))), Message.user("never mind"));
        fails(FailureKind.INVALID_INPUT, () -> append("c", Message.tool("t", "search", "late")));
        assertEquals(2, state("c").revision());
    }

    @Test
    void invalidConversationIdsAreRefused() {
        for (String id : new String[] {"", "\uD800", "x".repeat(1025), "é".repeat(600)}) {
            fails(FailureKind.INVALID_INPUT, () -> append(id, Message.user("q")));
        }
    }

    @Test
    void idsThatLookLikePathsAreJustIds() {
        List<String> ids = List.of("..", ".", "../escape", "a/b", "sm", "with space", "nul\0x",
                "CON", "tab\tnew\nline", "日本語", "😀".repeat(30), "x".repeat(1024));
        for (String id : ids) {
            append(id, Message.user("q " + id));
        }
        store = reopen(store);
        for (String id : ids) {
            assertEquals("q " + id, state(id).recentRounds().get(0).messages().get(0).message()
                    .content(), id);
        }
        List<String> listed = new ArrayList<>();
        store.list(Optional.empty(), 1000).ids().forEach(listed::add);
        assertEquals(ids.size(), listed.size());
        assertTrue(listed.containsAll(ids));
    }

    @Test
    void contentIdsAndMetadataRoundTripExactly() {
        String text = "line\nnext \"quoted\" \\ \u0000 tab\t é 😀 \u2028 </script>";
        Message m = Message.user(text).withId("msg-1").withMetadata(Map.of("model", "x",
                "k\u00e9", "v\n"));
        Message a = Message.assistant("", List.of(new ToolCall("c1", "run", "not json {")))
                .withId("msg-2");
        append("c", m, a, Message.tool("c1", "run", ""));
        store = reopen(store);
        List<StoredMessage> got = store.messages("c", 1, 10);
        assertEquals(List.of(m, a, Message.tool("c1", "run", "")),
                got.stream().map(StoredMessage::message).toList());
    }

    @Test
    void aLargeMessageRoundTrips() {
        String big = "x".repeat(3 << 20) + "😀";
        append("c", Message.user(big));
        store = reopen(store);
        assertEquals(big, store.messages("c", 1, 1).get(0).message().content());
    }

    // ---- ids and retries ----

    @Test
    void aRetriedMessageIdReturnsTheStoredMessageAndAppendsNothing() {
        AppendResult first = append("c", Message.user("q").withId("u1"),
                Message.assistant("a").withId("a1"));
        AppendResult again = append("c", Message.user("q").withId("u1"),
                Message.assistant("a").withId("a1"));
        assertTrue(again.retried());
        assertEquals(2, again.alreadyStored());
        assertEquals(first.messages(), again.messages());
        assertEquals(1, again.revision());
        assertEquals(2, state("c").counters().messagesTotal());
    }

    @Test
    void aRetryAfterMoreAppendsStillFindsItsMessage() {
        append("c", Message.user("q").withId("u1"));
        appendRounds("c", 3);
        AppendResult again = store.append(AppendRequest.of("c", Expectation.revision(1), T,
                Message.user("q").withId("u1")));
        assertTrue(again.retried(), "a retry succeeds whatever its expectation");
        assertEquals(1, again.messages().get(0).seq());
    }

    @Test
    void aMessageIdStoredWithOtherContentIsAConflictAndChangesNothing() {
        append("c", Message.user("q").withId("u1"));
        PalimpsestException e = fails(FailureKind.CONFLICT,
                () -> append("c", Message.assistant("a"), Message.user("other").withId("u1")));
        assertTrue(e.getMessage().contains("u1"), e.getMessage());
        assertEquals(Optional.of("c"), e.convId());
        assertEquals(1, state("c").counters().messagesTotal());
        fails(FailureKind.CONFLICT, () -> append("c",
                Message.user("q").withId("u1").withMetadata(Map.of("k", "v"))));
    }

    @Test
    void onlyTheNewMessagesOfAPartlyStoredBatchAreAppended() {
        append("c", Message.user("q").withId("u1"));
        AppendResult r = append("c", Message.user("q").withId("u1"),
                Message.assistant("a").withId("a1"));
        assertEquals(1, r.alreadyStored());
        assertFalse(r.retried());
        assertEquals(2, r.messages().get(1).seq());
        assertEquals(2, r.revision());
    }

    @Test
    void aBatchThatNamesOneIdTwiceIsRefused() {
        fails(FailureKind.INVALID_INPUT, () -> append("c", Message.user("q").withId("x"),
                Message.assistant("a").withId("x")));
        assertTrue(store.load("c").isEmpty());
    }

    @Test
    void idsAreUniqueOverTheWholeHistoryIncludingCompactedRounds() {
        append("c", Message.user("q").withId("u1"), Message.assistant("a"));
        appendRounds("c", 2);
        store.commitCompaction(new CompactionRequest("c", 0, 2, "summary", 1, T));
        store = reopen(store);
        assertEquals(1, store.messageById("c", "u1").orElseThrow().seq());
        assertTrue(append("c", Message.user("q").withId("u1")).retried());
        fails(FailureKind.CONFLICT, () -> append("c", Message.user("x").withId("u1")));
        assertTrue(store.messageById("c", "missing").isEmpty());
    }

    // ---- expectations ----

    @Test
    void aRevisionExpectationThatDoesNotHoldChangesNothing() {
        store.append(AppendRequest.of("c", Expectation.revision(0), T, Message.user("q")));
        fails(FailureKind.REVISION_MISMATCH, () -> store.append(AppendRequest.of("c",
                Expectation.revision(0), T, Message.user("again"))));
        fails(FailureKind.REVISION_MISMATCH, () -> store.append(AppendRequest.of("c",
                Expectation.revision(2), T, Message.assistant("a"))));
        store.append(AppendRequest.of("c", Expectation.revision(1), T, Message.assistant("a")));
        assertEquals(2, state("c").revision());
    }

    @Test
    void sequenceExpectationsNameTheNextMessageOrTheRoundOpened() {
        append("c", Message.user("q1"), Message.assistant("a1"));
        store.append(AppendRequest.of("c", Expectation.nextMessageSeq(3), T,
                Message.assistant("more")));
        fails(FailureKind.REVISION_MISMATCH, () -> store.append(AppendRequest.of("c",
                Expectation.nextMessageSeq(3), T, Message.assistant("more"))));
        fails(FailureKind.REVISION_MISMATCH, () -> store.append(AppendRequest.of("c",
                Expectation.nextRoundSeq(2), T, Message.assistant("joins round 1"))));
        fails(FailureKind.REVISION_MISMATCH, () -> store.append(AppendRequest.of("c",
                Expectation.nextRoundSeq(3), T, Message.user("q2"))));
        store.append(AppendRequest.of("c", Expectation.nextRoundSeq(2), T, Message.user("q2")));
        assertEquals(2, state("c").counters().roundsTotal());
    }

    // ---- compaction ----

    @Test
    void aCompactionFoldsRoundsThatStayReadable() {
        appendRounds("c", 5);
        long revision = store.commitCompaction(new CompactionRequest("c", 0, 3, "three rounds",
                7, T.plusSeconds(1)));
        assertEquals(6, revision);
        ConversationState s = state("c");
        assertEquals("three rounds", s.compressedContext());
        assertEquals(List.of(4L, 5L), s.recentRounds().stream().map(Round::seq).toList());
        assertEquals(3, s.counters().compactedRounds());
        assertEquals(6, s.counters().compactedMessages());
        assertEquals(7, s.counters().contextTokens());
        assertEquals(16, s.counters().recentTokens());
        assertEquals(Optional.of(T.plusSeconds(1)), s.counters().lastCompactedAt());
        assertEquals(10, store.messages("c", 1, 100).size());
        assertEquals("question 2", store.rounds("c", 2, 1).get(0).messages().get(0).message()
                .content());
        store = reopen(store);
        assertEquals(s, state("c"));
    }

    @Test
    void aStaleCompactionIsAConflictButAppendsInBetweenAreNot() {
        appendRounds("c", 4);
        appendRounds("c", 2);
        store.commitCompaction(new CompactionRequest("c", 0, 2, "first", 1, T));
        fails(FailureKind.CONFLICT, () -> store.commitCompaction(
                new CompactionRequest("c", 0, 3, "stale", 1, T)));
        assertEquals("first", state("c").compressedContext());
        store.commitCompaction(new CompactionRequest("c", 2, 4, "second", 1, T));
        assertEquals(2, state("c").counters().compactions());
    }

    @Test
    void theNewestRoundIsNeverFolded() {
        appendRounds("c", 2);
        fails(FailureKind.INVALID_INPUT, () -> store.commitCompaction(
                new CompactionRequest("c", 0, 2, "all", 1, T)));
        fails(FailureKind.INVALID_INPUT, () -> store.commitCompaction(
                new CompactionRequest("c", 0, 9, "more", 1, T)));
        fails(FailureKind.NOT_FOUND, () -> store.commitCompaction(
                new CompactionRequest("unknown", 0, 1, "x", 1, T)));
        assertEquals(0, state("c").counters().compactions());
    }

    @Test
    void theNewestSystemMessageIsPinnedThroughCompaction() {
        append("c", Message.system("v1"), Message.user("q1"), Message.assistant("a1"));
        append("c", Message.system("v2"), Message.user("q2"));
        append("c", Message.user("q3"));
        store.commitCompaction(new CompactionRequest("c", 0, 2, "s", 1, T));
        store = reopen(store);
        ConversationState s = state("c");
        assertEquals("v2", s.pinnedSystem().orElseThrow().message().content());
        assertEquals(4, s.pinnedSystem().get().seq());
        assertEquals(1, s.recentRounds().size());
    }

    @Test
    void aFailedCompactionIsCounted() {
        appendRounds("c", 1);
        assertEquals(2, store.recordCompactionFailure("c", T));
        assertEquals(1, state("c").counters().compactionFailures());
        fails(FailureKind.NOT_FOUND, () -> store.recordCompactionFailure("unknown", T));
    }

    // ---- summaries, and appends to a reopened store ----

    @Test
    void aSummaryIsTheStatesRevisionTimeAndCountersBeforeAndAfterAReopen() {
        assertTrue(store.summary("c").isEmpty());
        appendRounds("c", 4);
        store.commitCompaction(new CompactionRequest("c", 0, 2, "two", 3, T.plusSeconds(2)));
        store.recordCompactionFailure("c", T.plusSeconds(3));
        append("c", Message.user("q5"));
        assertEquals(Optional.of(ConversationSummary.of(state("c"))), store.summary("c"));
        store = reopen(store);
        assertEquals(Optional.of(ConversationSummary.of(state("c"))), store.summary("c"));
        store = reopen(store);
        ConversationSummary first = store.summary("c").orElseThrow();
        assertEquals(7, first.revision());
        assertEquals(T, first.updatedAt());
        assertEquals(5, first.counters().roundsTotal());
        assertEquals(1, first.counters().compactionFailures());
        assertTrue(store.summary("unknown").isEmpty());
    }

    @Test
    void anAppendToAReopenedStoreJoinsTheOpenRoundAsAnUnclosedStoreWould() {
        append("c", Message.system("rules"), Message.user("weather?"));
        append("c", Message.assistant("", List.of(call("t1"), call("t2"))));
        store = reopen(store);
        append("c", Message.tool("t1", "search", "sunny"));
        store = reopen(store);
        // The round is still open: a result for an unknown call is refused, t2's joins.
        fails(FailureKind.INVALID_INPUT, () -> append("c", Message.tool("t9", "search", "?")));
        store = reopen(store);
        append("c", Message.tool("t2", "search", "warm"), Message.assistant("sunny, warm"));
        store = reopen(store);
        AppendResult next = append("c", Message.user("and tomorrow?"));
        assertEquals(2, next.messages().get(0).roundSeq());
        assertEquals(7, next.messages().get(0).seq());
        ConversationState s = state("c");
        assertEquals(List.of(6, 1), s.recentRounds().stream().map(r -> r.messages().size())
                .toList());
        assertEquals("rules", s.pinnedSystem().orElseThrow().message().content());
        assertEquals(next.counters(), s.counters());
    }

    @Test
    void appendsToAReopenedStoreFollowACompactionAndAFailure() {
        appendRounds("c", 6);
        store.commitCompaction(new CompactionRequest("c", 0, 4, "four", 2, T));
        store = reopen(store);
        append("c", Message.assistant("more of round 6"));
        store.recordCompactionFailure("c", T);
        store = reopen(store);
        appendRounds("c", 1);
        store = reopen(store);
        ConversationState s = state("c");
        assertEquals(List.of(5L, 6L, 7L), s.recentRounds().stream().map(Round::seq).toList());
        assertEquals(3, s.recentRounds().get(1).messages().size());
        assertEquals("four", s.compressedContext());
        assertEquals(1, s.counters().compactionFailures());
        assertEquals(15, s.counters().messagesTotal());
        assertEquals(8, s.counters().compactedMessages());
    }

    // ---- reads ----

    @Test
    void rangesReadAcrossTheCompactionBoundary() {
        appendRounds("c", 10);
        store.commitCompaction(new CompactionRequest("c", 0, 6, "s", 1, T));
        List<StoredMessage> m = store.messages("c", 11, 4);
        assertEquals(List.of(11L, 12L, 13L, 14L), m.stream().map(StoredMessage::seq).toList());
        assertEquals(List.of(6L, 7L), store.rounds("c", 6, 2).stream().map(Round::seq).toList());
        assertEquals(List.of(), store.messages("c", 21, 5));
        assertEquals(List.of(), store.rounds("c", 11, 5));
        assertEquals(1, store.messages("c", 20, 5).size());
        assertEquals(List.of(), store.messages("c", 1, 0));
        fails(FailureKind.INVALID_INPUT, () -> store.messages("c", 0, 1));
        fails(FailureKind.INVALID_INPUT, () -> store.rounds("c", 1, -1));
        fails(FailureKind.NOT_FOUND, () -> store.messages("unknown", 1, 1));
        fails(FailureKind.NOT_FOUND, () -> store.rounds("unknown", 1, 1));
    }

    @Test
    void listPagesThroughEveryConversationInCodePointOrder() {
        List<String> ids = List.of("b", "a", "\uFFFD", "😀", "aa", "c");
        for (String id : ids) {
            append(id, Message.user("q"));
        }
        List<String> seen = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        int pages = 0;
        do {
            ConversationPage page = store.list(cursor, 4);
            seen.addAll(page.ids());
            cursor = page.next();
            pages++;
        } while (cursor.isPresent() && pages < 10);
        assertEquals(List.of("a", "aa", "b", "c", "\uFFFD", "😀"), seen);
        fails(FailureKind.INVALID_INPUT, () -> store.list(Optional.empty(), 0));
    }

    @Test
    void summariesPageThroughWhatListAndSummaryShow() {
        List<String> ids = List.of("b", "a", "\uFFFD", "😀", "aa", "c");
        for (int i = 0; i < ids.size(); i++) {
            appendRounds(ids.get(i), i + 1); // counters that tell the conversations apart
        }
        store.delete("aa");
        store = reopen(store);
        List<ConversationSummary> expected = new ArrayList<>();
        for (String id : store.list(Optional.empty(), 100).ids()) {
            expected.add(store.summary(id).orElseThrow());
        }
        assertEquals(List.of("a", "b", "c", "\uFFFD", "😀"), expected.stream()
                .map(ConversationSummary::convId).toList());
        List<ConversationSummary> seen = new ArrayList<>();
        Optional<String> cursor = Optional.empty();
        int pages = 0;
        do {
            SummaryPage page = store.summaries(cursor, 2);
            assertEquals(List.of(), page.unreadable());
            assertTrue(page.summaries().size() <= 2, page.toString());
            seen.addAll(page.summaries());
            cursor = page.next();
            pages++;
        } while (cursor.isPresent() && pages < 10);
        assertEquals(expected, seen);
        assertEquals(expected.subList(2, 5), store.summaries(Optional.of("b"), 10).summaries());
        fails(FailureKind.INVALID_INPUT, () -> store.summaries(Optional.empty(), 0));
    }

    @Test
    void aPageOfHundredsHoldsEveryConversationInOrder() {
        // Enough that a store reading a page in parallel (the file store does from 128) does.
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            ids.add(String.format("conv-%03d", i));
        }
        for (int i = 0; i < ids.size(); i++) {
            append(ids.get(i), Message.user("q" + i), Message.assistant("a" + i));
            if (i % 7 == 0) {
                append(ids.get(i), Message.user("again"));
            }
        }
        store.delete("conv-150");
        store = reopen(store);
        List<ConversationSummary> expected = new ArrayList<>();
        for (String id : ids) {
            store.summary(id).ifPresent(expected::add);
        }
        assertEquals(299, expected.size());
        SummaryPage all = store.summaries(Optional.empty(), 1000);
        assertEquals(expected, all.summaries());
        assertEquals(Optional.empty(), all.next());
        SummaryPage first = store.summaries(Optional.empty(), 200);
        assertEquals(expected.subList(0, 200), first.summaries());
        assertEquals(Optional.of("conv-200"), first.next());
        SummaryPage rest = store.summaries(first.next(), 200);
        assertEquals(expected.subList(200, 299), rest.summaries());
        assertEquals(Optional.empty(), rest.next());
    }

    // ---- delete ----

    @Test
    void deleteErasesEverythingAndTheIdStartsAgainAtOne() {
        append("c", Message.user("secret").withId("s1"), Message.assistant("a"));
        appendRounds("c", 3);
        store.commitCompaction(new CompactionRequest("c", 0, 2, "secret summary", 1, T));
        assertTrue(store.delete("c"));
        assertTrue(store.load("c").isEmpty());
        assertTrue(store.messageById("c", "s1").isEmpty());
        assertEquals(List.of(), store.list(Optional.empty(), 10).ids());
        fails(FailureKind.NOT_FOUND, () -> store.messages("c", 1, 1));
        AppendResult fresh = append("c", Message.user("new").withId("s1"));
        assertEquals(1, fresh.messages().get(0).seq());
        assertEquals(1, fresh.revision());
        store = reopen(store);
        assertEquals(List.of("new"), store.messages("c", 1, 100).stream()
                .map(x -> x.message().content()).toList());
        assertFalse(state("c").compressedContext().contains("secret"));
    }

    @Test
    void deleteLeavesOtherConversationsAlone() {
        appendRounds("a", 2);
        appendRounds("b", 2);
        store.delete("a");
        store = reopen(store);
        assertEquals(4, state("b").counters().messagesTotal());
        assertEquals(List.of("b"), store.list(Optional.empty(), 10).ids());
    }

    // ---- durability across reopen, concurrency ----

    @Test
    void aReopenedStoreHoldsEverythingThatWasAcknowledged() {
        appendRounds("c", 20);
        store.commitCompaction(new CompactionRequest("c", 0, 12, "s", 1, T));
        appendRounds("c", 3);
        store.recordCompactionFailure("c", T);
        ConversationState before = state("c");
        List<StoredMessage> all = store.messages("c", 1, 1000);
        store = reopen(store);
        assertEquals(before, state("c"));
        assertEquals(all, store.messages("c", 1, 1000));
        appendRounds("c", 1);
        assertEquals(before.revision() + 1, state("c").revision());
    }

    @Test
    void concurrentAppendsAreNumberedWithoutGapsOrLoss() throws Exception {
        int threads = 8;
        int each = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        String conv = thread % 2 == 0 ? "shared" : "own-" + thread;
                        store.append(AppendRequest.of(conv, Expectation.none(), T,
                                Message.user("t" + thread + " #" + i).withId(thread + "-" + i),
                                Message.assistant("ok")));
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        store = reopen(store);
        List<StoredMessage> shared = store.messages("shared", 1, 10_000);
        assertEquals(4 * each * 2, shared.size());
        for (int i = 0; i < shared.size(); i++) {
            assertEquals(i + 1, shared.get(i).seq());
            assertEquals(i / 2 + 1, shared.get(i).roundSeq());
        }
        assertEquals(4 * each, state("shared").counters().roundsTotal());
        assertEquals(each * 2, state("own-1").counters().messagesTotal());
    }
}
