package dev.palimpsest.store.file;

import dev.palimpsest.model.ConversationState;
import dev.palimpsest.model.Message;
import dev.palimpsest.store.AppendRequest;
import dev.palimpsest.store.AppendResult;
import dev.palimpsest.store.CompactionRequest;
import dev.palimpsest.store.Expectation;
import dev.palimpsest.testkit.ChildJvm;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Child JVM of {@link FileStoreProcessTest}: appends {@code count} rounds whose user text is
 * {@code <prefix>-<i>} to one conversation, with 64 KiB segments and a checkpoint every 3
 * records, compacting every 7th round down to the newest 3, reports {@code appended <message
 * seq>} for each acknowledged append, then {@code done}.
 *
 * <p>Arguments: root, conversation id, prefix, count.
 */
final class AppendingChild {
    static final FileStoreOptions OPTIONS = new FileStoreOptions(3, 16 * 1024, 64 * 1024, 8192,
            1 << 20);

    private AppendingChild() {
    }

    public static void main(String[] args) {
        ChildJvm.ParentLink parent = ChildJvm.ParentLink.open();
        String convId = args[1];
        String prefix = args[2];
        int count = Integer.parseInt(args[3]);
        try (FileConversationStore store = FileConversationStore.open(Path.of(args[0]),
                OPTIONS)) {
            for (int i = 0; i < count; i++) {
                AppendResult r = store.append(AppendRequest.of(convId, Expectation.none(),
                        Instant.now(), Message.user(prefix + "-" + i),
                        Message.assistant("ok ".repeat(200) + i)));
                parent.report("appended " + r.messages().get(0).seq());
                if (i % 7 == 6) {
                    ConversationState s = store.load(convId).orElseThrow();
                    long through = s.counters().roundsTotal() - 3;
                    if (through > s.counters().compactedRounds()) {
                        try {
                            store.commitCompaction(new CompactionRequest(convId,
                                    s.counters().compactedRounds(), through, "summary " + i, 1,
                                    Instant.now()));
                        } catch (dev.palimpsest.model.PalimpsestException stale) {
                            // Another process compacted first.
                        }
                    }
                }
            }
        }
        parent.report("done");
        System.exit(0);
    }
}
