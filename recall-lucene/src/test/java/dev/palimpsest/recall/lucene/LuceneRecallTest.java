package dev.palimpsest.recall.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.store.AppendRequest;
import dev.palimpsest.store.AppendResult;
import dev.palimpsest.store.ConversationStore;
import dev.palimpsest.store.Expectation;
import dev.palimpsest.store.RecallHit;
import dev.palimpsest.store.RecallQuery;
import dev.palimpsest.store.file.FileConversationStore;
import dev.palimpsest.testkit.ChildJvm;
import dev.palimpsest.testkit.ChildJvms;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.Term;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What the Lucene recall does beyond the contract: several processes, crashes, damage, erasure. */
@Timeout(120)
class LuceneRecallTest {
    private static final Instant T = Instant.parse("2026-12-01T10:00:00Z");
    private static final LuceneRecallOptions QUICK =
            new LuceneRecallOptions(1_000, Duration.ofMillis(20), Duration.ofSeconds(10));

    @TempDir
    Path dir;
    private ConversationStore store;
    private Path recallRoot;

    @BeforeEach
    void openStore() {
        store = FileConversationStore.open(dir);
        recallRoot = dir.resolve("recall");
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    private AppendResult append(String convId, String text) {
        return store.append(AppendRequest.of(convId, Expectation.none(), T, Message.user(text)));
    }

    private static List<Long> seqs(List<RecallHit> hits) {
        return hits.stream().map(h -> h.message().seq()).sorted().toList();
    }

    @Test
    void aSecondRecallSearchesTheCommittedIndexAndTheStorePastIt() {
        try (LuceneRecall writer = LuceneRecall.open(recallRoot, store, QUICK);
             LuceneRecall reader = LuceneRecall.open(recallRoot, store, QUICK)) {
            assertTrue(writer.indexes());
            assertFalse(reader.indexes(), "one writer per index");
            for (int i = 1; i <= 5; i++) {
                writer.appended("c", append("c", "alpha " + i).messages());
            }
            // Nothing committed yet: the reader searches the store past an empty index.
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L),
                    seqs(reader.search(RecallQuery.in("c", "alpha", 50))));
            writer.search(RecallQuery.in("c", "alpha", 1));
            awaitCommit(reader, "c", 5);
            append("c", "alpha 6");
            // Indexed 1-5, the store past them 6: one answer, scored as one.
            List<RecallHit> hits = reader.search(RecallQuery.in("c", "alpha", 50));
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), seqs(hits));
            assertEquals(6, hits.stream().filter(h -> h.score() > 0).count());
        }
    }

    private void awaitCommit(LuceneRecall reader, String convId, long seq) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (indexedThrough(convId) < seq) {
            assertTrue(System.nanoTime() < deadline, "no commit of " + convId + " through " + seq);
            sleep(10);
        }
    }

    private long indexedThrough(String convId) {
        try (FSDirectory d = FSDirectory.open(recallRoot.resolve("index"));
             DirectoryReader r = DirectoryReader.open(d)) {
            return MessageDocs.through(r, convId);
        } catch (IOException e) {
            return 0;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Test
    void aReaderAnswersOnceForAMessageOfARecreatedConversationInBothIndexes() {
        try (LuceneRecall writer = LuceneRecall.open(recallRoot, store, QUICK);
             LuceneRecall reader = LuceneRecall.open(recallRoot, store, QUICK)) {
            writer.appended("c", append("c", "hello there").messages());
            writer.appended("c", append("c", "first life").messages());
            writer.appended("c", append("c", "first life again").messages());
            writer.search(RecallQuery.in("c", "hello", 5));
            awaitCommit(reader, "c", 3);
            store.delete("c");
            append("c", "hello there");
            assertEquals(List.of(1L), seqs(reader.search(RecallQuery.in("c", "hello", 5))),
                    "one hit, though the committed index and the tail both hold it");
        }
    }

    @Test
    void aReaderTakesOverWhenTheWriterCloses() {
        LuceneRecall writer = LuceneRecall.open(recallRoot, store, QUICK);
        try (LuceneRecall reader = LuceneRecall.open(recallRoot, store, QUICK)) {
            writer.appended("c", append("c", "bravo one").messages());
            writer.close();
            assertFalse(reader.indexes());
            sleep(40);
            append("c", "bravo two");
            assertEquals(List.of(1L, 2L), seqs(reader.search(RecallQuery.in("c", "bravo", 9))));
            assertTrue(reader.indexes(), "took the index over at its search");
        }
        assertEquals(2, indexedThrough("c"), "committed at close");
    }

    @Test
    void aCrashedWriterLosesOnlyWhatItHadNotCommittedAndTheNextOneCatchesUp() throws Exception {
        try (ChildJvms children = new ChildJvms(1, Duration.ofSeconds(60))) {
            ChildJvm child = children.start(IndexingChild.class, dir.toString(),
                    recallRoot.toString(), "c", "250", "100");
            child.awaitLine("indexed 250"::equals, Duration.ofSeconds(60));
            child.awaitExit(Duration.ofSeconds(30));
        }
        long committed = indexedThrough("c");
        assertTrue(committed == 200, "committed through " + committed);
        try (LuceneRecall recall = LuceneRecall.open(recallRoot, store, QUICK)) {
            assertTrue(recall.indexes(), "the dead writer's lock is free");
            for (int i : new int[] {0, 99, 100, 199, 200, 249}) {
                List<RecallHit> hits = recall.search(RecallQuery.in("c", "word" + i, 5));
                assertEquals(List.of(i + 1L), seqs(hits), "word" + i);
            }
            assertEquals(250, recall.search(RecallQuery.in("c", "common", 1000)).size(),
                    "each message once");
        }
        assertEquals(250, indexedThrough("c"));
    }

    @Test
    void aDamagedIndexIsRebuiltFromTheStore() throws IOException {
        try (LuceneRecall recall = LuceneRecall.open(recallRoot, store, QUICK)) {
            for (int i = 0; i < 20; i++) {
                recall.appended("c", append("c", "charlie " + i).messages());
            }
        }
        try (Stream<Path> files = Files.list(recallRoot.resolve("index"))) {
            for (Path f : files.filter(p -> !p.getFileName().toString().equals("write.lock"))
                    .toList()) {
                Files.write(f, "not an index file".getBytes());
            }
        }
        try (LuceneRecall recall = LuceneRecall.open(recallRoot, store, QUICK)) {
            assertEquals(20, recall.search(RecallQuery.in("c", "charlie", 100)).size());
        }
        assertEquals(20, indexedThrough("c"));
    }

    @Test
    void aMissingIndexIsBuiltFromTheStore() throws IOException {
        for (int i = 0; i < 10; i++) {
            append("c", "delta " + i);
        }
        try (LuceneRecall recall = LuceneRecall.open(recallRoot, store, QUICK)) {
            assertEquals(10, recall.search(RecallQuery.everywhere("delta", 100)).size());
        }
        assertEquals(10, indexedThrough("c"));
    }

    @Test
    void erasureLeavesNoWordOfTheConversationInAnyIndexFile() throws IOException {
        try (LuceneRecall recall = LuceneRecall.open(recallRoot, store, QUICK)) {
            recall.appended("kept", append("kept", "echo common").messages());
            recall.appended("gone", append("gone", "foxtrotsecret common").messages());
            recall.search(RecallQuery.everywhere("common", 10));
        }
        // Committed in a segment of its own with the kept one; reopen and erase.
        try (LuceneRecall recall = LuceneRecall.open(recallRoot, store, QUICK)) {
            recall.appended("kept", append("kept", "golf common").messages());
            recall.search(RecallQuery.everywhere("common", 10));
            store.delete("gone");
            recall.erase("gone");
            assertEquals(0, termCount("foxtrotsecret"), "no segment keeps the erased word");
            assertEquals(2, recall.search(RecallQuery.everywhere("common", 10)).size());
        }
        assertEquals(0, termCount("foxtrotsecret"));
        assertEquals(1, termCount("echo"), "the other conversation is untouched");
    }

    /** Documents with the word in the index's files, deleted ones included. */
    private long termCount(String word) throws IOException {
        long n = 0;
        try (FSDirectory d = FSDirectory.open(recallRoot.resolve("index"));
             DirectoryReader r = DirectoryReader.open(d)) {
            for (LeafReaderContext leaf : r.leaves()) {
                n += leaf.reader().docFreq(new Term(MessageDocs.TEXT, word));
            }
        }
        return n;
    }

    @Test
    void aReaderAsksTheWriterToEraseAndWaitsForIt() throws IOException {
        try (LuceneRecall writer = LuceneRecall.open(recallRoot, store, QUICK);
             LuceneRecall reader = LuceneRecall.open(recallRoot, store, QUICK)) {
            writer.appended("gone", append("gone", "hotelsecret").messages());
            writer.search(RecallQuery.in("gone", "hotelsecret", 1));
            store.delete("gone");
            reader.erase("gone");
            assertFalse(reader.indexes());
            try (Stream<Path> left = Files.list(recallRoot.resolve("erase"))) {
                assertEquals(0, left.count(), "the request was carried out and removed");
            }
            assertEquals(0, termCount("hotelsecret"));
        }
    }

    @Test
    void anErasureTheWriterDoesNotCarryOutFailsAfterItsWaitAndStaysAsked() throws IOException {
        LuceneRecallOptions slow = new LuceneRecallOptions(1_000, Duration.ofHours(1),
                Duration.ofMillis(200));
        try (LuceneRecall writer = LuceneRecall.open(recallRoot, store, slow);
             LuceneRecall reader = LuceneRecall.open(recallRoot, store, slow)) {
            writer.appended("gone", append("gone", "indiasecret").messages());
            writer.search(RecallQuery.in("gone", "indiasecret", 1));
            store.delete("gone");
            PalimpsestException e = assertThrows(PalimpsestException.class,
                    () -> reader.erase("gone"));
            assertEquals(FailureKind.IO, e.kind());
            assertEquals(java.util.Optional.of("gone"), e.convId());
            assertTrue(e.getMessage().contains("held by another process"), e.getMessage());
            assertTrue(reader.search(RecallQuery.everywhere("indiasecret", 5)).isEmpty(),
                    "the store no longer has it, so no search answers with it");
            // The writer carries the request out at its next search.
            writer.search(RecallQuery.everywhere("anything", 5));
            try (Stream<Path> left = Files.list(recallRoot.resolve("erase"))) {
                assertEquals(0, left.count());
            }
        }
        assertEquals(0, termCount("indiasecret"));
    }

    @Test
    void aClosedRecallRefusesWork() {
        LuceneRecall recall = LuceneRecall.open(recallRoot, store, QUICK);
        recall.close();
        recall.close();
        PalimpsestException e = assertThrows(PalimpsestException.class,
                () -> recall.search(RecallQuery.everywhere("x", 1)));
        assertEquals(FailureKind.INVALID_INPUT, e.kind());
    }

    @Test
    void aLongUnindexedTailIsSearchedFromATemporaryDirectory() {
        String big = "juliet " + "filler ".repeat(100_000);
        try (LuceneRecall writer = LuceneRecall.open(recallRoot, store, QUICK);
             LuceneRecall reader = LuceneRecall.open(recallRoot, store, QUICK)) {
            assertTrue(writer.indexes());
            for (int i = 0; i < 8; i++) {
                append("c", big + " kilo" + i);
            }
            List<RecallHit> hits = reader.search(RecallQuery.in("c", "kilo7", 3));
            assertEquals(List.of(8L), seqs(hits));
        }
    }
}
