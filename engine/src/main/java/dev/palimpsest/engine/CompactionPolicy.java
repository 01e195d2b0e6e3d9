package dev.palimpsest.engine;

import dev.palimpsest.core.Conversation;
import java.util.Objects;

/**
 * When to compact and how much: compaction starts when the recent rounds exceed
 * {@code maxRounds}, or when the estimated tokens of the compressed context plus the recent rounds
 * exceed {@code maxTokens}; it then folds the oldest rounds until {@code keepRounds} remain. It
 * runs only when that evicts at least one round, and never splits a round.
 *
 * @param maxRounds  the most recent rounds kept verbatim before a compaction is due
 * @param keepRounds the recent rounds a compaction keeps; {@code 1 <= keepRounds < maxRounds}
 * @param maxTokens  the estimated tokens of context plus recent rounds above which a compaction
 *                   is due, at least 1
 */
public record CompactionPolicy(int maxRounds, int keepRounds, long maxTokens) {

    /**
     * The defaults: 40 rounds, keep 20, 24,000 estimated tokens (see {@code docs/engine.md} for
     * why). A compaction then runs about once every 20 rounds, and the prompt material stays well
     * inside the context window of current chat models.
     */
    public static final CompactionPolicy DEFAULT = new CompactionPolicy(40, 20, 24_000);

    /**
     * Validates the bounds.
     *
     * @param maxRounds  the most recent rounds kept verbatim before a compaction is due
     * @param keepRounds the recent rounds a compaction keeps; {@code 1 <= keepRounds < maxRounds}
     * @param maxTokens  the estimated tokens of context plus recent rounds above which a compaction
     *                   is due, at least 1
     * @throws IllegalArgumentException naming the offending values when
     *                                  {@code 1 <= keepRounds < maxRounds} or
     *                                  {@code maxTokens >= 1} does not hold
     */
    public CompactionPolicy {
        if (keepRounds < 1) {
            throw new IllegalArgumentException("keepRounds must be >= 1, was " + keepRounds);
        }
        if (keepRounds >= maxRounds) {
            throw new IllegalArgumentException(String.format(
                    "keepRounds must be < maxRounds: %d >= %d", keepRounds, maxRounds));
        }
        if (maxTokens < 1) {
            throw new IllegalArgumentException("maxTokens must be >= 1, was " + maxTokens);
        }
    }

    /**
     * Returns this policy with another round window.
     *
     * @param newMaxRounds  the new {@code maxRounds}
     * @param newKeepRounds the new {@code keepRounds}
     * @return a copy with both replaced
     */
    public CompactionPolicy withRounds(int newMaxRounds, int newKeepRounds) {
        return new CompactionPolicy(newMaxRounds, newKeepRounds, maxTokens);
    }

    /**
     * Returns this policy with another token budget.
     *
     * @param newMaxTokens the new {@code maxTokens}
     * @return a copy with it replaced
     */
    public CompactionPolicy withMaxTokens(long newMaxTokens) {
        return new CompactionPolicy(maxRounds, keepRounds, newMaxTokens);
    }

    /**
     * Tells whether a limit is exceeded: more than {@code maxRounds} recent rounds, or more than
     * {@code maxTokens} estimated tokens of context and recent rounds (by the stored counters).
     *
     * @param state the conversation
     * @return whether a compaction is due, before asking if it would evict anything
     */
    public boolean isOverLimit(Conversation state) {
        Objects.requireNonNull(state, "state");
        long tokens = state.counters().contextTokens() + state.counters().recentTokens();
        return state.recentRounds().size() > maxRounds || tokens > maxTokens;
    }

    /**
     * Returns how many of the oldest recent rounds a compaction of {@code state} folds now:
     * enough to leave {@code keepRounds}, or 0 when no limit is exceeded or there is nothing to
     * evict.
     *
     * @param state the conversation
     * @return the rounds to fold, 0 if no compaction is due
     */
    public int roundsToFold(Conversation state) {
        return isOverLimit(state) ? roundsToFoldOnDemand(state) : 0;
    }

    /**
     * Returns how many rounds a compaction asked for explicitly folds: enough to leave
     * {@code keepRounds}, whatever the limits say.
     *
     * @param state the conversation
     * @return the rounds to fold, 0 if no more than {@code keepRounds} are recent
     */
    public int roundsToFoldOnDemand(Conversation state) {
        Objects.requireNonNull(state, "state");
        return Math.max(0, state.recentRounds().size() - keepRounds);
    }
}
