package dev.palimpsest.cli;

import dev.palimpsest.persist.ConversationStore;
import java.nio.file.Files;

/** The "never stored" check of the commands that read or change an existing conversation. */
final class StoredConversations {
    private StoredConversations() {
    }

    /**
     * Fails with exit 3 unless {@code convId} has a state file. The engine treats a conversation
     * never stored as empty; the launcher reports it, and checks for the file (which also
     * validates the id) instead of loading the state twice.
     *
     * @throws CliException (exit 3) if the conversation was never stored
     */
    static void require(ConversationStore store, String convId) {
        if (!Files.exists(store.stateFile(convId))) {
            throw CliException.noSuchConversation(convId);
        }
    }
}
