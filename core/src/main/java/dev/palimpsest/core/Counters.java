package dev.palimpsest.core;

import java.time.Instant;
import java.util.Optional;

/**
 * The running totals of a conversation.
 *
 * @param roundsTotal        rounds ever appended
 * @param compactions        compactions that committed
 * @param compactedRounds    rounds folded into the compressed context (and moved to the archive)
 * @param compactionFailures compactions that failed (the rounds then stay verbatim)
 * @param contextTokens      estimated tokens of the compressed context
 * @param recentTokens       estimated tokens of the recent rounds
 * @param lastCompactedAt    when the last compaction committed; empty until the first one
 */
public record Counters(long roundsTotal, long compactions, long compactedRounds,
                       long compactionFailures, long contextTokens, long recentTokens,
                       Optional<Instant> lastCompactedAt) {

    /** The counters of a conversation that never had a round. */
    public static final Counters ZERO = new Counters(0, 0, 0, 0, 0, 0, Optional.empty());

    /**
     * Rejects negative totals and totals that contradict each other.
     *
     * @param roundsTotal        rounds ever appended
     * @param compactions        compactions that committed
     * @param compactedRounds    rounds folded into the compressed context (and moved to the
     *                           archive)
     * @param compactionFailures compactions that failed (the rounds then stay verbatim)
     * @param contextTokens      estimated tokens of the compressed context
     * @param recentTokens       estimated tokens of the recent rounds
     * @param lastCompactedAt    when the last compaction committed; empty until the first one
     */
    public Counters {
        Checks.atLeast(roundsTotal, 0, "roundsTotal");
        Checks.atLeast(compactions, 0, "compactions");
        Checks.atLeast(compactedRounds, 0, "compactedRounds");
        Checks.atLeast(compactionFailures, 0, "compactionFailures");
        Checks.atLeast(contextTokens, 0, "contextTokens");
        Checks.atLeast(recentTokens, 0, "recentTokens");
        Checks.notNull(lastCompactedAt, "lastCompactedAt");
        if (compactedRounds > roundsTotal) {
            throw new InvalidModelException(String.format(
                    "compactedRounds must not exceed roundsTotal: %d > %d",
                    compactedRounds, roundsTotal));
        }
        if (compactions > compactedRounds) {
            // Every committed compaction folds at least one round.
            throw new InvalidModelException(String.format(
                    "compactions must not exceed compactedRounds: %d > %d",
                    compactions, compactedRounds));
        }
        if (compactions > 0 && lastCompactedAt.isEmpty()) {
            throw new InvalidModelException(
                    "lastCompactedAt must be present after " + compactions + " compactions");
        }
        if (compactions == 0 && lastCompactedAt.isPresent()) {
            throw new InvalidModelException(
                    "lastCompactedAt must be empty before the first compaction, was "
                            + lastCompactedAt.get());
        }
    }

    /**
     * Returns these counters with another rounds total.
     *
     * @param newRoundsTotal rounds ever appended
     * @return a copy with {@code roundsTotal} replaced
     */
    public Counters withRoundsTotal(long newRoundsTotal) {
        return new Counters(newRoundsTotal, compactions, compactedRounds, compactionFailures,
                contextTokens, recentTokens, lastCompactedAt);
    }

    /**
     * Returns these counters with other token estimates.
     *
     * @param newContextTokens estimated tokens of the compressed context
     * @param newRecentTokens  estimated tokens of the recent rounds
     * @return a copy with both estimates replaced
     */
    public Counters withTokens(long newContextTokens, long newRecentTokens) {
        return new Counters(roundsTotal, compactions, compactedRounds, compactionFailures,
                newContextTokens, newRecentTokens, lastCompactedAt);
    }

    /**
     * Returns these counters with one more failed compaction.
     *
     * @return a copy with {@code compactionFailures} incremented
     */
    public Counters withCompactionFailure() {
        return new Counters(roundsTotal, compactions, compactedRounds, compactionFailures + 1,
                contextTokens, recentTokens, lastCompactedAt);
    }

    /**
     * Returns these counters after a compaction that folded {@code rounds} rounds.
     *
     * @param rounds the number of rounds folded, at least 1
     * @param at     when the compaction committed
     * @return a copy with the compaction counted
     */
    public Counters withCompaction(long rounds, Instant at) {
        Checks.atLeast(rounds, 1, "rounds folded by a compaction");
        Checks.notNull(at, "compaction time");
        return new Counters(roundsTotal, compactions + 1, compactedRounds + rounds,
                compactionFailures, contextTokens, recentTokens, Optional.of(at));
    }
}
