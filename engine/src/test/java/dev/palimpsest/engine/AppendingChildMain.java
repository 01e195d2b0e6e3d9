package dev.palimpsest.engine;

import dev.palimpsest.store.Expectation;
import dev.palimpsest.store.file.FileConversationStore;
import dev.palimpsest.store.file.FileStoreOptions;
import dev.palimpsest.testkit.ChildJvm;
import java.nio.file.Path;

/**
 * Child JVM of {@link EngineCrashTest} and {@link EngineMultiProcessTest}: appends {@code count}
 * rounds of {@link WrittenRounds} as one writer to one conversation through an engine on a
 * {@link FileConversationStore} (small segments, a checkpoint every 3 records), compacting in
 * the appending thread with the extractive summarizer under the given window. Reports
 * {@link WrittenRounds#acknowledgement} for each append that returned, then
 * {@code done <appended> 0}, and exits.
 *
 * <p>Arguments: root, conversation id, writer, count, maxRounds, keepRounds.
 */
final class AppendingChildMain {
    /** Small enough that a few hundred appends rotate segments and write checkpoints. */
    static final FileStoreOptions OPTIONS = new FileStoreOptions(3, 16 * 1024, 64 * 1024, 8192,
            1 << 20);

    private AppendingChildMain() {
    }

    public static void main(String[] args) {
        ChildJvm.ParentLink parent = ChildJvm.ParentLink.open();
        Path root = Path.of(args[0]);
        String convId = args[1];
        String writer = args[2];
        int count = Integer.parseInt(args[3]);
        CompactionPolicy policy = new CompactionPolicy(Integer.parseInt(args[4]),
                Integer.parseInt(args[5]), 1_000_000);
        try (FileConversationStore store = FileConversationStore.open(root, OPTIONS);
             ConversationEngine engine = ConversationEngine.builder(store).policy(policy)
                     .summarizer(ExtractiveSummarizer.withBudget(400)).build()) {
            for (int i = 0; i < count; i++) {
                AppendOutcome outcome = engine.append(convId, WrittenRounds.round(writer, i),
                        Expectation.none());
                parent.report(WrittenRounds.acknowledgement(convId, writer, i,
                        outcome.appended()));
            }
        }
        parent.report("done " + count + " 0");
        System.exit(0);
    }
}
