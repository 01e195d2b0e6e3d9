package dev.palimpsest.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.model.Round;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.store.AppendRequest;
import dev.palimpsest.store.CompactionRequest;
import dev.palimpsest.store.Expectation;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sparse index: range reads far back start at its entries, a missing or stale index only
 * costs a scan, writes rebuild it, and delete and quarantine take it with the log.
 */
class SparseIndexTest {
    private static final Instant T = Instant.parse("2026-12-04T00:00:00Z");
    private static final int ROUNDS = 1_000;

    @TempDir
    Path root;

    private FileConversationStore open() {
        // The compaction that ends fill() writes a checkpoint, so opening reads no old record.
        return FileConversationStore.open(root, FileStoreOptions.DEFAULTS);
    }

    private Path sm() {
        return root.resolve("sm");
    }

    private Path index(String conv) {
        return sm().resolve(ConversationIdCodec.indexName(conv));
    }

    /** 1,000 rounds of two messages, of which the first 990 are compacted. */
    private void fill(FileConversationStore s, String conv) {
        for (int n = 1; n <= ROUNDS; n++) {
            s.append(AppendRequest.of(conv, Expectation.none(), T, Message.user("q" + n),
                    Message.assistant("a" + n)));
        }
        s.commitCompaction(new CompactionRequest(conv, 0, ROUNDS - 10, "summary", 1, T));
    }

    private static void checkRanges(FileConversationStore s, String conv) {
        for (long from : new long[] {1, 2, 127, 128, 129, 130, 1_001, 1_799, 1_979, 1_981}) {
            List<StoredMessage> got = s.messages(conv, from, 5);
            assertEquals(5, got.size(), "from " + from);
            for (int i = 0; i < 5; i++) {
                long seq = from + i;
                assertEquals(seq, got.get(i).seq());
                String want = (seq % 2 == 1 ? "q" : "a") + ((seq + 1) / 2);
                assertEquals(want, got.get(i).message().content(), "message " + seq);
            }
        }
        for (long from : new long[] {1, 64, 65, 500, 989, 990, 991, 999}) {
            List<Round> got = s.rounds(conv, from, 3);
            assertEquals(Math.min(3, ROUNDS - from + 1), got.size(), "round " + from);
            for (int i = 0; i < got.size(); i++) {
                assertEquals(from + i, got.get(i).seq());
                assertEquals(2, got.get(i).messages().size(), "round " + (from + i) + " whole");
                assertEquals("q" + (from + i), got.get(i).messages().get(0).message().content());
            }
        }
    }

    @Test
    void writesKeepOneEntryPerBlockAndReadsAnswerAlikeFromAFreshStore() throws IOException {
        try (FileConversationStore s = open()) {
            fill(s, "c");
            checkRanges(s, "c");
        }
        List<SparseIndex.Entry> entries = SparseIndex.read(index("c"));
        assertEquals((2 * ROUNDS + SparseIndex.BLOCK - 1) / SparseIndex.BLOCK, entries.size());
        for (int k = 0; k < entries.size(); k++) {
            assertEquals(1 + k * SparseIndex.BLOCK, entries.get(k).messageSeq());
        }
        try (FileConversationStore s = open()) {
            checkRanges(s, "c");
        }
    }

    @Test
    void aReadStartsAtTheIndexSoDamageBeforeItIsNeverRead() throws IOException {
        try (FileConversationStore s = open()) {
            fill(s, "c");
        }
        Path segment = sm().resolve(ConversationIdCodec.segmentName("c", 1));
        flipByteOfRecord(segment, 3);
        try (FileConversationStore s = open()) {
            assertEquals("q951", s.messages("c", 1_901, 1).get(0).message().content());
            assertEquals(951, s.rounds("c", 951, 1).get(0).seq());
            PalimpsestException damaged = assertThrows(PalimpsestException.class,
                    () -> s.messages("c", 1, 10));
            assertEquals(FailureKind.CORRUPT, damaged.kind());
        }
    }

    @Test
    void aMissingIndexIsAScanAndTheNextWriteThatStartsABlockRebuildsIt() throws IOException {
        try (FileConversationStore s = open()) {
            fill(s, "c");
        }
        Files.delete(index("c"));
        try (FileConversationStore s = open()) {
            checkRanges(s, "c");
            assertFalse(Files.exists(index("c")), "reads change nothing");
            for (int n = 0; n < SparseIndex.BLOCK / 2; n++) {
                s.append(AppendRequest.of("c", Expectation.none(), T, Message.user("more"),
                        Message.assistant("more")));
            }
        }
        List<SparseIndex.Entry> entries = SparseIndex.read(index("c"));
        long messages = 2 * ROUNDS + SparseIndex.BLOCK;
        assertEquals((messages + SparseIndex.BLOCK - 1) / SparseIndex.BLOCK, entries.size());
    }

    @Test
    void staleOrGarbledEntriesAreNeverBelieved() throws IOException {
        try (FileConversationStore s = open()) {
            fill(s, "c");
        }
        List<SparseIndex.Entry> good = SparseIndex.read(index("c"));
        List<SparseIndex.Entry> shifted = new ArrayList<>();
        for (SparseIndex.Entry e : good) {
            // Valid checksums, wrong places: each entry points at its neighbour's record.
            SparseIndex.Entry next = good.get(Math.min(good.size() - 1, good.indexOf(e) + 1));
            shifted.add(new SparseIndex.Entry(e.messageSeq(), e.lastSeq(), e.roundSeq(),
                    next.position()));
        }
        SparseIndex.rewrite(index("c"), shifted);
        try (FileConversationStore s = open()) {
            checkRanges(s, "c");
        }
        Files.write(index("c"), new byte[] {'P', 'L', 'M', 'P', 'S', 'I', 'D', 'X', 1, 2, 3});
        try (FileConversationStore s = open()) {
            checkRanges(s, "c");
        }
        Files.write(index("c"), "garbage that is no index at all".repeat(50).getBytes());
        try (FileConversationStore s = open()) {
            checkRanges(s, "c");
        }
    }

    @Test
    void deleteErasesTheIndexAndANewConversationOnTheIdHasItsOwn() throws IOException {
        try (FileConversationStore s = open()) {
            fill(s, "c");
            assertTrue(Files.exists(index("c")));
            assertTrue(s.delete("c"));
            assertFalse(Files.exists(index("c")));
            try (Stream<Path> files = Files.list(sm())) {
                assertEquals(List.of(), files.map(p -> p.getFileName().toString())
                        .filter(n -> !n.endsWith(".lock")).toList());
            }
            s.append(AppendRequest.of("c", Expectation.none(), T, Message.user("new")));
            assertEquals("new", s.messages("c", 1, 1).get(0).message().content());
        }
    }

    /** Flips one payload byte of the {@code n}th record (from 1) of a segment. */
    private static void flipByteOfRecord(Path segment, int n) throws IOException {
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate((int) ch.size());
            ch.read(b, 0);
            int pos = b.getInt(12);
            for (int i = 1; i < n; i++) {
                pos += 8 + b.getInt(pos);
            }
            int at = pos + 8 + 2;
            ByteBuffer one = ByteBuffer.wrap(new byte[] {(byte) (b.get(at) ^ 0x20)});
            ch.write(one, at);
        }
    }
}
