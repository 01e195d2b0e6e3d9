package dev.palimpsest.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.Message;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.store.AppendRequest;
import dev.palimpsest.store.Expectation;
import dev.palimpsest.testkit.TreeSnapshot;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * A symbolic link planted at any name the store uses (the checkpoint, a log segment, the sparse
 * index, the lock file, a temp file, {@code sm/} itself) is never followed: the call fails with a
 * typed error naming it, or the store treats it as not a regular file, and what it points to
 * outside the root is never read, written, truncated or created. A FIFO at the name of a later
 * segment or of the index never blocks a call.
 */
class PlantedLinkTest {
    private static final Instant T = Instant.parse("2026-12-01T12:00:00Z");
    private static final String SECRET = "secret data outside the root";
    /** 64 KiB segments, rounds of about 20 KB: the fourth round starts segment 2. */
    private static final FileStoreOptions SMALL = new FileStoreOptions(1_000_000, 1L << 40,
            64 * 1024, 4096, 1 << 20);

    @TempDir
    Path top;
    private Path root;
    private Path sm;
    private Path victim;
    private Path nowhere;

    @BeforeEach
    void plantVictim() throws IOException {
        root = Files.createDirectory(top.resolve("root"));
        sm = root.resolve("sm");
        victim = top.resolve("victim.txt");
        Files.writeString(victim, SECRET);
        nowhere = top.resolve("created-through-a-link");
    }

    private static void round(FileConversationStore store, String id, int n) {
        store.append(AppendRequest.of(id, Expectation.none(), T, Message.user("u" + n),
                Message.assistant("a" + n + " " + "x".repeat(20_000))));
    }

    private static long messages(FileConversationStore store, String id) {
        return store.load(id).orElseThrow().counters().messagesTotal();
    }

    /** Nothing outside the root changed, and nothing was created through a dangling link. */
    private void assertOutsideUntouched(Map<String, String> before) {
        assertEquals(before, TreeSnapshot.of(top, root));
        assertFalse(Files.exists(nowhere, LinkOption.NOFOLLOW_LINKS));
    }

    private static PalimpsestException refused(Executable call, FailureKind... kinds) {
        PalimpsestException e = assertThrows(PalimpsestException.class, call);
        assertTrue(List.of(kinds).contains(e.kind()), e.kind() + ": " + e.getMessage());
        return e;
    }

    private Path segment(String id, int n) {
        return sm.resolve(ConversationIdCodec.segmentName(id, n));
    }

    @Test
    void aLinkAtTheCheckpointIsNeitherReadNorWrittenThrough() throws IOException {
        try (FileConversationStore store = FileConversationStore.open(root,
                FileStoreOptions.DEFAULTS.checkpointingEveryChange())) {
            round(store, "c", 1);
        }
        // The real checkpoint moves out of the root; a link to it takes its place.
        Path outside = top.resolve("checkpoint-outside.json");
        Files.move(sm.resolve("conversation-c.json"), outside);
        Files.createSymbolicLink(sm.resolve("conversation-c.json"), outside);
        Files.createSymbolicLink(sm.resolve("conversation-d.json"), nowhere);
        Map<String, String> before = TreeSnapshot.of(top, root);
        try (FileConversationStore store = FileConversationStore.open(root,
                FileStoreOptions.DEFAULTS.checkpointingEveryChange())) {
            PalimpsestException e = refused(() -> store.load("c"), FailureKind.CORRUPT);
            assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
            refused(() -> round(store, "c", 2), FailureKind.CORRUPT);
            refused(() -> store.messages("c", 1, 10), FailureKind.CORRUPT);
            refused(() -> store.load("d"), FailureKind.CORRUPT);
            refused(() -> round(store, "d", 1), FailureKind.CORRUPT);
            assertOutsideUntouched(before);
            // Repair moves the link itself aside and writes the checkpoint again from the log.
            CheckReport report = store.check(true);
            assertTrue(report.findings().stream().anyMatch(f -> f.file().equals(
                    "conversation-c.json") && f.repaired()), report.toString());
            assertFalse(Files.isSymbolicLink(sm.resolve("conversation-c.json")));
            assertEquals(2, messages(store, "c"));
            round(store, "c", 2);
            assertEquals(4, messages(store, "c"));
        }
        assertOutsideUntouched(before);
    }

