package dev.palimpsest.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.core.Conversation;
import dev.palimpsest.core.Counters;
import dev.palimpsest.core.Round;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CompactionPolicyTest {

    private static Conversation withRecent(int rounds, long contextTokens, long recentTokens) {
        List<Round> recent = new ArrayList<>();
        for (int i = 1; i <= rounds; i++) {
            recent.add(new Round(i, "u", "a", Instant.EPOCH));
        }
        return new Conversation("c", 1, Instant.EPOCH, contextTokens > 0 ? "ctx" : "", recent,
                new Counters(rounds, 0, 0, 0, contextTokens, recentTokens, Optional.empty()));
    }

    @Test
    void invalidBoundsAreRejectedNamingTheValues() {
        IllegalArgumentException keepTooLarge = assertThrows(IllegalArgumentException.class,
                () -> new CompactionPolicy(5, 5, 100));
        assertEquals("keepRounds must be < maxRounds: 5 >= 5", keepTooLarge.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new CompactionPolicy(5, 0, 100));
        assertThrows(IllegalArgumentException.class, () -> new CompactionPolicy(5, 2, 0));
        assertThrows(IllegalArgumentException.class, () -> new CompactionPolicy(0, -1, 1));
        assertEquals(new CompactionPolicy(2, 1, 1), new CompactionPolicy(2, 1, 1));
    }

    @Test
    void theDefaultsCompactEveryTwentyRoundsWithinTwentyFourThousandTokens() {
        assertEquals(new CompactionPolicy(40, 20, 24_000), CompactionPolicy.DEFAULT);
    }

    @Test
    void tooManyRoundsFoldDownToKeepRounds() {
        CompactionPolicy policy = new CompactionPolicy(6, 3, 1_000);
        assertEquals(0, policy.roundsToFold(withRecent(6, 0, 10)));
        assertFalse(policy.isOverLimit(withRecent(6, 0, 10)));
        assertEquals(4, policy.roundsToFold(withRecent(7, 0, 10)));
        assertTrue(policy.isOverLimit(withRecent(7, 0, 10)));
    }

    @Test
    void tooManyTokensFoldDownToKeepRoundsCountingTheContext() {
        CompactionPolicy policy = new CompactionPolicy(40, 3, 1_000);
        assertEquals(0, policy.roundsToFold(withRecent(5, 500, 500)));
        assertEquals(2, policy.roundsToFold(withRecent(5, 500, 501)));
        assertEquals(2, policy.roundsToFold(withRecent(5, 0, 1_001)));
    }

    @Test
    void nothingToEvictMeansNoCompactionHoweverLargeTheRounds() {
        CompactionPolicy policy = new CompactionPolicy(40, 3, 1_000);
        assertTrue(policy.isOverLimit(withRecent(3, 0, 1_000_000)));
        assertEquals(0, policy.roundsToFold(withRecent(3, 0, 1_000_000)));
        assertEquals(0, policy.roundsToFold(withRecent(0, 5_000, 0)));
    }

    @Test
    void onDemandFoldsDownToKeepRoundsWithoutALimitExceeded() {
        CompactionPolicy policy = new CompactionPolicy(40, 3, 1_000);
        assertEquals(2, policy.roundsToFoldOnDemand(withRecent(5, 0, 10)));
        assertEquals(0, policy.roundsToFoldOnDemand(withRecent(3, 0, 10)));
    }

    @Test
    void withersReplaceOnlyTheirPart() {
        assertEquals(new CompactionPolicy(10, 5, 24_000),
                CompactionPolicy.DEFAULT.withRounds(10, 5));
        assertEquals(new CompactionPolicy(40, 20, 8_000),
                CompactionPolicy.DEFAULT.withMaxTokens(8_000));
    }
}
