package dev.palimpsest.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.core.Round;
import dev.palimpsest.persist.ConversationStore;
import dev.palimpsest.persist.CorruptStateException;
import dev.palimpsest.testkit.ChildJvm;
import dev.palimpsest.testkit.ChildJvms;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transcript and archive streams that their caller never closes hold no file once read to their
 * end (or failed), and one garbage-collected while still open has its file closed, with one
 * warning (issue 10: 500 unclosed {@code transcriptStream} calls took a process from 15 to 342
 * open files).
 */
class TranscriptStreamLeakTest {
    private static final String ID = "long";
    private static final Path FDS = Path.of("/proc/self/fd");

    @TempDir
    Path root;

    @Test
    void fiveHundredStreamsReadToTheirEndAndNeverClosedHoldNoFile() {
        try (ConversationStore store = ConversationStore.open(root)) {
            ConversationEngine engine = compacted(store);
            Path archive = store.archiveFile(ID);
            long rounds = engine.transcript(ID).size();
            // Warm up whatever opens files once (class loading), then count.
            readWithoutClosing(engine, 5, rounds);
            long before = openFiles();
            readWithoutClosing(engine, 500, rounds);
            for (int i = 0; i < 500; i++) {
                // The store's own stream, read to its end through its iterator.
                Iterator<Round> archived = store.archive(ID).iterator();
                while (archived.hasNext()) {
                    archived.next();
                }
            }
            assertEquals(0, openFilesOn(archive), "descriptors still open on the archive");
            long after = openFiles();
            assertTrue(after <= before, "open files grew from " + before + " to " + after);
        }
    }

    @Test
    void aStreamThatFailsClosesItsFile() throws IOException {
        try (ConversationStore store = ConversationStore.open(root)) {
            ConversationEngine engine = compacted(store);
            Path archive = store.archiveFile(ID);
            // A malformed complete line first: every read fails on it.
            byte[] lines = Files.readAllBytes(archive);
            Files.write(archive, ("not json\n" + new String(lines, StandardCharsets.UTF_8))
                    .getBytes(StandardCharsets.UTF_8), StandardOpenOption.TRUNCATE_EXISTING);
            for (int i = 0; i < 20; i++) {
                Stream<Round> transcript = engine.transcriptStream(ID);
                assertThrows(CorruptStateException.class, transcript::count);
            }
            assertEquals(0, openFilesOn(archive));
        }
    }

    @Test
    void aStreamCollectedWhileOpenHasItsFileClosedWithOneWarning() {
        try (ConversationStore store = ConversationStore.open(root)) {
            compacted(store);
        }
        try (ChildJvms jvms = new ChildJvms(1, Duration.ofSeconds(60))) {
            ChildJvm child = jvms.start(LeakingReaderMain.class, root.toString(), ID);
            assertEquals(0, child.awaitExit(Duration.ofSeconds(50)), child.stderr());
            assertEquals(List.of("open 1", "closed 0"), child.lines(), child.stderr());
            long warnings = child.stderr().lines()
                    .filter(l -> l.contains("was never closed")).count();
            assertEquals(1, warnings, child.stderr());
            assertTrue(child.stderr().contains("conversation '" + ID + "'"), child.stderr());
        }
    }

    /** A conversation of 40 rounds, most of them compacted into the archive. */
    private static ConversationEngine compacted(ConversationStore store) {
        ConversationEngine engine = ConversationEngine.builder(store)
                .policy(new CompactionPolicy(6, 3, 1_000_000)).build();
        for (int i = 0; i < 40; i++) {
            engine.append(ID, "user " + i, "assistant " + i);
        }
        assertTrue(store.load(ID).counters().compactedRounds() > 30);
        return engine;
    }

    private static void readWithoutClosing(ConversationEngine engine, int streams, long rounds) {
        for (int i = 0; i < streams; i++) {
            // Deliberately never closed.
            assertEquals(rounds, engine.transcriptStream(ID).count());
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
