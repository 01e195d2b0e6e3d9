package dev.palimpsest.engine;

import dev.palimpsest.persist.ConversationStore;
import dev.palimpsest.testkit.ChildJvm;
import java.nio.file.Path;

/**
 * Child JVM of {@link EngineMultiProcessTest}: appends {@code count} rounds whose user text is
 * {@code <prefix>-<i>} to one conversation through the file store, compacting with the given
 * window, reports {@code appended <seq>} for each, then {@code done}, and exits.
 *
 * <p>Arguments: root, conversation id, prefix, count, maxRounds, keepRounds.
 */
final class AppendingChildMain {
    private AppendingChildMain() {
    }

    public static void main(String[] args) {
        ChildJvm.ParentLink parent = ChildJvm.ParentLink.open();
        Path root = Path.of(args[0]);
        String convId = args[1];
        String prefix = args[2];
        int count = Integer.parseInt(args[3]);
        CompactionPolicy policy = new CompactionPolicy(Integer.parseInt(args[4]),
                Integer.parseInt(args[5]), 1_000_000);
        try (ConversationStore store = ConversationStore.open(root)) {
            ConversationEngine engine = ConversationEngine.builder(store).policy(policy).build();
            for (int i = 0; i < count; i++) {
                AppendResult result = engine.append(convId, prefix + "-" + i, "ok " + i);
                parent.report("appended " + result.round().seq() + " "
                        + result.compaction().status());
            }
        }
        parent.report("done");
        System.exit(0);
    }
}
