package dev.palimpsest.store.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.model.ConversationState;
import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.store.AppendRequest;
import dev.palimpsest.store.CompactionRequest;
import dev.palimpsest.store.Expectation;
import dev.palimpsest.testkit.TreeSnapshot;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the file store does with a torn log tail, damage, and lost or stale checkpoints. */
class LogDamageTest {
    private static final Instant T = Instant.parse("2026-12-01T00:00:00Z");

    @TempDir
    Path root;

    private FileConversationStore open() {
        return FileConversationStore.open(root, FileStoreOptions.DEFAULTS);
    }

    private static void round(FileConversationStore s, String conv, int n) {
        s.append(AppendRequest.of(conv, Expectation.none(), T, Message.user("q" + n),
                Message.assistant("a" + n)));
    }

    private Path segment(String conv, int n) {
        return root.resolve("sm").resolve("conversation-" + conv + "."
                + String.format("%08d", n) + ".log");
    }

    /** The offset of the end of the records: the first zero frame header after the header. */
    private static long endOfRecords(Path segment) throws IOException {
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate((int) ch.size());
            ch.read(b, 0);
            long pos = b.getInt(8 + 4) ; // header length
            while (b.getInt((int) pos) != 0) {
                pos += 8 + b.getInt((int) pos);
            }
            return pos;
        }
    }

    private static void writeAt(Path file, long at, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(bytes), at);
        }
    }

    @Test
    void aConversationWhoseLockFileIsGoneIsReadFromItsLogAlone() throws IOException {
        try (FileConversationStore s = open()) {
            round(s, "c", 1);
            round(s, "c", 2);
        }
        Path sm = root.resolve("sm");
        Files.delete(sm.resolve("conversation-c.lock"));
        assertFalse(Files.exists(sm.resolve("conversation-c.json")), "no checkpoint yet");
        try (FileConversationStore s = open()) {
            assertEquals(2, s.load("c").orElseThrow().counters().roundsTotal());
            assertEquals(2, s.summary("c").orElseThrow().counters().roundsTotal());
            assertFalse(Files.exists(sm.resolve("conversation-c.lock")), "reading made none");
            round(s, "c", 3);
            assertTrue(Files.exists(sm.resolve("conversation-c.lock")));
            assertEquals(3, s.load("c").orElseThrow().counters().roundsTotal());
        }
    }

    @Test
    void aTornTailIsZeroedWhenTheNextAppendStartsANewSegment() throws IOException {
        FileStoreOptions small = new FileStoreOptions(256, 4 << 20, 64 * 1024, 4096, 8 << 20);
        try (FileConversationStore s = FileConversationStore.open(root, small)) {
            round(s, "c", 1);
        }
        Path seg = segment("c", 1);
        ByteBuffer torn = ByteBuffer.allocate(108).putInt(500).putInt(12345);
        for (int i = 0; i < 100; i++) {
            torn.put((byte) 'x');
        }
        writeAt(seg, endOfRecords(seg), torn.array());
        try (FileConversationStore s = FileConversationStore.open(root, small)) {
            // Too large for what is left of segment 1: it opens segment 2.
            s.append(AppendRequest.of("c", Expectation.none(), T,
                    Message.user("x".repeat(70_000))));
        }
        try (var files = Files.list(root.resolve("sm"))) {
            assertTrue(Files.exists(segment("c", 2)), files.toList().toString());
        }
        try (FileConversationStore s = FileConversationStore.open(root, small)) {
            assertEquals(3, s.load("c").orElseThrow().counters().messagesTotal(),
                    "the torn bytes left in segment 1 would read as damage before segment 2");
            assertEquals(List.of(), s.check(false).findings());
        }
    }

    @Test
    void aTornLastAppendIsSkippedByReadsAndOverwrittenByTheNextWrite() throws IOException {
        try (FileConversationStore s = open()) {
            round(s, "c", 1);
            round(s, "c", 2);
        }
        Path seg = segment("c", 1);
        long end = endOfRecords(seg);
        // Half an append: a frame header claiming 500 bytes, then 100 bytes of them.
        ByteBuffer torn = ByteBuffer.allocate(108).putInt(500).putInt(12345);
        for (int i = 0; i < 100; i++) {
            torn.put((byte) 'x');
        }
        writeAt(seg, end, torn.array());
        Map<String, String> before = TreeSnapshot.of(root, null);
        try (FileConversationStore s = open()) {
            assertEquals(4, s.load("c").orElseThrow().counters().messagesTotal());
            assertEquals(4, s.messages("c", 1, 100).size());
            assertEquals(List.of("c"), s.list(Optional.empty(), 10).ids());
        }
        assertEquals(before, TreeSnapshot.of(root, null), "no read changes a byte");
        try (FileConversationStore s = open()) {
            s.append(AppendRequest.of("c", Expectation.nextMessageSeq(5), T, Message.user("q3")));
        }
        try (FileConversationStore s = open()) {
            List<StoredMessage> all = s.messages("c", 1, 100);
            assertEquals(5, all.size());
            assertEquals("q3", all.get(4).message().content());
            round(s, "c", 4);
            assertEquals(7, s.load("c").orElseThrow().counters().messagesTotal());
        }
    }

    @Test
    void damageBeforeTheEndIsCorruptAndChangesNothing() throws IOException {
        try (FileConversationStore s = open()) {
            for (int i = 1; i <= 5; i++) {
                round(s, "c", i);
            }
        }
        Path seg = segment("c", 1);
        byte[] original = Files.readAllBytes(seg);
        // Flip one byte inside the payload of the first record.
        int header = ByteBuffer.wrap(original).getInt(12);
        writeAt(seg, header + 8 + 20, new byte[] {(byte) (original[header + 8 + 20] ^ 1)});
        // The lock file holds a head: an append reads only the newest round, but checks the
        // frames of the log a load would replay, so it fails as the load does.
        assertEquals(HeadBlock.OFFSET + HeadBlock.SIZE,
                Files.size(root.resolve("sm").resolve("conversation-c.lock")));
        Map<String, String> before = TreeSnapshot.of(root, null);
        try (FileConversationStore s = open()) {
            for (Runnable r : List.<Runnable>of(() -> s.load("c"), () -> s.messages("c", 1, 1),
                    () -> round(s, "c", 6))) {
                PalimpsestException e = assertThrows(PalimpsestException.class, r::run);
                assertEquals(FailureKind.CORRUPT, e.kind(), e.getMessage());
                assertTrue(e.getMessage().contains("00000001.log"), e.getMessage());
            }
        }
        assertEquals(before, TreeSnapshot.of(root, null), "a damaged log is left as it is");
    }

    @Test
    void aLostOrUnreadableCheckpointIsRebuiltFromTheLog() throws IOException {
        ConversationState expected;
        FileStoreOptions every = FileStoreOptions.DEFAULTS.checkpointingEveryChange();
        try (FileConversationStore s = FileConversationStore.open(root, every)) {
            for (int i = 1; i <= 6; i++) {
                round(s, "c", i);
            }
            s.commitCompaction(new CompactionRequest("c", 0, 3, "first three", 4, T));
            round(s, "c", 7);
            expected = s.load("c").orElseThrow();
        }
        Path checkpoint = root.resolve("sm/conversation-c.json");
        assertTrue(Files.readString(checkpoint).contains("\"revision\" : 8"),
                "checkpointing every change keeps the state file current");
        Files.writeString(checkpoint, "{ not json");
        try (FileConversationStore s = FileConversationStore.open(root, every)) {
            assertEquals(expected, s.load("c").orElseThrow());
            round(s, "c", 8);
        }
        assertTrue(Files.readString(checkpoint).contains("\"revision\" : 9"),
                "the next write replaced the unreadable checkpoint");
        Files.delete(checkpoint);
        try (FileConversationStore s = open()) {
            assertEquals("first three", s.load("c").orElseThrow().compressedContext());
            assertEquals(16, s.load("c").orElseThrow().counters().messagesTotal());
        }
    }

    @Test
    void theLogCanRunAheadOfTheCheckpoint() throws IOException {
        try (FileConversationStore s = open()) {
            for (int i = 1; i <= 4; i++) {
                round(s, "c", i);
            }
            s.commitCompaction(new CompactionRequest("c", 0, 2, "ctx", 1, T));
            for (int i = 5; i <= 30; i++) {
                round(s, "c", i);
            }
        }
        String stored = Files.readString(root.resolve("sm/conversation-c.json"));
        assertTrue(stored.contains("\"revision\" : 5"), "checkpointed at the compaction only");
        try (FileConversationStore s = open()) {
            ConversationState state = s.load("c").orElseThrow();
            assertEquals(31, state.revision());
            assertEquals(28, state.recentRounds().size());
        }
    }

    @Test
    void segmentsRotateAndEveryRecordStaysReadable() throws IOException {
        FileStoreOptions small = new FileStoreOptions(4, 1 << 20, 64 * 1024, 8192, 1 << 20);
        String text = "y".repeat(3000);
        try (FileConversationStore s = FileConversationStore.open(root, small)) {
            for (int i = 0; i < 100; i++) {
                s.append(AppendRequest.of("c", Expectation.none(), T, Message.user(text + i)));
            }
        }
        try (Stream<Path> files = Files.list(root.resolve("sm"))) {
            assertTrue(files.filter(f -> f.toString().endsWith(".log")).count() >= 4,
                    "300 KB of records in 64 KiB segments");
        }
        try (FileConversationStore s = FileConversationStore.open(root, small)) {
            List<StoredMessage> all = s.messages("c", 1, 1000);
            assertEquals(100, all.size());
            assertEquals(text + 99, all.get(99).message().content());
            assertTrue(s.delete("c"));
        }
        try (Stream<Path> files = Files.list(root.resolve("sm"))) {
            assertEquals(List.of("conversation-c.lock"), files.map(f -> f.getFileName().toString())
                    .toList(), "delete leaves no segment, checkpoint or temp file");
        }
    }

    @Test
    void aSegmentWhoseFirstAppendNeverFinishedHoldsNoConversation() throws IOException {
        try (FileConversationStore s = open()) {
            round(s, "c", 1);
        }
        Path seg = segment("c", 1);
        long end = endOfRecords(seg);
        int header = ByteBuffer.wrap(Files.readAllBytes(seg)).getInt(12);
        // Zero the only record: as if the first append's write never reached the disk.
        writeAt(seg, header, new byte[(int) (end - header)]);
        Files.deleteIfExists(root.resolve("sm/conversation-c.json"));
        try (FileConversationStore s = open()) {
            assertTrue(s.load("c").isEmpty());
            assertEquals(List.of(), s.list(Optional.empty(), 10).ids());
            round(s, "c", 1);
            assertEquals(1, s.load("c").orElseThrow().revision());
        }
    }

    @Test
    void anUnreadableConversationIsListedAndTheOthersToo() throws IOException {
        try (FileConversationStore s = open()) {
            round(s, "a", 1);
            round(s, "c", 1);
        }
        // A checkpoint with no log beside it: conversation 'b' exists, and cannot be read.
        Files.writeString(root.resolve("sm/conversation-b.json"), "{\"schema_version\":");
        try (FileConversationStore s = open()) {
            assertEquals(List.of("a", "b", "c"), s.list(Optional.empty(), 10).ids());
            assertEquals(FailureKind.CORRUPT, assertThrows(PalimpsestException.class,
                    () -> s.load("b")).kind());
        }
    }

    @Test
    void aConversationWhoseLogIsDamagedAfterItsFirstRecordIsListedAndItsLoadSaysWhy()
            throws IOException {
        try (FileConversationStore s = open()) {
            round(s, "a", 1);
            round(s, "b", 1);
            round(s, "b", 2);
        }
        Path seg = segment("b", 1);
        long end = endOfRecords(seg);
        // A frame that fails its checksum with data after it: damage, not a torn tail.
        writeAt(seg, end, new byte[] {0, 0, 0, 4, 1, 2, 3, 4, 'x', 'x', 'x', 'x'});
        writeAt(seg, end + 64, "more".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        try (FileConversationStore s = open()) {
            assertEquals(List.of("a", "b"), s.list(Optional.empty(), 10).ids());
            assertEquals(FailureKind.CORRUPT, assertThrows(PalimpsestException.class,
                    () -> s.load("b")).kind());
        }
    }

    @Test
    void tempFilesAKilledWriterLeftAreRemovedByTheNextWriteAndNeverBlockIt() throws IOException {
        try (FileConversationStore s = open()) {
            round(s, "c", 1);
        }
        Path checkpointTemp = root.resolve("sm/" + ConversationIdCodec.tempName("c", 0));
        Path segmentTemp = root.resolve("sm/" + ConversationIdCodec.tempName("c", 1));
        Files.writeString(checkpointTemp, "half a checkpoint");
        Files.writeString(segmentTemp, "half a segment");
        try (FileConversationStore s = open()) {
            assertTrue(Files.exists(checkpointTemp), "a read leaves them alone");
            s.load("c");
            assertTrue(Files.exists(checkpointTemp), "a read leaves them alone");
            round(s, "c", 2);
            assertFalse(Files.exists(checkpointTemp));
            assertFalse(Files.exists(segmentTemp));
        }
        // Left again while this store runs (another process killed mid-checkpoint): the next
        // checkpoint replaces it instead of failing on the name.
        Files.writeString(checkpointTemp, "half a checkpoint");
        try (FileConversationStore s = FileConversationStore.open(root,
                FileStoreOptions.DEFAULTS.checkpointingEveryChange())) {
            round(s, "c", 3);
            assertFalse(Files.exists(checkpointTemp));
            assertTrue(Files.readString(root.resolve("sm/conversation-c.json"))
                    .contains("\"revision\" : 3"), "the checkpoint of the third round");
        }
    }

    @Test
    void hostileFilesAreRefusedWithoutFollowingOrHanging() throws Exception {
        try (FileConversationStore s = open()) {
            round(s, "c", 1);
        }
        Path outside = Files.writeString(root.resolve("outside.txt"), "secret");
        Path checkpoint = root.resolve("sm/conversation-c.json");
        Files.deleteIfExists(checkpoint);
        Files.createSymbolicLink(checkpoint, outside);
        try (FileConversationStore s = open()) {
            PalimpsestException e = assertThrows(PalimpsestException.class, () -> s.load("c"));
            assertEquals(FailureKind.CORRUPT, e.kind());
            assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        }
        Files.delete(checkpoint);
        new ProcessBuilder("mkfifo", checkpoint.toString()).start().waitFor();
        if (Files.exists(checkpoint)) {
            try (FileConversationStore s = open()) {
                PalimpsestException e = assertThrows(PalimpsestException.class,
                        () -> s.load("c"));
                assertEquals(FailureKind.CORRUPT, e.kind());
            }
            Files.delete(checkpoint);
        }
        Path seg = segment("d", 1);
        Files.createSymbolicLink(seg, outside);
        try (FileConversationStore s = open()) {
            assertEquals(FailureKind.CORRUPT, assertThrows(PalimpsestException.class,
                    () -> round(s, "d", 1)).kind());
        }
        assertEquals("secret", Files.readString(outside));
        assertFalse(Files.isSymbolicLink(outside));
        assertArrayEquals("secret".getBytes(), Files.readAllBytes(outside));
    }
}
