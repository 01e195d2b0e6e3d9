package dev.palimpsest.engine;

import dev.palimpsest.core.Conversation;
import dev.palimpsest.core.Round;
import java.util.Objects;

/**
 * What {@link ConversationEngine#append} did.
 *
 * @param round      the durable round: the one appended, or, for an idempotent retry, the one
 *                   already stored at the expected sequence number
 * @param state      the stored state after the append and after any compaction that committed in
 *                   the calling thread
 * @param compaction what became of the compaction the append triggered
 *                   ({@link CompactionOutcome#NOT_NEEDED} when none was due)
 */
public record AppendResult(Round round, Conversation state, CompactionOutcome compaction) {
    /**
     * Rejects null parts.
     *
     * @param round      the durable round: the one appended, or, for an idempotent retry, the one
     *                   already stored at the expected sequence number
     * @param state      the stored state after the append and after any compaction that committed
     *                   in the calling thread
     * @param compaction what became of the compaction the append triggered
     *                   ({@link CompactionOutcome#NOT_NEEDED} when none was due)
     */
    public AppendResult {
        Objects.requireNonNull(round, "round");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(compaction, "compaction");
    }
}
