package dev.palimpsest.format;

import dev.palimpsest.model.ConversationState;
import dev.palimpsest.model.PalimpsestException;

/**
 * A checkpoint: a conversation's state as of one log position. Loading reads it and replays the
 * log from that position on.
 *
 * @param state      the state
 * @param logSegment the log segment holding the first record after the state
 * @param logOffset  that record's byte offset in its segment
 */
public record Checkpoint(ConversationState state, long logSegment, long logOffset) {
    /**
     * Validates.
     *
     * @param state      the state
     * @param logSegment the log segment holding the first record after the state, from 1
     * @param logOffset  that record's byte offset in its segment, at least 0
     */
    public Checkpoint {
        if (state == null || logSegment < 1 || logOffset < 0) {
            throw PalimpsestException.invalid("a checkpoint needs a state, a log segment >= 1 and"
                    + " an offset >= 0, was segment " + logSegment + " offset " + logOffset);
        }
    }
}
