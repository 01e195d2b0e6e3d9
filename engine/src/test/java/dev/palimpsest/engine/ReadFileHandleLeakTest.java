package dev.palimpsest.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.model.Round;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.store.file.FileConversationStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The second generation's reads return lists, not streams a caller could forget to close (the
 * first generation's {@code transcriptStream} leak, issue 10); what stays to prove is that reading
 * through the engine on the file store holds no file: hundreds of reads of a log of several
 * segments, reads that fail on a damaged log, and stores opened and closed again, leave this
 * process with no more descriptors than before (counted in {@code /proc/self/fd}).
 */
class ReadFileHandleLeakTest {
    private static final String ID = "long";
    private static final Path FDS = Path.of("/proc/self/fd");
    private static final int ROUNDS = 300;

    @TempDir
    Path root;

    @Test
    void fiveHundredReadsOfASegmentedLogHoldNoMoreFiles() {
        try (FileConversationStore store = FileConversationStore.open(root,
                AppendingChildMain.OPTIONS);
             ConversationEngine engine = compacted(store)) {
            List<Path> segments = segments();
            assertTrue(segments.size() >= 3, "the log spans segments: " + segments);
            Random random = new Random(42);
            readRandomly(engine, random, 20); // warm up whatever opens files once
            long before = openFiles();
            readRandomly(engine, random, 500);
            long after = openFiles();
            assertTrue(after <= before, "open files grew from " + before + " to " + after);
            for (Path segment : segments.subList(0, segments.size() - 1)) {
                assertEquals(0, openFilesOn(segment), "descriptors left open on " + segment);
            }
        }
    }

    @Test
    void readsThatFailOnADamagedLogCloseTheirFiles() throws IOException {
        try (FileConversationStore store = FileConversationStore.open(root,
                AppendingChildMain.OPTIONS);
             ConversationEngine engine = compacted(store)) {
            engine.messages(ID, 1, 10);
        }
        Path first = segments().get(0);
        try (FileChannel ch = FileChannel.open(first, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap("X".repeat(64).getBytes(java.nio.charset.StandardCharsets
                    .US_ASCII)), ch.size() / 3);
        }
        for (int attempt = 0; attempt < 2; attempt++) {
            long before = openFiles();
            for (int i = 0; i < 50; i++) {
                try (FileConversationStore store = FileConversationStore.open(root);
                     ConversationEngine engine = ConversationEngine.builder(store).build()) {
                    PalimpsestException e = assertThrows(PalimpsestException.class,
                            () -> engine.messages(ID, 1, ROUNDS * 2));
                    assertEquals(FailureKind.CORRUPT, e.kind(), e.getMessage());
                    assertThrows(PalimpsestException.class, () -> engine.rounds(ID, 1, ROUNDS));
                }
            }
            long after = openFiles();
            if (attempt == 1) {
                assertTrue(after <= before, "open files grew from " + before + " to " + after);
            }
        }
        assertEquals(0, openFilesOn(first), "descriptors left open on the damaged segment");
    }

    @Test
    void storesOpenedReadAndClosedAgainHoldNoFile() {
        try (FileConversationStore store = FileConversationStore.open(root,
                AppendingChildMain.OPTIONS);
             ConversationEngine engine = compacted(store)) {
            engine.state(ID);
        }
        Random random = new Random(7);
        reopenAndRead(random, 10);
        long before = openFiles();
        reopenAndRead(random, 200);
        long after = openFiles();
        assertTrue(after <= before, "open files grew from " + before + " to " + after);
        for (Path segment : segments()) {
            assertEquals(0, openFilesOn(segment), "descriptors left open on " + segment);
        }
    }

    private void reopenAndRead(Random random, int times) {
        for (int i = 0; i < times; i++) {
            try (FileConversationStore store = FileConversationStore.open(root);
                 ConversationEngine engine = ConversationEngine.builder(store).build()) {
                readRandomly(engine, random, 1);
            }
        }
    }

    /** A conversation of {@value #ROUNDS} padded rounds, most of them compacted. */
    private static ConversationEngine compacted(FileConversationStore store) {
        ConversationEngine engine = ConversationEngine.builder(store)
                .policy(new CompactionPolicy(6, 3, 1_000_000)).build();
        String padding = " and more".repeat(40);
        for (int i = 0; i < ROUNDS; i++) {
            engine.appendRound(ID, "user " + i + padding, "assistant " + i + padding);
        }
        assertTrue(store.load(ID).orElseThrow().counters().compactedRounds() > ROUNDS - 10);
        return engine;
    }

    private static void readRandomly(ConversationEngine engine, Random random, int times) {
        for (int i = 0; i < times; i++) {
            long from = 1 + random.nextInt(ROUNDS);
            List<StoredMessage> messages = engine.messages(ID, 2 * from - 1, 1 + random.nextInt(80));
            assertEquals(2 * from - 1, messages.get(0).seq());
            List<Round> rounds = engine.rounds(ID, from, 1 + random.nextInt(40));
            assertEquals(from, rounds.get(0).seq());
            assertEquals(engine.state(ID).orElseThrow().recentRounds(),
                    engine.context(ID).recentRounds());
        }
    }

    private List<Path> segments() {
        try (Stream<Path> files = Files.list(root.resolve("sm"))) {
            return files.filter(p -> p.getFileName().toString().endsWith(".log")).sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How many descriptors this process has open. */
    static long openFiles() {
        try (Stream<Path> fds = Files.list(FDS)) {
            return fds.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** How many descriptors of this process are open on {@code file}. */
    static long openFilesOn(Path file) {
        Path target = file.toAbsolutePath();
        try (Stream<Path> fds = Files.list(FDS)) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).equals(target);
                } catch (IOException gone) {
                    // The descriptor of the listing itself, or one closed meanwhile.
                    return false;
                }
            }).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
