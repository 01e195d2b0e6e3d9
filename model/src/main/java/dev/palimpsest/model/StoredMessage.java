package dev.palimpsest.model;

import java.time.Instant;

/**
 * A message as stored: numbered within the conversation and within its round.
 *
 * @param seq       the message's number over the conversation's whole history, from 1
 * @param roundSeq  the number of the round it belongs to, from 1
 * @param createdAt when the store accepted it
 * @param tokens    the estimate of its tokens given when it was appended
 * @param message   the message itself
 */
public record StoredMessage(long seq, long roundSeq, Instant createdAt, long tokens,
                            Message message) {
    /**
     * Validates the numbers: positive, and no round number above the message number.
     *
     * @param seq       the message's number over the conversation's whole history, from 1
     * @param roundSeq  the number of the round it belongs to, from 1
     * @param createdAt when the store accepted it
     * @param tokens    the estimate of its tokens given when it was appended
     * @param message   the message itself
     */
    public StoredMessage {
        Checks.atLeast(seq, 1, "message seq");
        Checks.atLeast(roundSeq, 1, "round seq of message " + seq);
        Checks.notNull(createdAt, "createdAt of message " + seq);
        Checks.atLeast(tokens, 0, "tokens of message " + seq);
        Checks.notNull(message, "message " + seq);
        if (roundSeq > seq) {
            throw PalimpsestException.invalid(String.format(
                    "message %d cannot belong to round %d: a round holds at least one message",
                    seq, roundSeq));
        }
    }

    /** {@return the message's role} */
    public Role role() {
        return message.role();
    }
}
