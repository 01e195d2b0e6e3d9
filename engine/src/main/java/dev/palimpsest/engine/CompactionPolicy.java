package dev.palimpsest.engine;

import dev.palimpsest.model.Counters;
import dev.palimpsest.model.PalimpsestException;
import java.util.Objects;

/**
 * When to compact and how much: a compaction is due when the recent rounds exceed
 * {@code maxRounds}, or when the estimated tokens of the compressed context plus the recent rounds
 * exceed {@code maxTokens}; it then folds the oldest whole rounds until {@code keepRounds}
 * remain. Since {@code keepRounds >= 1}, the newest round (which may still be growing, or wait for
 * a tool result) is never folded.
 *
 * <p>The policy decides from the {@link Counters} alone, which every append returns, so deciding
 * costs nothing on the append path.
 *
 * @param maxRounds  the most recent rounds kept verbatim before a compaction is due
 * @param keepRounds the recent rounds a compaction keeps; {@code 1 <= keepRounds < maxRounds}
 * @param maxTokens  the estimated tokens of context plus recent rounds above which a compaction
 *                   is due, at least 1
 */
public record CompactionPolicy(int maxRounds, int keepRounds, long maxTokens) {

    /**
     * The defaults: 40 rounds, keep 20, 24,000 estimated tokens. A compaction then runs about
     * once every 20 rounds, and the prompt material stays well inside the context window of
     * current chat models.
     */
    public static final CompactionPolicy DEFAULT = new CompactionPolicy(40, 20, 24_000);

    /**
     * Validates the bounds.
     *
     * @param maxRounds  the most recent rounds kept verbatim before a compaction is due
     * @param keepRounds the recent rounds a compaction keeps
     * @param maxTokens  the token estimate above which a compaction is due
     * @throws PalimpsestException of kind {@code INVALID_INPUT}, naming the offending values,
     *         when {@code 1 <= keepRounds < maxRounds} or {@code maxTokens >= 1} does not hold
     *         (a policy often comes from a user's flags or configuration, so callers switch on
     *         the kind as for any other invalid input)
     */
    public CompactionPolicy {
        if (keepRounds < 1) {
            throw PalimpsestException.invalid("keepRounds must be >= 1, was " + keepRounds);
        }
        if (keepRounds >= maxRounds) {
            throw PalimpsestException.invalid(String.format(
                    "keepRounds must be < maxRounds: %d >= %d", keepRounds, maxRounds));
        }
        if (maxTokens < 1) {
            throw PalimpsestException.invalid("maxTokens must be >= 1, was " + maxTokens);
        }
    }

    /**
     * {@return a policy under which appends never compact}: for embedders that compact only when
     * they ask ({@link ConversationEngine#compact}), and for measurements that must not compact
     *
     * @param keepRounds the recent rounds an explicit compaction keeps, at least 1
     */
    public static CompactionPolicy never(int keepRounds) {
        return new CompactionPolicy(Integer.MAX_VALUE, keepRounds, Long.MAX_VALUE);
    }

    /**
     * {@return this policy with another round window}
     *
     * @param newMaxRounds  the new {@code maxRounds}
     * @param newKeepRounds the new {@code keepRounds}
     */
    public CompactionPolicy withRounds(int newMaxRounds, int newKeepRounds) {
        return new CompactionPolicy(newMaxRounds, newKeepRounds, maxTokens);
    }

    /**
     * {@return this policy with another token budget}
     *
     * @param newMaxTokens the new {@code maxTokens}
     */
    public CompactionPolicy withMaxTokens(long newMaxTokens) {
        return new CompactionPolicy(maxRounds, keepRounds, newMaxTokens);
    }

    /**
     * {@return whether a limit is exceeded}: more than {@code maxRounds} recent rounds, or more
     * than {@code maxTokens} estimated tokens of context and recent rounds
     *
     * @param counters the conversation's counters
     */
    public boolean isOverLimit(Counters counters) {
        Objects.requireNonNull(counters, "counters");
        long tokens = counters.contextTokens() + counters.recentTokens();
        return recentRounds(counters) > maxRounds || tokens > maxTokens;
    }

    /**
     * {@return how many of the oldest recent rounds a compaction folds now}: enough to leave
     * {@code keepRounds}, or 0 when no limit is exceeded
     *
     * @param counters the conversation's counters
     */
    public int roundsToFold(Counters counters) {
        return isOverLimit(counters) ? roundsToFoldOnDemand(counters) : 0;
    }

    /**
     * {@return how many rounds a compaction asked for explicitly folds}: enough to leave
     * {@code keepRounds}, whatever the limits say; 0 if no more than {@code keepRounds} are recent
     *
     * @param counters the conversation's counters
     */
    public int roundsToFoldOnDemand(Counters counters) {
        Objects.requireNonNull(counters, "counters");
        return (int) Math.max(0, recentRounds(counters) - keepRounds);
    }

    private static long recentRounds(Counters counters) {
        return counters.roundsTotal() - counters.compactedRounds();
    }
}
