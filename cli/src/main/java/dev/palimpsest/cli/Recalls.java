package dev.palimpsest.cli;

import dev.palimpsest.engine.ConversationEngine;
import dev.palimpsest.engine.PromptContext;
import dev.palimpsest.recall.lucene.LuceneRecall;
import dev.palimpsest.store.file.FileConversationStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The recall index of a data root, {@code <root>/recall/}. Only the commands that search (and
 * {@code delete}, where an index exists) come here: this is the one class of the launcher that
 * names a Lucene-backed type, so no other command loads a class of Lucene.
 */
final class Recalls {
    /** The directory of the recall index under the data root. */
    static final String DIRECTORY = "recall";

    private Recalls() {
    }

    /** {@return the recall directory of the session's data root} */
    static Path root(Session session) {
        return session.dataRoot().resolve(DIRECTORY);
    }

    /** {@return whether the data root has a recall index (or erasures asked of one)} */
    static boolean exists(Session session) {
        return Files.isDirectory(root(session));
    }

    /** Opens the recall over {@code store}: it indexes if no other process holds the index. */
    static LuceneRecall open(Session session, FileConversationStore store) {
        return LuceneRecall.open(root(session), store);
    }

    /** {@return the context for a question, with the rounds the index recalls for it} */
    static PromptContext questionContext(Session session, FileConversationStore store,
                                         String convId, String question, long budget) {
        try (LuceneRecall recall = open(session, store);
             ConversationEngine engine = ConversationEngine.builder(store).recall(recall)
                     .build()) {
            return engine.context(convId, question, budget);
        }
    }

    /** Erases a deleted conversation from the index; waits for a process that holds it. */
    static void erase(Session session, FileConversationStore store, String convId) {
        try (LuceneRecall recall = open(session, store)) {
            recall.erase(convId);
        }
    }
}
