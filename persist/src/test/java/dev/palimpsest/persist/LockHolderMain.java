package dev.palimpsest.persist;

import dev.palimpsest.core.Round;
import dev.palimpsest.testkit.ChildJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

/**
 * Child JVM of {@link MultiProcessUpdateTest}: holds a conversation's lock inside an
 * {@code update} until the test says {@code release}, then appends its round. Uses only the
 * public API.
 *
 * <p>Arguments: data root, conversation id. Reports {@code holding} once inside the update and
 * {@code stored <revision>} after it.
 */
final class LockHolderMain {
    private LockHolderMain() {
    }

    public static void main(String[] args) {
        ChildJvm.ParentLink parent = ChildJvm.ParentLink.open();
        Path root = Path.of(args[0]);
        String convId = args[1];
        try (ConversationStore store = ConversationStore.open(root)) {
            var stored = store.update(convId, current -> {
                parent.report("holding");
                if (!parent.nextLine(Duration.ofSeconds(60)).orElse("").equals("release")) {
                    throw new IllegalStateException("the test never said release");
                }
                return current.withRoundAppended(
                        new Round(current.nextSeq(), "lock holder", "", Instant.now()),
                        Instant.now());
            });
            parent.report("stored " + stored.revision());
        }
    }
}
