package dev.palimpsest.engine.summarizer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.palimpsest.core.InvalidModelException;
import dev.palimpsest.core.Round;
import dev.palimpsest.engine.SummaryRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;

/**
 * For any previous context and any rounds, the extractive summarizer returns a non-blank,
 * valid-Unicode summary within its budget, and never throws.
 *
 * <p>{@code ./mvnw verify} replays the committed seeds under
 * {@code src/test/resources/dev/palimpsest/engine/summarizer/ExtractiveSummarizerFuzzTestInputs/};
 * see docs/testing.md for fuzzing for real.
 */
class ExtractiveSummarizerFuzzTest {
    private static final AtomicInteger RUNS = new AtomicInteger();

    @FuzzTest(maxDuration = "30s")
    void anyInputGivesAValidSummaryWithinTheBudget(FuzzedDataProvider data) {
        RUNS.incrementAndGet();
        int budget = data.consumeInt(ExtractiveSummarizer.MIN_BUDGET, 3_000);
        int count = data.consumeInt(1, 6);
        long seq = data.consumeLong(1, Long.MAX_VALUE - 10);
        List<Round> rounds = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                rounds.add(new Round(seq + i, data.consumeString(400), data.consumeString(600),
                        Instant.EPOCH));
            }
        } catch (InvalidModelException notAValidRound) {
            return; // the model never lets such a round reach a summarizer
        }
        String previous = data.consumeRemainingAsString();
        String summary = ExtractiveSummarizer.withBudget(budget)
                .summarize(new SummaryRequest("fuzz", previous, rounds));
        assertTrue(summary.length() <= budget, summary.length() + " > " + budget);
        assertFalse(summary.isBlank());
        assertFalse(ExtractiveSummarizerTest.hasUnpairedSurrogate(summary));
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
