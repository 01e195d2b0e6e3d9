package dev.palimpsest.store;

import dev.palimpsest.model.ConversationState;
import dev.palimpsest.model.Counters;
import dev.palimpsest.model.PalimpsestException;
import java.time.Instant;

/**
 * What a listing shows of a conversation: its revision, when it last changed, and its counters,
 * without its window. A backend answers it without reading the compressed context or the recent
 * rounds where it can.
 *
 * @param convId    the conversation
 * @param revision  its revision
 * @param updatedAt when that revision committed
 * @param counters  its counters
 */
public record ConversationSummary(String convId, long revision, Instant updatedAt,
                                  Counters counters) {
    /**
     * Validates.
     *
     * @param convId    the conversation, a valid id
     * @param revision  its revision, at least 1
     * @param updatedAt when that revision committed
     * @param counters  its counters
     */
    public ConversationSummary {
        ConversationIds.check(convId);
        if (revision < 1 || updatedAt == null || counters == null) {
            throw PalimpsestException.invalid("a summary of '" + convId + "' needs a revision"
                    + " >= 1, a time and counters, was revision " + revision);
        }
    }

    /**
     * {@return the summary of a state}
     *
     * @param state the state, stored at least once
     */
    public static ConversationSummary of(ConversationState state) {
        return new ConversationSummary(state.convId(), state.revision(), state.updatedAt(),
                state.counters());
    }
}
