package dev.palimpsest.bench;

import dev.palimpsest.core.Conversation;
import dev.palimpsest.persist.ConversationStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Opens the store for a benchmark, and reports plainly when the build holds no working store
 * (its branch not merged yet) instead of failing the whole run.
 */
final class StoreAccess {
    private StoreAccess() {
    }

    /**
     * Opens the store under {@code root}, or returns empty if its implementation is missing.
     *
     * @param root the data root
     * @return the store, or empty
     */
    static Optional<ConversationStore> open(Path root) {
        try {
            return Optional.of(ConversationStore.open(root));
        } catch (UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    /**
     * Returns the exact bytes of the store's state file for {@code state}, so that the baselines
     * write what the store writes; falls back to {@link StateJson} without a store.
     *
     * @param scratch an empty directory to use as a data root
     * @param state   the state
     * @return the bytes
     */
    static byte[] stateFileBytes(Path scratch, Conversation state) {
        Optional<ConversationStore> store = open(scratch);
        if (store.isEmpty()) {
            return StateJson.state(state);
        }
        try (ConversationStore s = store.get()) {
            s.save(state);
            return Files.readAllBytes(s.stateFile(state.convId()));
        } catch (IOException e) {
            throw new BenchException("reading the store's state file: " + e.getMessage(), e);
        }
    }
}
