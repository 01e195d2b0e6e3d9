package dev.palimpsest.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.palimpsest.model.Counters;
import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.PalimpsestException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;

/**
 * For any bounds, a policy is either rejected as {@code INVALID_INPUT} with a message naming the
 * values, or decides consistently from any counters: it folds only when a limit is exceeded and
 * something can be evicted, always down to exactly {@code keepRounds}, so a window above
 * {@code maxRounds} never survives a compaction and the newest round is never folded.
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
        } catch (PalimpsestException rejected) {
            assertEquals(FailureKind.INVALID_INPUT, rejected.kind());
            assertTrue(keepRounds < 1 || keepRounds >= maxRounds || maxTokens < 1,
                    "rejected a valid policy: " + rejected.getMessage());
            assertTrue(rejected.getMessage().matches(".*-?\\d+.*"), rejected.getMessage());
            return;
        }
        int recent = data.consumeInt(0, 250);
        long contextTokens = data.consumeLong(0, 3_000_000);
        long recentTokens = data.consumeLong(0, 3_000_000);
        long compacted = data.consumeLong(0, 1_000_000_000);
        Counters counters = CompactionPolicyTest.counters(compacted, recent, contextTokens,
                recentTokens);

        int fold = policy.roundsToFold(counters);
        boolean over = recent > maxRounds || contextTokens + recentTokens > maxTokens;
        assertEquals(over, policy.isOverLimit(counters));
        if (over && recent > keepRounds) {
            assertEquals(recent - keepRounds, fold, "folds down to keepRounds");
        } else {
            assertEquals(0, fold);
        }
        assertTrue(recent - fold <= maxRounds, "window after folding: " + (recent - fold));
        assertTrue(recent == 0 || fold <= recent - 1, "the newest round is never folded");
        int onDemand = policy.roundsToFoldOnDemand(counters);
        assertEquals(Math.max(0, recent - keepRounds), onDemand);
        assertTrue(recent == 0 || onDemand <= recent - 1, "not even on demand");
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
