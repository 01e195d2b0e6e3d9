package dev.palimpsest.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.model.ConversationState;
import dev.palimpsest.model.Counters;
import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.model.Round;
import dev.palimpsest.model.ToolCall;
import dev.palimpsest.store.ConversationStore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The policy decides from the counters alone: validation, when a compaction is due, how much it
 * folds, and that the newest round, which may still wait for a tool result, is never folded.
 */
class CompactionPolicyTest {
    @TempDir
    Path dir;

    /**
     * Counters of a conversation with {@code compacted} rounds folded (one message each) and
     * {@code recent} rounds verbatim (two messages each).
     */
    static Counters counters(long compacted, long recent, long contextTokens, long recentTokens) {
        long compactions = Math.min(compacted, 1);
        return new Counters(compacted + recent, compacted + 2 * recent, compactions, compacted,
                compacted, 0, contextTokens, recentTokens,
                compactions > 0 ? Optional.of(Instant.EPOCH) : Optional.empty());
    }

    @Test
    void invalidBoundsAreRejectedAsInvalidInputNamingTheValues() {
        PalimpsestException keepTooLarge = assertThrows(PalimpsestException.class,
                () -> new CompactionPolicy(5, 5, 100));
        assertEquals(FailureKind.INVALID_INPUT, keepTooLarge.kind());
        assertEquals("keepRounds must be < maxRounds: 5 >= 5", keepTooLarge.getMessage());
        for (int[] bounds : new int[][] {{5, 0, 100}, {5, 2, 0}, {0, -1, 1}, {3, 1, -7}}) {
            PalimpsestException e = assertThrows(PalimpsestException.class,
                    () -> new CompactionPolicy(bounds[0], bounds[1], bounds[2]));
            assertEquals(FailureKind.INVALID_INPUT, e.kind());
            assertTrue(e.getMessage().matches(".*-?\\d+.*"), e.getMessage());
        }
        assertEquals(FailureKind.INVALID_INPUT, assertThrows(PalimpsestException.class,
                () -> CompactionPolicy.never(0)).kind());
        assertEquals(FailureKind.INVALID_INPUT, assertThrows(PalimpsestException.class,
                () -> CompactionPolicy.DEFAULT.withRounds(10, 10)).kind());
        assertEquals(new CompactionPolicy(2, 1, 1), new CompactionPolicy(2, 1, 1));
    }

    @Test
    void theDefaultsCompactEveryTwentyRoundsWithinTwentyFourThousandTokens() {
        assertEquals(new CompactionPolicy(40, 20, 24_000), CompactionPolicy.DEFAULT);
    }

    @Test
    void tooManyRecentRoundsFoldDownToKeepRoundsAndCompactedRoundsDoNotCount() {
        CompactionPolicy policy = new CompactionPolicy(6, 3, 1_000);
        assertFalse(policy.isOverLimit(counters(0, 6, 0, 10)));
        assertEquals(0, policy.roundsToFold(counters(0, 6, 0, 10)));
        assertTrue(policy.isOverLimit(counters(0, 7, 0, 10)));
        assertEquals(4, policy.roundsToFold(counters(0, 7, 0, 10)));
        // 1,000 rounds in all, but only 6 recent ones: within the window.
        assertEquals(0, policy.roundsToFold(counters(994, 6, 10, 10)));
        assertEquals(4, policy.roundsToFold(counters(993, 7, 10, 10)));
    }

    @Test
    void tooManyTokensFoldDownToKeepRoundsCountingTheContext() {
        CompactionPolicy policy = new CompactionPolicy(40, 3, 1_000);
        assertEquals(0, policy.roundsToFold(counters(9, 5, 500, 500)));
        assertEquals(2, policy.roundsToFold(counters(9, 5, 500, 501)));
        assertEquals(2, policy.roundsToFold(counters(0, 5, 0, 1_001)));
    }

    @Test
    void nothingToEvictMeansNoCompactionHoweverLargeTheRounds() {
        CompactionPolicy policy = new CompactionPolicy(40, 3, 1_000);
        assertTrue(policy.isOverLimit(counters(0, 3, 0, 1_000_000)));
        assertEquals(0, policy.roundsToFold(counters(0, 3, 0, 1_000_000)));
        assertEquals(0, policy.roundsToFold(counters(12, 0, 5_000, 0)));
        assertEquals(0, policy.roundsToFold(Counters.ZERO));
    }

    @Test
    void onDemandFoldsDownToKeepRoundsWithoutALimitExceeded() {
        CompactionPolicy policy = new CompactionPolicy(40, 3, 1_000);
        assertEquals(2, policy.roundsToFoldOnDemand(counters(0, 5, 0, 10)));
        assertEquals(2, policy.roundsToFoldOnDemand(counters(100, 5, 10, 10)));
        assertEquals(0, policy.roundsToFoldOnDemand(counters(0, 3, 0, 10)));
    }

    @Test
    void neverCompactsOnAppendButFoldsToKeepRoundsOnDemand() {
        CompactionPolicy never = CompactionPolicy.never(2);
        Counters huge = counters(0, 100_000, 1L << 40, 1L << 40);
        assertFalse(never.isOverLimit(huge));
        assertEquals(0, never.roundsToFold(huge));
        assertEquals(99_998, never.roundsToFoldOnDemand(huge));
    }

    @Test
    void withersReplaceOnlyTheirPart() {
        assertEquals(new CompactionPolicy(10, 5, 24_000),
                CompactionPolicy.DEFAULT.withRounds(10, 5));
        assertEquals(new CompactionPolicy(40, 20, 8_000),
                CompactionPolicy.DEFAULT.withMaxTokens(8_000));
    }

    /**
     * A policy over its token limit at every append (one token) compacts after each one, and
     * still never folds the newest round while it waits for a tool result; the result then joins
     * that round.
     */
    @ParameterizedTest
    @MethodSource("dev.palimpsest.engine.Backends#all")
    void aRoundWaitingForAToolResultIsNeverFoldedHoweverFarOverTheLimit(Backends backend) {
        try (ConversationStore store = backend.open(dir);
             ConversationEngine engine = ConversationEngine.builder(store)
                     .policy(new CompactionPolicy(2, 1, 1))
                     .summarizer(RecordingSummarizer.immediate()).build()) {
            for (int i = 1; i <= 6; i++) {
                engine.append("c", Message.user("q" + i), Message.assistant("", List.of(
                        new ToolCall("call" + i, "lookup", "{}"))));
                ConversationState state = engine.state("c").orElseThrow();
                Round newest = state.lastRound().orElseThrow();
                assertEquals(i, newest.seq(), "the newest round is recent");
                assertTrue(newest.hasUnansweredToolCall());
                assertEquals(1, state.recentRounds().size(), "older rounds were folded");
                assertEquals(i - 1, state.counters().compactedRounds());

                engine.append("c", Message.tool("call" + i, "lookup", "found " + i));
                Round answered = engine.state("c").orElseThrow().lastRound().orElseThrow();
                assertEquals(i, answered.seq(), "the result joined its round");
                assertEquals(3, answered.messages().size());
                assertFalse(answered.hasUnansweredToolCall());
            }
            assertEquals(18, engine.messages("c", 1, 100).size(), "every message stays readable");
        }
    }
}
