package dev.palimpsest.recall.lucene;

import dev.palimpsest.store.ConversationStore;
import dev.palimpsest.store.Recall;
import dev.palimpsest.store.contract.RecallContract;
import dev.palimpsest.store.memory.InMemoryConversationStore;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** Lucene recall over the in-memory store passes the recall contract. */
class LuceneOverMemoryRecallContractTest extends RecallContract {
    @TempDir
    Path dir;

    @Override
    protected ConversationStore newStore() {
        return new InMemoryConversationStore();
    }

    @Override
    protected Recall newRecall(ConversationStore store) {
        return LuceneRecall.open(dir.resolve("recall"), store);
    }
}
