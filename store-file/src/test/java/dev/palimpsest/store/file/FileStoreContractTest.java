package dev.palimpsest.store.file;

import dev.palimpsest.store.ConversationStore;
import dev.palimpsest.store.contract.ConversationStoreContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The file store passes the store contract, reopened over the same root as a new process would
 * (no cache), with small segments and checkpoint intervals so that rotation and replay after a
 * checkpoint are on the path of every test.
 */
class FileStoreContractTest extends ConversationStoreContract {
    static final FileStoreOptions SMALL = new FileStoreOptions(3, 4096, 64 * 1024, 4096,
            8 << 20);

    @Override
    protected ConversationStore newStore() {
        try {
            return FileConversationStore.open(Files.createTempDirectory("contract"), options());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    FileStoreOptions options() {
        return SMALL;
    }

    @Override
    protected ConversationStore reopen(ConversationStore old) {
        Path root = ((FileConversationStore) old).root();
        old.close();
        return FileConversationStore.open(root, options());
    }
}
