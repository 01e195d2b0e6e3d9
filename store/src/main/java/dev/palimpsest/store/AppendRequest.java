package dev.palimpsest.store;

import dev.palimpsest.model.Message;
import dev.palimpsest.model.PalimpsestException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * "Append these messages": one change, committed atomically and durably or not at all.
 *
 * @param convId      the conversation; it is created by its first append
 * @param messages    the messages, at least one, in order
 * @param expectation what the caller expects of the conversation
 * @param at          the time stamped on the messages
 */
public record AppendRequest(String convId, List<NewMessage> messages, Expectation expectation,
                            Instant at) {
    /**
     * Validates the request.
     *
     * @param convId      the conversation; it is created by its first append
     * @param messages    the messages, at least one, in order
     * @param expectation what the caller expects of the conversation
     * @param at          the time stamped on the messages
     */
    public AppendRequest {
        ConversationIds.check(convId);
        if (messages == null || messages.isEmpty()) {
            throw PalimpsestException.invalid("an append to '" + convId
                    + "' must hold at least one message");
        }
        for (int i = 0; i < messages.size(); i++) {
            if (messages.get(i) == null) {
                throw PalimpsestException.invalid("message " + i + " of an append to '"
                        + convId + "' is null");
            }
        }
        messages = List.copyOf(messages);
        if (expectation == null || at == null) {
            throw PalimpsestException.invalid("expectation and time of an append to '" + convId
                    + "' must not be null");
        }
    }

    /**
     * {@return a request to append {@code messages} with a token estimate of 0 each}
     *
     * @param convId      the conversation
     * @param expectation what the caller expects of it
     * @param at          the time stamped on the messages
     * @param messages    the messages
     */
    public static AppendRequest of(String convId, Expectation expectation, Instant at,
                                   Message... messages) {
        List<NewMessage> list = new ArrayList<>(messages.length);
        for (Message m : messages) {
            list.add(new NewMessage(m, 0));
        }
        return new AppendRequest(convId, list, expectation, at);
    }
}
