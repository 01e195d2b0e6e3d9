package dev.palimpsest.persist.internal;

import dev.palimpsest.persist.ConversationStore;
import dev.palimpsest.persist.StoreOptions;

/** Placeholder until the store lands (issue 3); replaced by the real implementation. */
public final class FileConversationStore {
    private FileConversationStore() {
    }

    /**
     * Opens a store.
     *
     * @param options the options
     * @return never returns yet
     */
    public static ConversationStore open(StoreOptions options) {
        throw new UnsupportedOperationException("the file store is not implemented yet: "
                + options.root());
    }
}
