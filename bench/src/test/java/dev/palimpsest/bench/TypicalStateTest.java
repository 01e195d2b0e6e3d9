package dev.palimpsest.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.palimpsest.model.ConversationState;
import dev.palimpsest.model.Round;
import dev.palimpsest.store.file.FileConversationStore;
import dev.palimpsest.store.file.FileStoreOptions;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TypicalStateTest {

    @Test
    void theStoredTypicalStateHasTheAdvertisedShape(@TempDir Path root) {
        try (FileConversationStore store = FileConversationStore.open(root,
                FileStoreOptions.DEFAULTS)) {
            TypicalState.store(store, "c");
            ConversationState state = store.load("c").orElseThrow();
            assertEquals(TypicalState.ROUNDS, state.recentRounds().size());
            assertEquals(TypicalState.COMPACTED, state.counters().compactedRounds());
            assertEquals(TypicalState.SUMMARY_CHARS, state.compressedContext().length());
            Round first = state.recentRounds().get(0);
            assertEquals(TypicalState.COMPACTED + 1, first.seq());
            assertEquals(TypicalState.USER_CHARS + TypicalState.ASSISTANT_CHARS,
                    first.messages().get(0).message().content().length()
                            + first.messages().get(1).message().content().length());
        }
    }
}
