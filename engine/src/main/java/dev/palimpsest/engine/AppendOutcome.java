package dev.palimpsest.engine;

import dev.palimpsest.store.AppendResult;
import java.util.Objects;

/**
 * What an append through the engine did: what the store committed, durably, and the compaction
 * it started, if the policy asked for one.
 *
 * @param appended   what the store committed
 * @param compaction the compaction the append started or joined; complete with
 *                   {@link CompactionOutcome#NOT_NEEDED} when none was due
 */
public record AppendOutcome(AppendResult appended, CompactionHandle compaction) {
    /**
     * Rejects null parts.
     *
     * @param appended   what the store committed
     * @param compaction the compaction the append started or joined
     */
    public AppendOutcome {
        Objects.requireNonNull(appended, "appended");
        Objects.requireNonNull(compaction, "compaction");
    }
}
