package dev.palimpsest.engine;

import dev.palimpsest.core.Round;
import java.util.List;
import java.util.Objects;

/**
 * What a {@link Summarizer} is asked to fold: the compressed context so far and the oldest recent
 * rounds, which leave the prompt once the summary commits.
 *
 * @param convId          the conversation
 * @param previousContext the compressed context so far; empty before the first compaction
 * @param evictedRounds   the rounds to fold in, oldest first, contiguous; at least one
 */
public record SummaryRequest(String convId, String previousContext, List<Round> evictedRounds) {
    /**
     * Rejects null parts and an empty round list, and copies the rounds.
     *
     * @param convId          the conversation
     * @param previousContext the compressed context so far; empty before the first compaction
     * @param evictedRounds   the rounds to fold in, oldest first, contiguous; at least one
     */
    public SummaryRequest {
        Objects.requireNonNull(convId, "convId");
        Objects.requireNonNull(previousContext, "previousContext");
        evictedRounds = List.copyOf(evictedRounds);
        if (evictedRounds.isEmpty()) {
            throw new IllegalArgumentException(
                    "evictedRounds of '" + convId + "' must hold at least one round");
        }
    }
}