    @Test
    void aLinkAtASegmentIsRefusedAndTheLogItPointsToIsNeverRead() throws IOException {
        try (FileConversationStore store = FileConversationStore.open(root, SMALL)) {
            for (int n = 1; n <= 4; n++) {
                round(store, "c", n);
                round(store, "e", n);
            }
        }
        assertTrue(Files.exists(segment("c", 2)), "four rounds take two segments");
        // Segment 1 of c and segment 2 of e move out of the root, links take their place: a
        // store that read through them would find valid logs.
        for (Path seg : List.of(segment("c", 1), segment("e", 2))) {
            Path outside = top.resolve(seg.getFileName().toString());
            Files.move(seg, outside);
            Files.createSymbolicLink(seg, outside);
        }
        // And a dangling link at the first segment of a conversation never written.
        Files.createSymbolicLink(segment("d", 1), nowhere);
        Map<String, String> before = TreeSnapshot.of(top, root);
        try (FileConversationStore store = FileConversationStore.open(root, SMALL)) {
            for (String id : List.of("c", "e")) {
                refused(() -> store.load(id), FailureKind.CORRUPT, FailureKind.IO);
                refused(() -> store.messages(id, 1, 100), FailureKind.CORRUPT, FailureKind.IO);
                refused(() -> round(store, id, 5), FailureKind.CORRUPT, FailureKind.IO);
            }
            refused(() -> round(store, "d", 1), FailureKind.CORRUPT);
            assertOutsideUntouched(before);
            CheckReport report = store.check(false);
            assertTrue(report.findings().stream().anyMatch(f -> f.problem()
                    == CheckReport.Problem.NOT_REGULAR_FILE), report.toString());
        }
        assertOutsideUntouched(before);
    }

    @Test
    void aLinkAtTheIndexIsNeverWrittenThroughAndReadsScanTheLog() throws IOException {
        Path index = sm.resolve(ConversationIdCodec.indexName("c"));
        try (FileConversationStore store = FileConversationStore.open(root)) {
            round(store, "c", 1);
            Files.delete(index);
            Files.createSymbolicLink(index, victim);
            Files.createSymbolicLink(sm.resolve(ConversationIdCodec.indexName("d")), nowhere);
            Map<String, String> before = TreeSnapshot.of(top, root);
            // Appends that start an index block (message 1, 65, ...) would write the index.
            for (int n = 2; n <= 70; n++) {
                round(store, "c", n);
            }
            round(store, "d", 1);
            assertEquals(140, store.messages("c", 1, 1000).size());
            assertEquals("u3", store.messages("c", 5, 1).get(0).message().content());
            assertEquals(2, store.rounds("d", 1, 10).get(0).messages().size());
            assertOutsideUntouched(before);
            CheckReport report = store.check(true);
            assertTrue(report.findings().stream().anyMatch(f -> f.file().equals(
                    index.getFileName().toString()) && f.problem()
                    == CheckReport.Problem.NOT_REGULAR_FILE && f.repaired()), report.toString());
            round(store, "c", 71);
            assertEquals(142, store.messages("c", 1, 1000).size());
            assertOutsideUntouched(before);
        }
    }

