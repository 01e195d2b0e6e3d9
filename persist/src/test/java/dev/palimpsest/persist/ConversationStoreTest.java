package dev.palimpsest.persist;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.core.Conversation;
import dev.palimpsest.core.Counters;
import dev.palimpsest.core.Round;
import dev.palimpsest.testkit.TreeSnapshot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConversationStoreTest {
    private static final Instant T = Instant.parse("2026-11-25T10:15:30.123456789Z");

    @TempDir
    Path root;
    private ConversationStore store;

    @BeforeEach
    void open() {
        store = ConversationStore.open(root);
    }

    @AfterEach
    void close() {
        store.close();
    }

    static Round round(long seq) {
        return new Round(seq, "user " + seq, "assistant " + seq, T.plusSeconds(seq),
                Map.of("model", "m" + seq));
    }

    static Conversation withRounds(Conversation c, int n) {
        Conversation next = c;
        for (int i = 0; i < n; i++) {
            next = next.withRoundAppended(round(next.nextSeq()), T.plusSeconds(next.nextSeq()));
        }
        return next;
    }

    @Test
    void loadOfAConversationNeverStoredIsEmpty() {
        assertEquals(Conversation.empty("fresh"), store.load("fresh"));
        assertFalse(Files.exists(root.resolve("sm")), "a read creates nothing");
    }

    @Test
    void saveStoresTheNextRevisionAndLoadReturnsItEqual() {
        Conversation saved = store.save(withRounds(Conversation.empty("c1"), 3));
        assertEquals(1, saved.revision());
        assertEquals(saved, store.load("c1"));
        Conversation again = store.save(withRounds(saved, 1));
        assertEquals(2, again.revision());
        assertEquals(4, store.load("c1").counters().roundsTotal());
    }

    @Test
    void aStaleSaveGetsAConflictAndLeavesTheFileUnchanged() throws IOException {
        Conversation first = store.save(withRounds(Conversation.empty("c"), 1));
        store.save(withRounds(first, 1));
        byte[] before = Files.readAllBytes(store.stateFile("c"));
        ConflictException e = assertThrows(ConflictException.class,
                () -> store.save(withRounds(first, 2)));
        assertEquals(1, e.expectedRevision());
        assertEquals(2, e.actualRevision());
        assertEquals(Optional.of("c"), e.convId());
        assertArrayEquals(before, Files.readAllBytes(store.stateFile("c")));
        assertThrows(ConflictException.class,
                () -> store.save(withRounds(Conversation.empty("c"), 1)));
    }

    @Test
    void updateReturningTheSameInstanceWritesNothing() {
        Conversation current = store.update("u", c -> c);
        assertEquals(Conversation.empty("u"), current);
        assertFalse(Files.exists(store.stateFile("u")));
    }

    @Test
    void updateStampsTheNextRevisionWhateverTheChangeReturns() {
        Conversation one = store.update("u", c -> withRounds(c, 2).withRevision(77));
        assertEquals(1, one.revision());
        Conversation two = store.update("u", c -> withRounds(c, 1));
        assertEquals(2, two.revision());
        assertEquals(two, store.load("u"));
    }

    @Test
    void updateThatChangesTheIdIsRejectedAndWritesNothing() {
        StoreException e = assertThrows(StoreException.class,
                () -> store.update("a", c -> withRounds(Conversation.empty("b"), 1)));
        assertTrue(e.getMessage().contains("'b'"), e.getMessage());
        assertFalse(Files.exists(store.stateFile("a")));
        assertFalse(Files.exists(store.stateFile("b")));
    }

    @Test
    void anExceptionOfTheChangePropagatesAndNothingIsWritten() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> store.update("a", c -> {
                    throw new IllegalStateException("boom");
                }));
        assertEquals("boom", e.getMessage());
        assertFalse(Files.exists(store.stateFile("a")));
    }

    @Test
    void theChangeMayArchiveRoundsOfTheSameConversationUnderTheLock() {
        store.save(withRounds(Conversation.empty("k"), 4));
        Conversation compacted = store.update("k", c -> {
            store.appendArchive("k", c.recentRounds().subList(0, 3));
            Counters counters = c.counters().withCompaction(3, T);
            return new Conversation("k", c.revision(), T, "summary of 1-3",
                    c.recentRounds().subList(3, 4), counters);
        });
        assertEquals(2, compacted.revision());
        try (Stream<Round> archived = store.archive("k")) {
            assertEquals(List.of(round(1), round(2), round(3)), archived.toList());
        }
        assertEquals(List.of(round(4)), store.load("k").recentRounds());
    }

    @Test
    void archiveKeepsAppendOrderAndIsEmptyWhenMissing() {
        try (Stream<Round> none = store.archive("a")) {
            assertEquals(List.of(), none.toList());
        }
        store.appendArchive("a", List.of(round(1), round(2)));
        store.appendArchive("a", List.of());
        store.appendArchive("a", List.of(round(3)));
        try (Stream<Round> archived = store.archive("a")) {
            assertEquals(List.of(round(1), round(2), round(3)), archived.toList());
        }
    }

    @Test
    void aTornLastArchiveLineIsSkippedAndRepairedByTheNextAppend() throws IOException {
        store.appendArchive("a", List.of(round(1), round(2)));
        Path file = store.archiveFile("a");
        Files.write(file, "{\"seq\":3,\"user\":\"tor".getBytes(StandardCharsets.UTF_8),
                java.nio.file.StandardOpenOption.APPEND);
        try (Stream<Round> archived = store.archive("a")) {
            assertEquals(List.of(round(1), round(2)), archived.toList());
        }
        store.appendArchive("a", List.of(round(3)));
        try (Stream<Round> archived = store.archive("a")) {
            assertEquals(List.of(round(1), round(2), round(3)), archived.toList());
        }
        List<String> lines = Files.readAllLines(file);
        assertEquals(3, lines.size());
        assertTrue(lines.stream().noneMatch(l -> l.contains("tor\"")));
    }

    @Test
    void aMalformedCompleteArchiveLineIsATypedError() throws IOException {
        store.appendArchive("a", List.of(round(1)));
        Files.write(store.archiveFile("a"), "not json\n".getBytes(StandardCharsets.UTF_8),
                java.nio.file.StandardOpenOption.APPEND);
        try (Stream<Round> archived = store.archive("a")) {
            CorruptStateException e = assertThrows(CorruptStateException.class,
                    archived::toList);
            assertTrue(e.getMessage().contains("line 2"), e.getMessage());
        }
    }

    @Test
    void listReportsEveryStoredConversationOrderedByIdAndSkipsUnreadableFiles()
            throws IOException {
        List<String> ids = List.of("zeta", "alpha", "Mixed Case/ü", "m");
        for (String id : ids) {
            store.save(withRounds(Conversation.empty(id), id.length()));
        }
        store.update("m", c -> withRounds(c, 1));
        Files.writeString(root.resolve("sm/conversation-broken.json"), "{\"schema_version\":");
        store.appendArchive("archived-only", List.of(round(1)));
        List<ConversationSummary> list = store.list();
        assertEquals(List.of("Mixed Case/ü", "alpha", "m", "zeta"),
                list.stream().map(ConversationSummary::convId).toList());
        ConversationSummary m = list.get(2);
        assertEquals(2, m.revision());
        assertEquals(store.load("m").counters(), m.counters());
        assertEquals(store.load("m").updatedAt(), m.updatedAt());
    }

    @Test
    void listingSaysWhichFilesItSkippedAndWhy() throws IOException {
        store.save(withRounds(Conversation.empty("good"), 1));
        Path broken = root.resolve("sm/conversation-broken.json");
        Files.writeString(broken, "{\"schema_version\":");
        Path moved = root.resolve("sm/conversation-moved.json");
        Files.copy(store.stateFile("good"), moved);
        ConversationListing listing = store.listing();
        assertEquals(List.of("good"),
                listing.conversations().stream().map(ConversationSummary::convId).toList());
        assertEquals(listing.conversations(), store.list());
        assertEquals(List.of(broken, moved),
                listing.skipped().stream().map(ConversationListing.Skipped::file).toList());
        assertTrue(listing.skipped().get(0).reason().startsWith("unreadable state file "),
                listing.skipped().get(0).reason());
        assertTrue(listing.skipped().get(1).reason().contains("holds conversation 'good'"),
                listing.skipped().get(1).reason());
    }

    @Test
    void listOfAnEmptyRootIsEmpty() {
        assertEquals(List.of(), store.list());
    }

    @Test
    void deleteRemovesStateAndArchiveSoTheIdStartsEmpty() {
        store.save(withRounds(Conversation.empty("d"), 2));
        store.appendArchive("d", List.of(round(1)));
        assertTrue(store.delete("d"));
        assertEquals(Conversation.empty("d"), store.load("d"));
        try (Stream<Round> archived = store.archive("d")) {
            assertEquals(0, archived.count());
        }
        assertFalse(store.delete("d"));
        assertEquals(1, store.save(withRounds(Conversation.empty("d"), 1)).revision());
        assertTrue(Files.exists(root.resolve("sm/conversation-d.lock")),
                "lock files are never deleted");
    }

    @Test
    void deleteOfAnUnknownIdInAnEmptyRootIsFalse() {
        assertFalse(store.delete("nothing"));
    }

    @Test
    void twoIdsSharingOneFileAreACollisionNotMixedConversations() throws IOException {
        store.save(withRounds(Conversation.empty("Abc"), 1));
        // What a case-insensitive file system does: "abc" opens the file of "Abc".
        Files.copy(store.stateFile("Abc"), store.stateFile("abc"));
        byte[] before = Files.readAllBytes(store.stateFile("abc"));
        IdCollisionException e = assertThrows(IdCollisionException.class,
                () -> store.load("abc"));
        assertEquals("Abc", e.storedId());
        assertThrows(IdCollisionException.class,
                () -> store.save(withRounds(Conversation.empty("abc"), 1).withRevision(1)));
        assertThrows(IdCollisionException.class, () -> store.update("abc", c -> c));
        assertThrows(IdCollisionException.class,
                () -> store.appendArchive("abc", List.of(round(1))));
        assertThrows(IdCollisionException.class, () -> store.delete("abc"));
        assertArrayEquals(before, Files.readAllBytes(store.stateFile("abc")));
    }

    @Test
    void fileNamesFollowTheDaemonsSchemeForPlainIds() {
        assertEquals(root.resolve("sm").resolve("conversation-abc-1_X.json"),
                store.stateFile("abc-1_X"));
        assertEquals(root.resolve("sm").resolve("conversation-a%2Fb.json"),
                store.stateFile("a/b"));
        assertEquals(root.resolve("sm").resolve("conversation-abc.archive.jsonl"),
                store.archiveFile("abc"));
        assertEquals(root, store.root());
    }

    @Test
    void writersPutTheSmallHeaderFirst() throws IOException {
        store.save(withRounds(Conversation.empty("h"), 1));
        String json = Files.readString(store.stateFile("h"));
        List<String> order = List.of("\"schema_version\":1", "\"conv_id\":\"h\"",
                "\"revision\":1", "\"updated_at\":", "\"counters\":", "\"rounds_total\":1",
                "\"last_compacted_at\":null", "\"compressed_context\":", "\"recent_rounds\":",
                "\"seq\":1", "\"user\":", "\"assistant\":", "\"created_at\":", "\"metadata\":");
        int at = -1;
        for (String part : order) {
            int next = json.indexOf(part);
            assertTrue(next > at, part + " out of order in " + json);
            at = next;
        }
        assertTrue(json.startsWith("{\"schema_version\":1,"), json);
    }

    @Test
    void filesAre0600AndTheDirectory0700() throws IOException {
        store.save(withRounds(Conversation.empty("p"), 1));
        store.appendArchive("p", List.of(round(1)));
        assertEquals("rwx------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(root.resolve("sm"))));
        for (Path file : List.of(store.stateFile("p"), store.archiveFile("p"),
                root.resolve("sm/conversation-p.lock"))) {
            assertEquals("rw-------", PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(file)), file.toString());
        }
    }

    @Test
    void aStateOverTheLimitIsRejectedAndNothingIsWritten() throws IOException {
        try (ConversationStore small = ConversationStore.open(
                StoreOptions.builder(root).maxStateBytes(4096).build())) {
            Conversation ok = small.save(withRounds(Conversation.empty("big"), 1));
            byte[] before = Files.readAllBytes(small.stateFile("big"));
            Conversation huge = ok.withRoundAppended(new Round(2, "x".repeat(5000), "", T), T);
            StateTooLargeException e = assertThrows(StateTooLargeException.class,
                    () -> small.save(huge));
            assertEquals(4096, e.limit());
            assertArrayEquals(before, Files.readAllBytes(small.stateFile("big")));
            assertThrows(StateTooLargeException.class, () -> small.appendArchive("big",
                    List.of(new Round(9, "y".repeat(5000), "", T))));
        }
        // A store with the default limit reads it; one with a smaller limit refuses it untouched.
        store.save(withRounds(store.load("big"), 60));
        try (ConversationStore small = ConversationStore.open(
                StoreOptions.builder(root).maxStateBytes(4096).build())) {
            CorruptStateException e = assertThrows(CorruptStateException.class,
                    () -> small.load("big"));
            assertEquals(CorruptStateException.Reason.TOO_LARGE, e.reason());
        }
    }

    @Test
    void aClosedStoreRejectsEveryCall() {
        store.close();
        assertThrows(IllegalStateException.class, () -> store.load("a"));
        assertThrows(IllegalStateException.class, () -> store.list());
        assertThrows(IllegalStateException.class,
                () -> store.save(Conversation.empty("a")));
    }

    @Test
    void concurrentUpdatersOfOneConversationNeverLoseAnUpdate() throws Exception {
        int threads = 8;
        int each = 40;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        store.update("shared", c -> c.withRoundAppended(round(c.nextSeq()), T));
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        Conversation last = store.load("shared");
        assertEquals(threads * each, last.counters().roundsTotal());
        assertEquals(threads * each, last.revision());
    }

    @Test
    void twoStoresOnOneRootShareTheLocks() throws Exception {
        try (ConversationStore other = ConversationStore.open(root)) {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Future<?> a = pool.submit(() -> {
                    for (int i = 0; i < 30; i++) {
                        store.update("s", c -> c.withRoundAppended(round(c.nextSeq()), T));
                    }
                });
                Future<?> b = pool.submit(() -> {
                    for (int i = 0; i < 30; i++) {
                        other.update("s", c -> c.withRoundAppended(round(c.nextSeq()), T));
                    }
                });
                a.get(60, TimeUnit.SECONDS);
                b.get(60, TimeUnit.SECONDS);
            } finally {
                pool.shutdownNow();
            }
        }
        assertEquals(60, store.load("s").counters().roundsTotal());
    }

    @Test
    void checkReportsAndRepairsStaleTempsAndUnreadableFilesWithoutDeletingData()
            throws IOException {
        store.save(withRounds(Conversation.empty("good"), 1));
        Path sm = root.resolve("sm");
        Path temp = sm.resolve("conversation-good.json.0123456789abcdef.tmp");
        Files.writeString(temp, "{\"half");
        Path bad = sm.resolve("conversation-bad.json");
        Files.writeString(bad, "garbage");
        CheckReport report = store.check(false);
        // good's state and lock file, the temp file, bad's state.
        assertEquals(4, report.filesChecked());
        assertEquals(List.of(bad, temp),
                report.findings().stream().map(CheckReport.Finding::file).toList());
        assertEquals(CheckReport.Kind.UNREADABLE_STATE, report.findings().get(0).kind());
        assertEquals(CheckReport.Kind.STALE_TEMP, report.findings().get(1).kind());
        assertTrue(Files.exists(temp) && Files.exists(bad), "a check without repair changes nothing");

        CheckReport repaired = store.check(true);
        assertTrue(repaired.repaired());
        assertEquals(CheckReport.Action.QUARANTINED, repaired.findings().get(0).action());
        Path aside = repaired.findings().get(0).movedTo().orElseThrow();
        assertEquals("garbage", Files.readString(aside));
        assertTrue(aside.getFileName().toString().startsWith("conversation-bad.json.corrupt-"));
        assertEquals(CheckReport.Action.REMOVED, repaired.findings().get(1).action());
        assertFalse(Files.exists(temp));
        assertFalse(Files.exists(bad));
        assertTrue(store.check(false).isClean());
        assertEquals(1, store.load("good").revision());
    }

    @Test
    void openingAndReadingChangeNothingAndAWriteRemovesOnlyItsOwnStaleTemps()
            throws IOException {
        store.save(withRounds(Conversation.empty("good"), 1));
        store.save(withRounds(Conversation.empty("other"), 1));
        store.appendArchive("good", List.of(round(1)));
        Files.write(store.archiveFile("good"), "{\"seq\":2,\"us".getBytes(StandardCharsets.UTF_8),
                java.nio.file.StandardOpenOption.APPEND);
        Path goodTemp = root.resolve("sm/conversation-good.json.00000000000000ff.tmp");
        Files.writeString(goodTemp, "partial");
        Path otherTemp = root.resolve("sm/conversation-other.json.00000000000000fe.tmp");
        Files.writeString(otherTemp, "partial");
        Path foreign = root.resolve("sm/notes.tmp");
        Files.writeString(foreign, "not ours");
        Map<String, String> before = TreeSnapshot.of(root, null);
        try (ConversationStore reopened = ConversationStore.open(root)) {
            assertEquals(1, reopened.load("good").revision());
            assertTrue(reopened.isStored("good"));
            assertFalse(reopened.isStored("never"));
            assertEquals(2, reopened.list().size());
            assertEquals(List.of(), reopened.listing().skipped());
            try (Stream<Round> archived = reopened.archive("good")) {
                assertEquals(List.of(round(1)), archived.toList(), "the torn line is skipped");
            }
            CheckReport report = reopened.check(false);
            assertEquals(List.of(goodTemp, otherTemp),
                    report.findings().stream().map(CheckReport.Finding::file).toList());
            assertEquals(before, TreeSnapshot.of(root, null), "reads changed nothing");

            // A write removes its own conversation's stale temp, and only that.
            reopened.update("good", c -> withRounds(c, 1));
            assertFalse(Files.exists(goodTemp));
            assertTrue(Files.exists(otherTemp), "another conversation's temp stays");
            assertTrue(Files.exists(foreign), "files the store did not name are left alone");
            assertEquals(1, reopened.check(true).findings().size());
            assertFalse(Files.exists(otherTemp));
            assertTrue(reopened.check(false).isClean());
        }
    }

    @Test
    void aCheckThatRepairsNothingCreatesNoLockFile() throws IOException {
        store.save(withRounds(Conversation.empty("good"), 1));
        // A temp file whose conversation has no lock file: no writer can be writing it.
        Path temp = root.resolve("sm/conversation-lockless.json.0000000000000001.tmp");
        Files.writeString(temp, "partial");
        Map<String, String> before = TreeSnapshot.of(root, null);
        CheckReport report = store.check(false);
        assertEquals(List.of(CheckReport.Kind.STALE_TEMP),
                report.findings().stream().map(CheckReport.Finding::kind).toList());
        assertEquals(before, TreeSnapshot.of(root, null));
        assertEquals(CheckReport.Action.REMOVED, store.check(true).findings().get(0).action());
        assertFalse(Files.exists(temp));
    }

    @Test
    void aCheckOfADataRootThatDoesNotExistSaysSoAndCreatesNothing() {
        Path missing = root.resolve("missing");
        try (ConversationStore none = ConversationStore.open(missing)) {
            CheckReport report = none.check(false);
            assertFalse(report.rootExists());
            assertEquals(0, report.filesChecked());
            assertFalse(none.check(true).rootExists());
        }
        assertFalse(Files.exists(missing));
        assertTrue(store.check(false).rootExists(), "an empty root exists");
    }

    @Test
    void anInterruptedWriterFailsTypedOrSucceedsAndNeverBreaksTheLockOrTheFile()
            throws Exception {
        Conversation first = store.save(withRounds(Conversation.empty("i"), 1));
        java.util.concurrent.atomic.AtomicReference<Object> outcome =
                new java.util.concurrent.atomic.AtomicReference<>();
        Thread writer = new Thread(() -> {
            Thread.currentThread().interrupt();
            try {
                outcome.set(store.update("i", c -> withRounds(c, 1)));
            } catch (StoreException e) {
                outcome.set(e);
            }
            outcome.compareAndSet(null, "none");
            if (!Thread.currentThread().isInterrupted()) {
                outcome.set("the interrupt was swallowed");
            }
        });
        writer.start();
        writer.join();
        Object result = outcome.get();
        assertTrue(result instanceof Conversation || result instanceof StoreIOException,
                String.valueOf(result));
        Conversation now = store.load("i");
        assertEquals(result instanceof Conversation ? 2 : 1, now.revision());
        try (Stream<Path> files = Files.list(root.resolve("sm"))) {
            assertTrue(files.noneMatch(p -> p.toString().endsWith(".tmp")));
        }
        // The lock is free again: another thread updates at once.
        assertEquals(now.revision() + 1, store.update("i", c -> withRounds(c, 1)).revision());
        assertEquals(first.convId(), now.convId());
    }
}
