package dev.palimpsest.persist;

import dev.palimpsest.core.Counters;
import java.time.Instant;
import java.util.Objects;

/**
 * One stored conversation as {@link ConversationStore#list()} reports it.
 *
 * @param convId    the original conversation id, as stored in the file
 * @param revision  the stored revision
 * @param updatedAt when the conversation last changed
 * @param counters  its counters
 */
public record ConversationSummary(String convId, long revision, Instant updatedAt,
                                  Counters counters) {
    /**
     * Rejects null parts.
     *
     * @param convId    the original conversation id, as stored in the file
     * @param revision  the stored revision
     * @param updatedAt when the conversation last changed
     * @param counters  its counters
     */
    public ConversationSummary {
        Objects.requireNonNull(convId, "convId");
        Objects.requireNonNull(updatedAt, "updatedAt");
        Objects.requireNonNull(counters, "counters");
    }
}
