package dev.palimpsest.store;

import java.util.List;
import java.util.Optional;

/**
 * One page of conversation ids, in the order of their UTF-8 bytes.
 *
 * @param ids  the ids of this page
 * @param next the cursor of the next page (pass it as {@code after}); empty on the last page
 */
public record ConversationPage(List<String> ids, Optional<String> next) {
    /**
     * Copies the list.
     *
     * @param ids  the ids of this page
     * @param next the cursor of the next page; empty on the last page
     */
    public ConversationPage {
        ids = List.copyOf(ids);
    }
}
