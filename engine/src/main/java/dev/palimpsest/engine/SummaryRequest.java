package dev.palimpsest.engine;

import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.model.Round;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link Summarizer} is asked to fold: the compressed context so far and the oldest recent
 * rounds, whole, which leave the prompt once the summary commits.
 *
 * @param convId          the conversation
 * @param previousContext the compressed context so far; empty before the first compaction
 * @param evictedRounds   the rounds to fold in, oldest first, contiguous; at least one
 */
public record SummaryRequest(String convId, String previousContext, List<Round> evictedRounds) {
    /**
     * Rejects null parts and an empty or gapped round list, and copies the rounds.
     *
     * @param convId          the conversation
     * @param previousContext the compressed context so far
     * @param evictedRounds   the rounds to fold in, oldest first, contiguous; at least one
     */
    public SummaryRequest {
        Objects.requireNonNull(convId, "convId");
        Objects.requireNonNull(previousContext, "previousContext");
        evictedRounds = List.copyOf(evictedRounds);
        if (evictedRounds.isEmpty()) {
            throw PalimpsestException.invalid(
                    "evictedRounds of '" + convId + "' must hold at least one round");
        }
        for (int i = 1; i < evictedRounds.size(); i++) {
            if (evictedRounds.get(i).seq() != evictedRounds.get(i - 1).seq() + 1) {
                throw PalimpsestException.invalid("evictedRounds of '" + convId
                        + "' must be contiguous: round " + evictedRounds.get(i).seq()
                        + " follows round " + evictedRounds.get(i - 1).seq());
            }
        }
    }

    /** {@return the seq of the last round folded} */
    public long throughRound() {
        return evictedRounds.get(evictedRounds.size() - 1).seq();
    }
}
