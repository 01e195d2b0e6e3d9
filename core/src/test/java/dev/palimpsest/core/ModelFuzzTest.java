package dev.palimpsest.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;

/**
 * For any input, the model either accepts a value that satisfies every invariant or rejects it
 * with {@link InvalidModelException}; nothing else escapes.
 *
 * <p>{@code ./mvnw verify} replays the committed seeds under
 * {@code src/test/resources/dev/palimpsest/core/ModelFuzzTestInputs/}; see docs/testing.md for
 * fuzzing for real.
 */
class ModelFuzzTest {
    private static final AtomicInteger RUNS = new AtomicInteger();

    @FuzzTest(maxDuration = "30s")
    void anyValueIsValidOrRejectedWithATypedError(FuzzedDataProvider data) {
        RUNS.incrementAndGet();
        long compacted = data.consumeLong(-2, 50);
        int recent = data.consumeInt(0, 6);
        long firstSeq = data.consumeLong(-1, 60);
        List<Round> rounds = new ArrayList<>();
        try {
            for (int i = 0; i < recent; i++) {
                rounds.add(new Round(firstSeq + i, data.consumeString(20), data.consumeString(20),
                        Instant.ofEpochSecond(data.consumeInt()),
                        data.consumeBoolean() ? Map.of() : Map.of(data.consumeString(5),
                                data.consumeString(5))));
            }
            long total = data.consumeBoolean() ? compacted + recent : data.consumeLong(-1, 60);
            long compactions = data.consumeLong(-1, 3);
            Counters counters = new Counters(total, compactions, compacted,
                    data.consumeLong(-1, 3), data.consumeLong(-1, 99), data.consumeLong(-1, 99),
                    data.consumeBoolean() ? Optional.empty() : Optional.of(Instant.EPOCH));
            Conversation c = new Conversation(data.consumeString(10), data.consumeLong(-1, 9),
                    Instant.EPOCH, data.consumeRemainingAsString(), rounds, counters);
            assertInvariants(c);
        } catch (InvalidModelException expected) {
            assertTrue(expected.getMessage() != null && !expected.getMessage().isEmpty());
        }
    }

    private static void assertInvariants(Conversation c) {
        assertTrue(!c.convId().isEmpty());
        assertTrue(c.revision() >= 0);
        Counters k = c.counters();
        assertEquals(k.roundsTotal(), k.compactedRounds() + c.recentRounds().size());
        long seq = k.compactedRounds() + 1;
        for (Round r : c.recentRounds()) {
            assertEquals(seq++, r.seq());
        }
        assertEquals(k.compactions() > 0, k.lastCompactedAt().isPresent());
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
