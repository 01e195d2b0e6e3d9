package dev.palimpsest.persist.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.core.Conversation;
import dev.palimpsest.core.Round;
import dev.palimpsest.persist.StoreOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A writer killed after creating a directory entry but before fsyncing its directory leaves an
 * entry that a power loss may still take away; the next writer must make it durable before it
 * acknowledges anything stored under that entry.
 */
class CrashedCreatorDurabilityTest {
    private static final Round ROUND = new Round(1, "u", "a", Instant.EPOCH);

    @TempDir
    Path dir;

    /** The real file operations, recording every directory fsync. */
    static final class RecordingFileOps implements FileOps {
        final List<Path> fsyncedDirectories = new CopyOnWriteArrayList<>();
        private final FileOps real = NioFileOps.INSTANCE;

        @Override
        public FileChannel createNew(Path file) throws IOException {
            return real.createNew(file);
        }

        @Override
        public void write(FileChannel channel, ByteBuffer bytes) throws IOException {
            real.write(channel, bytes);
        }

        @Override
        public void force(FileChannel channel) throws IOException {
            real.force(channel);
        }

        @Override
        public void close(FileChannel channel) throws IOException {
            real.close(channel);
        }

        @Override
        public void moveAtomically(Path source, Path target) throws IOException {
            real.moveAtomically(source, target);
        }

        @Override
        public void fsyncDirectory(Path directory) throws IOException {
            fsyncedDirectories.add(directory.toRealPath());
            real.fsyncDirectory(directory);
        }

        @Override
        public boolean deleteIfExists(Path file) throws IOException {
            return real.deleteIfExists(file);
        }
    }

    @Test
    void smLeftUnsyncedByACrashedCreatorIsSyncedIntoTheRootBeforeTheFirstAcknowledgedSave()
            throws IOException {
        Path root = Files.createDirectory(dir.resolve("root"));
        // What a writer killed between mkdir(sm) and fsync(root) leaves behind.
        Files.createDirectory(root.resolve("sm"));
        RecordingFileOps ops = new RecordingFileOps();
        try (var store = new FileConversationStore(StoreOptions.builder(root).build(), ops)) {
            store.save(Conversation.empty("a").withRoundAppended(ROUND, Instant.EPOCH));
        }
        assertTrue(ops.fsyncedDirectories.contains(root.toRealPath()),
                "the root was never fsynced, so sm/ may vanish on power loss: "
                        + ops.fsyncedDirectories);
    }

    @Test
    void anArchiveLeftUnsyncedByACrashedCreatorIsSyncedBeforeTheAppendIsAcknowledged()
            throws IOException {
        Path root = Files.createDirectory(dir.resolve("root"));
        RecordingFileOps ops = new RecordingFileOps();
        try (var store = new FileConversationStore(StoreOptions.builder(root).build(), ops)) {
            store.save(Conversation.empty("a"));
            // What an append killed between creating the archive and fsyncing sm/ leaves.
            Files.createFile(store.archiveFile("a"));
            ops.fsyncedDirectories.clear();
            store.appendArchive("a", List.of(ROUND));
        }
        assertTrue(ops.fsyncedDirectories.contains(root.resolve("sm").toRealPath()),
                "sm/ was not fsynced after the first acknowledged append to an archive whose"
                        + " creation was never made durable: " + ops.fsyncedDirectories);
    }

    @Test
    void anArchiveRecreatedByACrashedWriterOfAnotherProcessIsSyncedAgain() throws IOException {
        Path root = Files.createDirectory(dir.resolve("root"));
        RecordingFileOps ops = new RecordingFileOps();
        try (var store = new FileConversationStore(StoreOptions.builder(root).build(), ops)) {
            store.appendArchive("a", List.of(ROUND));
            store.appendArchive("a", List.of(ROUND.withSeq(2)));
            // Another process deletes the conversation and dies right after creating its new
            // archive, before its fsync of sm/; the file may even get the same inode number.
            Path archive = store.archiveFile("a");
            Files.delete(archive);
            Files.createFile(archive);
            ops.fsyncedDirectories.clear();
            store.appendArchive("a", List.of(ROUND));
        }
        assertTrue(ops.fsyncedDirectories.contains(root.resolve("sm").toRealPath()),
                "sm/ was not fsynced after an append to an archive that another process"
                        + " re-created without making it durable: " + ops.fsyncedDirectories);
    }
}