    @Test
    void aLinkAtTheLockFileIsNeverOpened() throws IOException {
        try (FileConversationStore store = FileConversationStore.open(root)) {
            round(store, "other", 1);
            Files.createSymbolicLink(sm.resolve("conversation-c.lock"), victim);
            Files.createSymbolicLink(sm.resolve("conversation-d.lock"), nowhere);
            Map<String, String> before = TreeSnapshot.of(top, root);
            for (String id : List.of("c", "d")) {
                PalimpsestException e = refused(() -> round(store, id, 1), FailureKind.CORRUPT);
                assertTrue(e.getMessage().contains("lock file"), e.getMessage());
                refused(() -> store.load(id), FailureKind.CORRUPT);
                refused(() -> store.delete(id), FailureKind.CORRUPT);
                assertFalse(Files.exists(segment(id, 1), LinkOption.NOFOLLOW_LINKS));
            }
            assertOutsideUntouched(before);
            assertEquals(List.of("other"), store.list(Optional.empty(), 10).ids());
        }
    }

    /** Plants a link to the victim at the very temp name the store is about to create. */
    private final class PlantingOps extends FailingFileOps {
        volatile boolean armed;
        volatile Path planted;

        @Override
        public FileChannel createNew(Path file) throws IOException {
            if (armed && file.getFileName().toString().endsWith(".tmp")) {
                armed = false;
                planted = file;
                Files.createSymbolicLink(file, victim);
            }
            return super.createNew(file);
        }
    }

    @Test
    void aLinkPlantedAtTheTempNameIsNeverFollowed() throws IOException {
        PlantingOps ops = new PlantingOps();
        Map<String, String> before = TreeSnapshot.of(top, root);
        try (FileConversationStore store = FileConversationStore.open(root,
                SMALL.checkpointingEveryChange(), ops)) {
            // A first segment's temp file: the append fails before anything is stored.
            ops.armed = true;
            PalimpsestException e = refused(() -> round(store, "c", 1), FailureKind.IO);
            assertInstanceOf(FileAlreadyExistsException.class, e.getCause(), e.toString());
            assertEquals(Optional.empty(), store.load("c"));
            assertOutsideUntouched(before);
            round(store, "c", 1);
            // A checkpoint's temp file: the change is in the log, the checkpoint waits.
            ops.armed = true;
            round(store, "c", 2);
            assertTrue(ops.planted.getFileName().toString().startsWith("conversation-c.json."),
                    ops.planted.toString());
            assertOutsideUntouched(before);
            // A rotation's temp file: the append fails, the log stays as it was.
            round(store, "c", 3);
            ops.armed = true;
            refused(() -> round(store, "c", 4), FailureKind.IO);
            assertFalse(Files.exists(segment("c", 2)));
            assertOutsideUntouched(before);
            round(store, "c", 4);
            assertTrue(Files.exists(segment("c", 2)));
        }
        try (FileConversationStore store = FileConversationStore.open(root, SMALL)) {
            assertEquals(8, messages(store, "c"));
            // A link left at a temp name is removed by repair, never what it points to.
            Path left = sm.resolve(ConversationIdCodec.tempName("c", 42));
            Files.createSymbolicLink(left, victim);
            CheckReport report = store.check(true);
            assertEquals(List.of(CheckReport.Problem.LEFTOVER_TEMP_FILE), report.findings()
                    .stream().map(CheckReport.Finding::problem).toList());
            assertFalse(Files.exists(left, LinkOption.NOFOLLOW_LINKS));
        }
        assertOutsideUntouched(before);
    }

    @Test
    void aLinkAtSmIsRefusedByEveryCallAndNothingIsWrittenWhereItPoints() throws IOException {
        Path real = Files.createDirectory(top.resolve("real"));
        try (FileConversationStore store = FileConversationStore.open(real)) {
            round(store, "c", 1);
        }
        Files.createSymbolicLink(sm, real.resolve("sm"));
        Map<String, String> before = TreeSnapshot.of(top, root);
        try (FileConversationStore store = FileConversationStore.open(root)) {
            List<Executable> calls = List.of(() -> store.load("c"),
                    () -> store.messages("c", 1, 10), () -> store.rounds("c", 1, 10),
                    () -> store.messageById("c", "m"), () -> store.list(Optional.empty(), 10),
                    () -> store.check(false), () -> store.check(true),
                    () -> store.delete("c"), () -> round(store, "c", 2),
                    () -> round(store, "new", 1), () -> store.recordCompactionFailure("c", T));
            for (Executable call : calls) {
                PalimpsestException e = refused(call, FailureKind.IO);
                assertTrue(e.getMessage().contains("not a directory but a symbolic link"),
                        e.getMessage());
            }
        }
        assertOutsideUntouched(before);
        try (FileConversationStore store = FileConversationStore.open(real)) {
            assertEquals(2, messages(store, "c"), "nothing was changed through the link");
        }
    }

