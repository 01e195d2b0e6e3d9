package dev.palimpsest.engine;

import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * One round to append: the user's and the assistant's texts, optional metadata, and optionally
 * the sequence number the caller expects it to get (which makes the append idempotent).
 *
 * @param user        the user's text (may be empty)
 * @param assistant   the assistant's text (may be empty)
 * @param metadata    free-form string pairs stored with the round; copied in
 * @param expectedSeq the sequence number the round must get, or empty to take the next one
 */
public record RoundInput(String user, String assistant, Map<String, String> metadata,
                         OptionalLong expectedSeq) {

    /**
     * Rejects null parts and an expected sequence number below 1, and copies the metadata. The
     * texts and the metadata are validated further by {@code dev.palimpsest.core.Round}.
     *
     * @param user        the user's text (may be empty)
     * @param assistant   the assistant's text (may be empty)
     * @param metadata    free-form string pairs stored with the round; copied in
     * @param expectedSeq the sequence number the round must get, or empty to take the next one
     */
    public RoundInput {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(assistant, "assistant");
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(expectedSeq, "expectedSeq");
        metadata = Map.copyOf(metadata);
        if (expectedSeq.isPresent() && expectedSeq.getAsLong() < 1) {
            throw new IllegalArgumentException(
                    "expectedSeq must be >= 1, was " + expectedSeq.getAsLong());
        }
    }

    /**
     * Creates a round input without metadata or expected sequence number.
     *
     * @param user      the user's text
     * @param assistant the assistant's text
     * @return the input
     */
    public static RoundInput of(String user, String assistant) {
        return new RoundInput(user, assistant, Map.of(), OptionalLong.empty());
    }

    /**
     * Returns this input with other metadata.
     *
     * @param newMetadata the metadata
     * @return a copy with the metadata replaced
     */
    public RoundInput withMetadata(Map<String, String> newMetadata) {
        return new RoundInput(user, assistant, newMetadata, expectedSeq);
    }

    /**
     * Returns this input expecting a sequence number: if the conversation already holds a round
     * with these texts at {@code seq}, the append returns it instead of adding one; if the next
     * round would not get {@code seq}, the append fails with a
     * {@link SequenceConflictException}.
     *
     * @param seq the expected sequence number, at least 1
     * @return a copy expecting {@code seq}
     */
    public RoundInput expectingSeq(long seq) {
        return new RoundInput(user, assistant, metadata, OptionalLong.of(seq));
    }
}
