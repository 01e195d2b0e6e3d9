package dev.palimpsest.persist;

import dev.palimpsest.core.Conversation;
import dev.palimpsest.testkit.ChildJvm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Child JVM of {@link UmaskChildProcessTest}, started under {@code umask 000}: first reports the
 * permissions a plainly created file gets (proof of the umask the child runs under), then
 * creates every kind of file the store writes (the {@code sm/} directory, a state file through
 * {@code update} and {@code save}, an archive, a lock file) and reports {@code done}. Uses only
 * the public API.
 *
 * <p>Arguments: data root, conversation id, scratch directory for the umask probe.
 */
final class UmaskWriterMain {
    private UmaskWriterMain() {
    }

    public static void main(String[] args) throws IOException {
        ChildJvm.ParentLink parent = ChildJvm.ParentLink.open();
        Path root = Path.of(args[0]);
        String convId = args[1];
        Path probe = Files.createFile(Path.of(args[2]).resolve("umask-probe"));
        parent.report("probe " + PosixFilePermissions.toString(
                Files.getPosixFilePermissions(probe)));
        try (ConversationStore store = ConversationStore.open(root)) {
            Conversation current = Conversation.empty(convId);
            for (int i = 0; i < DeterministicHistory.WINDOW + 2; i++) {
                current = store.update(convId, c -> DeterministicHistory.advance(
                        c, rounds -> store.appendArchive(convId, rounds)));
            }
            store.save(DeterministicHistory.advance(current,
                    rounds -> store.appendArchive(convId, rounds)));
        }
        parent.report("done");
    }
}
