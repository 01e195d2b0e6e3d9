package dev.palimpsest.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.model.Round;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.model.ToolCall;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;

/**
 * For any previous context and any rounds (user or system openers, tool exchanges, abandoned
 * calls), the extractive summarizer returns a non-blank, valid-Unicode summary within its budget
 * that names the newest folded round, and never throws.
 *
 * <p>{@code ./mvnw verify} replays the committed seeds under
 * {@code src/test/resources/dev/palimpsest/engine/ExtractiveSummarizerFuzzTestInputs/};
 * see docs/testing.md for fuzzing for real.
 */
class ExtractiveSummarizerFuzzTest {
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final AtomicInteger SUMMARIZED = new AtomicInteger();

    @FuzzTest(maxDuration = "30s")
    void anyInputGivesAValidSummaryWithinTheBudget(FuzzedDataProvider data) {
        RUNS.incrementAndGet();
        int budget = data.consumeInt(ExtractiveSummarizer.MIN_BUDGET, 3_000);
        int count = data.consumeInt(1, 6);
        // Room above the first round for every message seq (at most 5 per round).
        long seq = data.consumeLong(1, Long.MAX_VALUE - 100);
        List<Round> rounds = new ArrayList<>();
        long messageSeq = seq;
        try {
            for (int i = 0; i < count; i++) {
                List<Message> parts = round(data, i);
                List<StoredMessage> stored = new ArrayList<>();
                for (Message m : parts) {
                    stored.add(new StoredMessage(messageSeq++, seq + i, Instant.EPOCH, 1, m));
                }
                rounds.add(new Round(seq + i, stored));
            }
        } catch (PalimpsestException notAValidRound) {
            // The model never lets such a message reach a summarizer (an unpaired surrogate).
            assertEquals(FailureKind.INVALID_INPUT, notAValidRound.kind());
            return;
        }
        String previous = data.consumeRemainingAsString();
        String summary = ExtractiveSummarizer.withBudget(budget)
                .summarize(new SummaryRequest("fuzz", previous, rounds));
        SUMMARIZED.incrementAndGet();
        assertTrue(summary.length() <= budget, summary.length() + " > " + budget);
        assertFalse(summary.isBlank());
        assertFalse(hasUnpairedSurrogate(summary), summary);
        assertTrue(summary.contains("#" + (seq + count - 1) + " "),
                "the newest round survives: " + summary);
    }

    /** One round's messages, shaped as the model allows: opener, calls and results, answer. */
    private static List<Message> round(FuzzedDataProvider data, int index) {
        List<Message> parts = new ArrayList<>();
        int shape = data.consumeInt(0, 3);
        String opening = data.consumeString(400);
        parts.add(shape == 2 ? Message.system(opening) : Message.user(opening));
        if (shape == 1 || shape == 3) {
            String name = "tool" + data.consumeString(20);
            String id = "call" + index;
            parts.add(Message.assistant(data.consumeString(100),
                    List.of(new ToolCall(id, name, data.consumeString(100)))));
            if (shape == 1) {
                parts.add(Message.tool(id, name, data.consumeString(200)));
            }
        }
        if (shape != 3) {
            parts.add(Message.assistant(data.consumeString(600)));
        }
        return parts;
    }

    /**
     * Whether {@code s} holds a surrogate without its pair, told independently of the engine's
     * own check: UTF-8 cannot encode one, so only such a string changes on a round trip.
     */
    static boolean hasUnpairedSurrogate(String s) {
        return !s.equals(new String(s.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Jazzer runs one empty input when the seed folder is missing; fail instead of passing. */
    @AfterAll
    static void seedCorpusWasReplayed() {
        if (System.getenv("JAZZER_FUZZ") == null) {
            assertTrue(RUNS.get() > 1, "the committed seed corpus was not replayed (runs: "
                    + RUNS.get() + ")");
            assertTrue(SUMMARIZED.get() * 2 > RUNS.get(), "most seeds must reach the summarizer,"
                    + " not stop at the model's validation: " + SUMMARIZED.get() + " of "
                    + RUNS.get());
        }
    }
}
