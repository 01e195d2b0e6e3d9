package dev.palimpsest.model;

import java.time.Instant;
import java.util.Optional;

/**
 * The counters of a conversation.
 *
 * @param roundsTotal        rounds ever appended
 * @param messagesTotal      messages ever appended
 * @param compactions        compactions committed
 * @param compactedRounds    rounds folded into the compressed context
 * @param compactedMessages  messages of those rounds
 * @param compactionFailures compactions that failed (the rounds stayed verbatim)
 * @param contextTokens      the token estimate of the compressed context
 * @param recentTokens       the token estimate of the recent rounds
 * @param lastCompactedAt    when the last compaction committed; empty before the first
 */
public record Counters(long roundsTotal, long messagesTotal, long compactions,
                       long compactedRounds, long compactedMessages, long compactionFailures,
                       long contextTokens, long recentTokens, Optional<Instant> lastCompactedAt) {

    /** The counters of a conversation never stored. */
    public static final Counters ZERO = new Counters(0, 0, 0, 0, 0, 0, 0, 0, Optional.empty());

    /**
     * Validates the counters against each other.
     *
     * @param roundsTotal        rounds ever appended
     * @param messagesTotal      messages ever appended
     * @param compactions        compactions committed
     * @param compactedRounds    rounds folded into the compressed context
     * @param compactedMessages  messages of those rounds
     * @param compactionFailures compactions that failed (the rounds stayed verbatim)
     * @param contextTokens      the token estimate of the compressed context
     * @param recentTokens       the token estimate of the recent rounds
     * @param lastCompactedAt    when the last compaction committed; empty before the first
     */
    public Counters {
        Checks.atLeast(roundsTotal, 0, "roundsTotal");
        Checks.atLeast(messagesTotal, roundsTotal, "messagesTotal (at least roundsTotal)");
        Checks.atLeast(compactions, 0, "compactions");
        Checks.atLeast(compactedRounds, 0, "compactedRounds");
        Checks.atLeast(compactedMessages, compactedRounds,
                "compactedMessages (at least compactedRounds)");
        Checks.atLeast(compactionFailures, 0, "compactionFailures");
        Checks.atLeast(contextTokens, 0, "contextTokens");
        Checks.atLeast(recentTokens, 0, "recentTokens");
        Checks.notNull(lastCompactedAt, "lastCompactedAt");
        if (compactedRounds > roundsTotal || compactedMessages > messagesTotal) {
            throw PalimpsestException.invalid(String.format(
                    "compacted rounds/messages must not exceed the totals: %d/%d > %d/%d",
                    compactedRounds, compactedMessages, roundsTotal, messagesTotal));
        }
        if (compactions > compactedRounds) {
            // Every committed compaction folds at least one round.
            throw PalimpsestException.invalid(String.format(
                    "compactions must not exceed compactedRounds: %d > %d",
                    compactions, compactedRounds));
        }
        if ((compactions > 0) != lastCompactedAt.isPresent()) {
            throw PalimpsestException.invalid("lastCompactedAt must be present exactly when there"
                    + " were compactions: " + compactions + " compactions, lastCompactedAt "
                    + lastCompactedAt.map(Instant::toString).orElse("empty"));
        }
    }

    /**
     * {@return these counters after an append}
     *
     * @param newRounds   the rounds the append opened
     * @param newMessages the messages it appended
     * @param newTokens   their token estimate
     */
    public Counters withAppended(long newRounds, long newMessages, long newTokens) {
        return new Counters(roundsTotal + newRounds, messagesTotal + newMessages, compactions,
                compactedRounds, compactedMessages, compactionFailures, contextTokens,
                recentTokens + newTokens, lastCompactedAt);
    }

    /** {@return these counters with one more failed compaction} */
    public Counters withCompactionFailure() {
        return new Counters(roundsTotal, messagesTotal, compactions, compactedRounds,
                compactedMessages, compactionFailures + 1, contextTokens, recentTokens,
                lastCompactedAt);
    }

    /**
     * {@return these counters after a compaction}
     *
     * @param rounds           the rounds it folded
     * @param messages         the messages of those rounds
     * @param foldedTokens     their token estimate
     * @param newContextTokens the token estimate of the new compressed context
     * @param at               when it committed
     */
    public Counters withCompaction(long rounds, long messages, long foldedTokens,
                                   long newContextTokens, Instant at) {
        Checks.atLeast(rounds, 1, "rounds folded by a compaction");
        Checks.notNull(at, "compaction time");
        return new Counters(roundsTotal, messagesTotal, compactions + 1, compactedRounds + rounds,
                compactedMessages + messages, compactionFailures, newContextTokens,
                recentTokens - foldedTokens, Optional.of(at));
    }
}
