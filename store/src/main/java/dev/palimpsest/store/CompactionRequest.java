package dev.palimpsest.store;

import dev.palimpsest.model.PalimpsestException;
import java.time.Instant;

/**
 * "Checkpoint this compaction": the new compressed context and the round it folds up to, one
 * change committed atomically. It is computed from a snapshot while appends go on, so it names
 * the compaction it follows ({@code baseCompactedRounds}) instead of a revision: appends in
 * between do not make it stale, another compaction does (a {@code CONFLICT}).
 *
 * @param convId              the conversation
 * @param baseCompactedRounds the rounds compacted in the snapshot the summary was made from
 * @param throughRound        the last round folded; never the newest round, which may still grow
 * @param compressedContext   the new compressed context, covering every round up to it
 * @param contextTokens       its token estimate
 * @param at                  when the compaction commits
 */
public record CompactionRequest(String convId, long baseCompactedRounds, long throughRound,
                                String compressedContext, long contextTokens, Instant at) {
    /**
     * Validates the request.
     *
     * @param convId              the conversation
     * @param baseCompactedRounds the rounds compacted in the snapshot the summary was made from
     * @param throughRound        the last round folded
     * @param compressedContext   the new compressed context
     * @param contextTokens       its token estimate
     * @param at                  when the compaction commits
     */
    public CompactionRequest {
        ConversationIds.check(convId);
        if (baseCompactedRounds < 0 || throughRound <= baseCompactedRounds) {
            throw PalimpsestException.invalid(String.format(
                    "a compaction of '%s' must fold at least one round after %d, was through %d",
                    convId, baseCompactedRounds, throughRound));
        }
        if (compressedContext == null || at == null || contextTokens < 0) {
            throw PalimpsestException.invalid("a compaction of '" + convId
                    + "' needs a context, a time and a token estimate >= 0");
        }
    }
}
