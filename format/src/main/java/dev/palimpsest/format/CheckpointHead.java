package dev.palimpsest.format;

import dev.palimpsest.model.Counters;
import dev.palimpsest.model.PalimpsestException;
import java.time.Instant;

/**
 * The head of a checkpoint: the fields a checkpoint of schema 2 writes before its window (the
 * pinned system message, the compressed context and the recent rounds). What a store needs to
 * append after a checkpoint, or to list a conversation, is here; reading it costs the first few
 * hundred bytes of the file, whatever the size of the window.
 *
 * @param convId     the conversation
 * @param revision   its revision as of the checkpoint
 * @param updatedAt  when that revision committed
 * @param counters   its counters
 * @param logSegment the log segment holding the first record after the checkpoint
 * @param logOffset  that record's byte offset in its segment
 */
public record CheckpointHead(String convId, long revision, Instant updatedAt, Counters counters,
                             long logSegment, long logOffset) {
    /**
     * Validates.
     *
     * @param convId     the conversation, not empty
     * @param revision   its revision, at least 0
     * @param updatedAt  when that revision committed
     * @param counters   its counters
     * @param logSegment the log segment, from 1
     * @param logOffset  the offset, at least 0
     */
    public CheckpointHead {
        if (convId == null || convId.isEmpty() || revision < 0 || updatedAt == null
                || counters == null || logSegment < 1 || logOffset < 0) {
            throw PalimpsestException.invalid("a checkpoint head needs a conversation id, a"
                    + " revision >= 0, a time, counters, a log segment >= 1 and an offset >= 0");
        }
    }
}
