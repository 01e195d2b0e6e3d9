package dev.palimpsest.store;

import dev.palimpsest.model.PalimpsestException;
import java.util.Objects;
import java.util.Optional;

/**
 * A question put to {@link Recall}: words to look for, in one conversation or in all of them.
 *
 * @param convId the conversation to search, or empty to search every conversation
 * @param text   the words to look for, in plain language (no query syntax: every word counts, and
 *               quotes, colons or wildcards are words like any other); at most
 *               {@link #MAX_TEXT_CHARS} characters
 * @param limit  the most hits returned, 1 to {@link #MAX_LIMIT}
 */
public record RecallQuery(Optional<String> convId, String text, int limit) {
    /** The longest query text taken, in chars: a question, not a document. */
    public static final int MAX_TEXT_CHARS = 10_000;

    /** The most hits one query returns. */
    public static final int MAX_LIMIT = 1_000;

    /**
     * Validates.
     *
     * @param convId the conversation to search, or empty for all
     * @param text   the words to look for
     * @param limit  the most hits returned
     */
    public RecallQuery {
        Objects.requireNonNull(convId, "convId");
        convId.ifPresent(ConversationIds::check);
        if (text == null || text.isBlank()) {
            throw PalimpsestException.invalid("a recall query needs words to look for, was "
                    + (text == null ? "null" : "blank"));
        }
        if (text.length() > MAX_TEXT_CHARS) {
            throw PalimpsestException.invalid("a recall query is at most " + MAX_TEXT_CHARS
                    + " chars, was " + text.length());
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw PalimpsestException.invalid("a recall query's limit is 1 to " + MAX_LIMIT
                    + ", was " + limit);
        }
    }

    /**
     * {@return a query within one conversation}
     *
     * @param convId the conversation
     * @param text   the words to look for
     * @param limit  the most hits returned
     */
    public static RecallQuery in(String convId, String text, int limit) {
        return new RecallQuery(Optional.of(convId), text, limit);
    }

    /**
     * {@return a query across every conversation}
     *
     * @param text  the words to look for
     * @param limit the most hits returned
     */
    public static RecallQuery everywhere(String text, int limit) {
        return new RecallQuery(Optional.empty(), text, limit);
    }
}
