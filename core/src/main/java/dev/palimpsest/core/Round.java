package dev.palimpsest.core;

import java.time.Instant;
import java.util.Map;

/**
 * One exchange of a conversation: what the user said and what the assistant answered.
 *
 * @param seq       the round's sequence number in its conversation, starting at 1
 * @param user      the user's text (may be empty)
 * @param assistant the assistant's text (may be empty)
 * @param createdAt when the round was appended
 * @param metadata  free-form string pairs that ride along with the round (a model name, a
 *                  tool-call id, token usage); copied in and iterated in key order
 */
public record Round(long seq, String user, String assistant, Instant createdAt,
                    Map<String, String> metadata) {

    /**
     * Validates every component and copies the metadata.
     *
     * @param seq       the round's sequence number in its conversation, starting at 1
     * @param user      the user's text (may be empty)
     * @param assistant the assistant's text (may be empty)
     * @param createdAt when the round was appended
     * @param metadata  free-form string pairs that ride along with the round (a model name, a
     *                  tool-call id, token usage); copied in and iterated in key order
     */
    public Round {
        Checks.atLeast(seq, 1, "round seq");
        Checks.text(user, "user text of round " + seq);
        Checks.text(assistant, "assistant text of round " + seq);
        Checks.notNull(createdAt, "createdAt of round " + seq);
        metadata = Checks.sortedCopy(metadata, "metadata of round " + seq);
    }

    /**
     * Creates a round without metadata.
     *
     * @param seq       the sequence number, at least 1
     * @param user      the user's text
     * @param assistant the assistant's text
     * @param createdAt when the round was appended
     */
    public Round(long seq, String user, String assistant, Instant createdAt) {
        this(seq, user, assistant, createdAt, Map.of());
    }

    /**
     * Returns this round with another sequence number.
     *
     * @param newSeq the sequence number, at least 1
     * @return a copy of this round numbered {@code newSeq}
     */
    public Round withSeq(long newSeq) {
        return new Round(newSeq, user, assistant, createdAt, metadata);
    }
}
