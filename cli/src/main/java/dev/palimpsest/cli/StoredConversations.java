package dev.palimpsest.cli;

import dev.palimpsest.persist.ConversationStore;

/** The "never stored" check of the commands that read or change an existing conversation. */
final class StoredConversations {
    private StoredConversations() {
    }

    /**
     * Fails with exit 3 unless {@code convId} is stored. The engine treats a conversation never
     * stored as empty; the launcher reports it. The store says "not stored" only when nothing is
     * at the conversation's name: a directory it cannot read, or something other than a regular
     * file there, is its typed error (exit 6 or 4), the same as every other command gets.
     *
     * @throws CliException (exit 3) if the conversation was never stored
     */
    static void require(ConversationStore store, String convId) {
        if (!store.isStored(convId)) {
            throw CliException.noSuchConversation(convId);
        }
    }
}
