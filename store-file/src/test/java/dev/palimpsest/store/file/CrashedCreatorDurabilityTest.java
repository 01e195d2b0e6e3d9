package dev.palimpsest.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.store.AppendRequest;
import dev.palimpsest.store.Expectation;
import java.io.IOException;
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
 * acknowledges anything stored under it: {@code sm/} itself (in the root), and a log segment
 * renamed into place by a rotation (in {@code sm/}). A segment 1 without a record holds no
 * conversation and is made again, with its own fsync, by the next append.
 */
class CrashedCreatorDurabilityTest {
    private static final Instant T = Instant.parse("2026-12-01T12:00:00Z");
    /** 64 KiB segments, rounds of about 20 KB: the fourth round starts segment 2. */
    private static final FileStoreOptions SMALL = new FileStoreOptions(1_000_000, 1L << 40,
            64 * 1024, 4096, 1 << 20);

    @TempDir
    Path dir;

    /** The real file operations, recording every directory fsync. */
    static final class RecordingFileOps extends FailingFileOps {
        final List<Path> fsyncedDirectories = new CopyOnWriteArrayList<>();

        @Override
        public void fsyncDirectory(Path directory) throws IOException {
            fsyncedDirectories.add(directory.toRealPath());
            super.fsyncDirectory(directory);
        }
    }

    private static void round(FileConversationStore store, int n) {
        store.append(AppendRequest.of("a", Expectation.nextRoundSeq(n), T, Message.user("u" + n),
                Message.assistant("a" + n + " " + "x".repeat(20_000))));
    }

    @Test
    void smLeftUnsyncedByACrashedCreatorIsSyncedIntoTheRootBeforeTheFirstAcknowledgedAppend()
            throws IOException {
        Path root = Files.createDirectory(dir.resolve("root"));
        // What a writer killed between mkdir(sm) and fsync(root) leaves behind.
        Files.createDirectory(root.resolve("sm"));
        RecordingFileOps ops = new RecordingFileOps();
        try (FileConversationStore store = FileConversationStore.open(root, SMALL, ops)) {
            round(store, 1);
        }
        assertTrue(ops.fsyncedDirectories.contains(root.toRealPath()),
                "the root was never fsynced, so sm/ may vanish on power loss: "
                        + ops.fsyncedDirectories);
    }

    @Test
    void aFailedFsyncOfTheRootIsTriedAgainByTheNextAppend() throws IOException {
        Path root = Files.createDirectory(dir.resolve("root"));
        RecordingFileOps ops = new RecordingFileOps();
        try (FileConversationStore store = FileConversationStore.open(root, SMALL, ops)) {
            ops.arm(0); // the root's fsync after mkdir(sm)
            assertEquals(FailureKind.IO, assertThrows(PalimpsestException.class,
                    () -> round(store, 1)).kind());
            ops.fsyncedDirectories.clear();
            round(store, 1);
        }
        assertTrue(ops.fsyncedDirectories.contains(root.toRealPath()),
                "sm/ is acknowledged into a root never fsynced since: " + ops.fsyncedDirectories);
    }

    /** Fails the directory fsync that follows the rename of a new log segment. */
    static final class FailingSegmentSyncOps extends FailingFileOps {
        private volatile boolean segmentRenamed;

        @Override
        public void moveAtomically(Path source, Path target) throws IOException {
            super.moveAtomically(source, target);
            segmentRenamed = target.getFileName().toString().endsWith(".log");
        }

        @Override
        public void fsyncDirectory(Path directory) throws IOException {
            if (segmentRenamed) {
                segmentRenamed = false;
                throw new IOException("injected failure of the fsync after a segment's rename");
            }
            super.fsyncDirectory(directory);
        }
    }

    @Test
    void aSegmentRenamedByACrashedRotatorIsSyncedBeforeItsFirstRecordIsAcknowledged()
            throws IOException {
        Path root = Files.createDirectory(dir.resolve("root"));
        Path sm = root.resolve("sm");
        FailingSegmentSyncOps crashing = new FailingSegmentSyncOps();
        try (FileConversationStore store = FileConversationStore.open(root, SMALL)) {
            for (int n = 1; n <= 3; n++) {
                round(store, n);
            }
        }
        // The fourth round renames segment 2 into place, and the fsync of sm/ after it fails:
        // what a rotator killed between the two leaves behind.
        try (FileConversationStore store = FileConversationStore.open(root, SMALL, crashing)) {
            assertEquals(FailureKind.DURABILITY_UNKNOWN, assertThrows(PalimpsestException.class,
                    () -> round(store, 4)).kind());
        }
        assertTrue(Files.exists(sm.resolve(ConversationIdCodec.segmentName("a", 2))));
        RecordingFileOps next = new RecordingFileOps();
        try (FileConversationStore store = FileConversationStore.open(root, SMALL, next)) {
            assertEquals(6, store.load("a").orElseThrow().counters().messagesTotal(),
                    "segment 2 holds no record yet");
            next.fsyncedDirectories.clear();
            round(store, 4);
            assertEquals(8, store.load("a").orElseThrow().counters().messagesTotal());
        }
        assertTrue(Files.size(sm.resolve(ConversationIdCodec.segmentName("a", 2))) > 20_000,
                "the fourth round went into segment 2");
        assertTrue(next.fsyncedDirectories.contains(sm.toRealPath()),
                "the first record of a segment whose rename was never made durable was"
                        + " acknowledged without an fsync of sm/: " + next.fsyncedDirectories);
    }
}
