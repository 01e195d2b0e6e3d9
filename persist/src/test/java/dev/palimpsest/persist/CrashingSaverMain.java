package dev.palimpsest.persist;

import dev.palimpsest.core.Conversation;
import dev.palimpsest.testkit.ChildJvm;
import java.nio.file.Path;
import java.util.Random;

/**
 * Child JVM of {@link CrashRecoveryTest}: advances one {@link DeterministicHistory} conversation
 * forever, alternating at random between {@code update} (which archives inside the lock) and
 * {@code load} + {@code save}, and reports {@code saved <revision>} after each call returns,
 * until the test kills it. Uses only the public API.
 *
 * <p>Arguments: data root, conversation id, seed.
 */
final class CrashingSaverMain {
    private CrashingSaverMain() {
    }

    public static void main(String[] args) {
        ChildJvm.ParentLink parent = ChildJvm.ParentLink.open();
        Path root = Path.of(args[0]);
        String convId = args[1];
        Random random = new Random(Long.parseLong(args[2]));
        try (ConversationStore store = ConversationStore.open(root)) {
            // Reading first loads the JSON machinery, so the kills that follow "ready" land in
            // saves rather than in class loading.
            store.load(convId);
            parent.report("ready");
            while (true) {
                Conversation stored;
                if (random.nextBoolean()) {
                    stored = store.update(convId, current -> DeterministicHistory.advance(
                            current, rounds -> store.appendArchive(convId, rounds)));
                } else {
                    Conversation current = store.load(convId);
                    stored = store.save(DeterministicHistory.advance(
                            current, rounds -> store.appendArchive(convId, rounds)));
                }
                parent.report("saved " + stored.revision());
            }
        }
    }
}
