package dev.palimpsest.store;

import dev.palimpsest.model.Message;
import dev.palimpsest.model.PalimpsestException;

/**
 * A message to append, with its token estimate (the engine's token counter gives it; the store
 * only adds estimates up, so it never needs a tokenizer).
 *
 * @param message the message
 * @param tokens  its token estimate, at least 0
 */
public record NewMessage(Message message, long tokens) {
    /**
     * Validates the message and estimate.
     *
     * @param message the message
     * @param tokens  its token estimate, at least 0
     */
    public NewMessage {
        if (message == null) {
            throw PalimpsestException.invalid("message to append must not be null");
        }
        if (tokens < 0) {
            throw PalimpsestException.invalid("token estimate must be >= 0, was " + tokens);
        }
    }
}
