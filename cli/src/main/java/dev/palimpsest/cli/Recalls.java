package dev.palimpsest.cli;

import dev.palimpsest.engine.ConversationEngine;
import dev.palimpsest.engine.PromptContext;
import dev.palimpsest.recall.lucene.LuceneRecall;
import dev.palimpsest.store.ConversationStore;
import dev.palimpsest.store.Recall;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The recall of the session's store: the Lucene index of a data root, {@code <root>/recall/},
 * for the file store; the database's own text search for a PostgreSQL store. Only the commands
 * that search (and {@code delete}, where an index exists) come here: this is the one class of
 * the launcher that names a Lucene-backed type, so no other command loads a class of Lucene.
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

    /**
     * {@return whether the data root has a recall index (or erasures asked of one)}; a
     * PostgreSQL store has none: its search entries go with its rows
     */
    static boolean exists(Session session, ConversationStore store) {
        return session.postgres().isEmpty() && Files.isDirectory(root(session));
    }

    /**
     * Opens the recall over {@code store}: the database's for a PostgreSQL store, else the
     * data root's index, which this process maintains if no other holds it.
     */
    static Recall open(Session session, ConversationStore store) {
        if (session.postgres().isPresent()) {
            return PostgresStores.recall(store);
        }
        return LuceneRecall.open(root(session), store);
    }

    /** {@return the context for a question, with the rounds the recall finds for it} */
    static PromptContext questionContext(Session session, ConversationStore store,
                                         String convId, String question, long budget) {
        try (Recall recall = open(session, store);
             ConversationEngine engine = ConversationEngine.builder(store).recall(recall)
                     .build()) {
            return engine.context(convId, question, budget);
        }
    }

    /** Erases a deleted conversation from the index; waits for a process that holds it. */
    static void erase(Session session, ConversationStore store, String convId) {
        try (Recall recall = open(session, store)) {
            recall.erase(convId);
        }
    }
}
