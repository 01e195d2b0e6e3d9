package dev.palimpsest.store;

import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.model.StoredMessage;
import java.util.Objects;

/**
 * A message that {@link Recall} found, as stored, with how well it matched.
 *
 * @param convId  the conversation it belongs to
 * @param message the message as stored (its seq, round, time and content)
 * @param score   how well it matched, higher is better; comparable only within one answer
 */
public record RecallHit(String convId, StoredMessage message, double score) {
    /**
     * Validates.
     *
     * @param convId  the conversation
     * @param message the message
     * @param score   a finite score
     */
    public RecallHit {
        ConversationIds.check(convId);
        Objects.requireNonNull(message, "message");
        if (!Double.isFinite(score)) {
            throw PalimpsestException.invalid("a recall hit in '" + convId + "' at seq "
                    + message.seq() + " needs a finite score, was " + score);
        }
    }
}