    /**
     * Runs {@code call} and fails if it does not end within 10 seconds; a call blocked in the
     * open of {@code fifo} is then released by opening its other end.
     */
    private static void endsWithoutBlocking(Path fifo, Executable call) throws Exception {
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                call.execute();
            } catch (Throwable e) {
                outcome.set(e);
            }
        }, "fifo-call");
        t.setDaemon(true);
        t.start();
        t.join(10_000);
        if (t.isAlive()) {
            // Blocked in open(2) of the FIFO, for reading or for writing: opened for both, which
            // never blocks on Linux, the FIFO has a reader and a writer, and the call goes on.
            try (FileChannel both = FileChannel.open(fifo, StandardOpenOption.READ,
                    StandardOpenOption.WRITE)) {
                both.write(ByteBuffer.allocate(0));
            } catch (IOException ignored) {
                // Whichever end was waiting is open now.
            }
            t.join(10_000);
            throw new AssertionError("the call blocked on the FIFO at " + fifo);
        }
        if (outcome.get() instanceof PalimpsestException e) {
            assertTrue(e.kind() == FailureKind.CORRUPT || e.kind() == FailureKind.IO,
                    e.toString());
        } else if (outcome.get() != null) {
            throw new AssertionError("not a typed failure", outcome.get());
        }
    }

    private static boolean mkfifo(Path at) throws IOException, InterruptedException {
        try {
            new ProcessBuilder("mkfifo", at.toString()).inheritIO().start().waitFor();
        } catch (IOException e) {
            return false;
        }
        return Files.exists(at, LinkOption.NOFOLLOW_LINKS);
    }

    @Test
    void aFifoAtALaterSegmentOrAtTheIndexNeverBlocks() throws Exception {
        try (FileConversationStore store = FileConversationStore.open(root, SMALL)) {
            round(store, "c", 1);
            round(store, "h", 1);
            round(store, "i", 1);
        }
        // A FIFO where a reader looks for the next segment, and where a writer puts the index.
        assumeTrue(mkfifo(segment("c", 2)), "mkfifo is not available");
        Path index = sm.resolve(ConversationIdCodec.indexName("i"));
        Files.delete(index);
        assertTrue(mkfifo(index));
        // A FIFO at the first segment of a hashed stem, whose id list() reads from the header.
        String hashed = "h".repeat(200);
        assertTrue(mkfifo(sm.resolve(ConversationIdCodec.segmentName(
                ConversationIdCodec.stem(hashed), 1))));
        try (FileConversationStore store = FileConversationStore.open(root, SMALL)) {
            endsWithoutBlocking(segment("c", 2), () -> store.load("c"));
            endsWithoutBlocking(segment("c", 2), () -> round(store, "c", 2));
            endsWithoutBlocking(index, () -> {
                for (int n = 2; n <= 70; n++) {
                    round(store, "i", n);
                }
            });
            assertEquals(140, messages(store, "i"));
            Path hashedSegment = sm.resolve(ConversationIdCodec.segmentName(
                    ConversationIdCodec.stem(hashed), 1));
            endsWithoutBlocking(hashedSegment, () -> assertEquals(List.of("c", "h", "i"),
                    store.list(Optional.empty(), 10).ids()));
            endsWithoutBlocking(segment("c", 2), () -> store.check(false));
        }
        try (Stream<Path> files = Files.list(sm)) {
            assertTrue(files.count() > 0);
        }
    }
}
