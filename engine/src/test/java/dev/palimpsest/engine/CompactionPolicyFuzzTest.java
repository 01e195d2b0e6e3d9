package dev.palimpsest.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.palimpsest.core.Conversation;
import dev.palimpsest.core.Counters;
import dev.palimpsest.core.Round;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;

/**
 * For any bounds, a policy is either rejected with a message or decides consistently: it folds
 * only when a limit is exceeded and something can be evicted, always down to exactly
 * {@code keepRounds}, so a window above {@code maxRounds} never survives a compaction.
 *
 * <p>{@code ./mvnw verify} replays the committed seeds under
 * {@code src/test/resources/dev/palimpsest/engine/CompactionPolicyFuzzTestInputs/}.
 */
class CompactionPolicyFuzzTest {
    private static final AtomicInteger RUNS = new AtomicInteger();

    @FuzzTest(maxDuration = "30s")
    void anyPolicyIsRejectedOrFoldsDownToKeepRounds(FuzzedDataProvider data) {
        RUNS.incrementAndGet();
        int maxRounds = data.consumeInt(-2, 120);
        int keepRounds = data.consumeInt(-2, 120);
        long maxTokens = data.consumeLong(-2, 2_000_000);
        CompactionPolicy policy;
        try {
            policy = new CompactionPolicy(maxRounds, keepRounds, maxTokens);
        } catch (IllegalArgumentException rejected) {
            assertTrue(keepRounds < 1 || keepRounds >= maxRounds || maxTokens < 1,
                    "rejected a valid policy: " + rejected.getMessage());
            assertTrue(rejected.getMessage().matches(".*-?\\d+.*"), rejected.getMessage());
            return;
        }
        int recent = data.consumeInt(0, 250);
        long contextTokens = data.consumeLong(0, 3_000_000);
        long recentTokens = data.consumeLong(0, 3_000_000);
        Conversation state = state(recent, contextTokens, recentTokens);

        int fold = policy.roundsToFold(state);
        boolean over = recent > maxRounds || contextTokens + recentTokens > maxTokens;
        assertEquals(over, policy.isOverLimit(state));
        if (over && recent > keepRounds) {
            assertEquals(recent - keepRounds, fold);
        } else {
            assertEquals(0, fold);
        }
        assertTrue(recent - fold <= maxRounds, "window after folding: " + (recent - fold));
        assertEquals(Math.max(0, recent - keepRounds), policy.roundsToFoldOnDemand(state));
    }

    private static Conversation state(int recent, long contextTokens, long recentTokens) {
        List<Round> rounds = new ArrayList<>(recent);
        for (int i = 1; i <= recent; i++) {
            rounds.add(new Round(i, "", "", Instant.EPOCH));
        }
        return new Conversation("fuzz", 1, Instant.EPOCH, "", rounds, new Counters(recent, 0, 0,
                0, contextTokens, recentTokens, Optional.empty()));
    }

    /** Jazzer runs one empty input when the seed folder is missing; fail instead of passing. */
    @AfterAll
    static void seedCorpusWasReplayed() {
        if (System.getenv("JAZZER_FUZZ") == null) {
            assertTrue(RUNS.get() > 1, "the committed seed corpus was not replayed (runs: "
                    + RUNS.get() + ")");
        }
    }
}
