package dev.palimpsest.cli;

import dev.palimpsest.model.ConversationState;
import dev.palimpsest.store.ConversationStore;

/** The "never stored" check of the commands that read or change an existing conversation. */
final class StoredConversations {
    private StoredConversations() {
    }

    /**
     * Loads {@code convId}, or fails with exit 3 if it was never stored. The engine treats a
     * conversation never stored as empty; the launcher reports it. A file the store cannot read
     * is its typed error (exit 4 or 6), the same as every other command gets.
     *
     * @return the conversation's current state
     * @throws CliException (exit 3) if the conversation was never stored
     */
    static ConversationState require(ConversationStore store, String convId) {
        return store.load(convId).orElseThrow(() -> CliException.noSuchConversation(convId));
    }
}
