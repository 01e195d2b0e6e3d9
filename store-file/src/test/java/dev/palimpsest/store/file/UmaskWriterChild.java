package dev.palimpsest.store.file;

import dev.palimpsest.model.Message;
import dev.palimpsest.store.AppendRequest;
import dev.palimpsest.store.CompactionRequest;
import dev.palimpsest.store.Expectation;
import dev.palimpsest.testkit.ChildJvm;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;

/**
 * Child JVM of {@link UmaskChildProcessTest}, started under another umask: first reports the
 * permissions a plainly created file gets (proof of the umask it runs under), then makes every
 * kind of file and directory the store makes: {@code sm/}, log segments (a rotation), the
 * checkpoint, the sparse index, the lock file, and a quarantine directory (a repair of a damaged
 * log); then reports {@code done}.
 *
 * <p>Arguments: root, conversation id, scratch directory for the umask probe.
 */
final class UmaskWriterChild {
    private UmaskWriterChild() {
    }

    public static void main(String[] args) throws IOException {
        ChildJvm.ParentLink parent = ChildJvm.ParentLink.open();
        Path root = Path.of(args[0]);
        String convId = args[1];
        Path probe = Files.createFile(Path.of(args[2]).resolve("umask-probe"));
        parent.report("probe " + PosixFilePermissions.toString(
                Files.getPosixFilePermissions(probe)));
        Files.createDirectories(root);
        Instant t = Instant.parse("2026-12-01T12:00:00Z");
        try (FileConversationStore store = FileConversationStore.open(root,
                new FileStoreOptions(3, 1L << 20, 64 * 1024, 4096, 1 << 20))) {
            for (int n = 1; n <= 6; n++) {
                store.append(AppendRequest.of(convId, Expectation.none(), t, Message.user("u"),
                        Message.assistant("x".repeat(20_000))));
            }
            store.commitCompaction(new CompactionRequest(convId, 0, 2, "c", 1, t));
            // Two records, the first damaged: a log damaged before its end, which repair moves
            // into a quarantine directory.
            store.append(AppendRequest.of("damaged", Expectation.none(), t, Message.user("u")));
            store.append(AppendRequest.of("damaged", Expectation.none(), t, Message.user("v")));
            Path log = root.resolve("sm").resolve(ConversationIdCodec.segmentName("damaged", 1));
            try (FileChannel ch = FileChannel.open(log, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(new byte[] {'X'}), 60);
            }
            store.check(true);
        }
        parent.report("done");
    }
}
