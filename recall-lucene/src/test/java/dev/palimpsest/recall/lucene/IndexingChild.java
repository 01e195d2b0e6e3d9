package dev.palimpsest.recall.lucene;

import dev.palimpsest.model.Message;
import dev.palimpsest.store.AppendRequest;
import dev.palimpsest.store.AppendResult;
import dev.palimpsest.store.Expectation;
import dev.palimpsest.store.file.FileConversationStore;
import dev.palimpsest.testkit.ChildJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * Child JVM of {@link LuceneRecallTest}: holds the index of a file store, appends {@code count}
 * messages {@code word<i>} to one conversation and tells the recall of each, searches (so that
 * every queued message is indexed; the index commits after each {@code committed} of them),
 * reports {@code indexed <count>}, then halts without closing, as a killed process would.
 *
 * <p>Arguments: store root, recall root, conversation id, count, committed.
 */
final class IndexingChild {
    private IndexingChild() {
    }

    public static void main(String[] args) {
        ChildJvm.ParentLink parent = ChildJvm.ParentLink.open();
        String convId = args[2];
        int count = Integer.parseInt(args[3]);
        int committed = Integer.parseInt(args[4]);
        FileConversationStore store = FileConversationStore.open(Path.of(args[0]));
        LuceneRecall recall = LuceneRecall.open(Path.of(args[1]), store,
                new LuceneRecallOptions(committed, Duration.ofHours(1), Duration.ZERO));
        if (!recall.indexes()) {
            parent.report("not the writer");
            Runtime.getRuntime().halt(1);
        }
        for (int i = 0; i < count; i++) {
            AppendResult r = store.append(AppendRequest.of(convId, Expectation.none(),
                    Instant.now(), Message.user("word" + i + " common")));
            recall.appended(convId, r.messages());
        }
        // Indexing runs on the writer's own thread; a search indexes whatever is still queued.
        recall.search(dev.palimpsest.store.RecallQuery.in(convId, "common", 1));
        parent.report("indexed " + count);
        Runtime.getRuntime().halt(0);
    }
}
