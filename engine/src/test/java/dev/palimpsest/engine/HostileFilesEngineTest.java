package dev.palimpsest.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.engine.CompactionOutcome.Status;
import dev.palimpsest.model.ConversationState;
import dev.palimpsest.model.FailureKind;
import dev.palimpsest.model.PalimpsestException;
import dev.palimpsest.model.StoredMessage;
import dev.palimpsest.store.file.FileConversationStore;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A FIFO, a directory or a symbolic link where the file store keeps a conversation's lock file,
 * first log segment or checkpoint, found by an engine that opens the root afresh (as another
 * process would): every engine call fails at once with a {@code CORRUPT} failure naming the
 * file, none waits on a FIFO, a compaction ends {@code FAILED} with that failure instead of
 * throwing (and is not counted as a summarizer failure), nothing is written; once the file is put
 * back, everything stored is there as before.
 */
class HostileFilesEngineTest {
    private static final String ID = "conv";
    private static final Duration PROMPTLY = Duration.ofSeconds(20);
    private static final CompactionPolicy POLICY = new CompactionPolicy(3, 1, 1_000_000);

    @TempDir
    Path root;

    @ParameterizedTest(name = "{1} instead of the {0}")
    @CsvSource({
        "lock, FIFO", "lock, DIRECTORY", "lock, LINK",
        "log, FIFO", "log, DIRECTORY", "log, LINK",
        "checkpoint, FIFO", "checkpoint, DIRECTORY", "checkpoint, LINK"})
    void everyEngineCallFailsAsCorruptNamingTheFileAndNothingStoredIsLost(String file,
                                                                          String kind)
            throws Exception {
        ConversationState before;
        List<StoredMessage> log;
        try (FileConversationStore store = FileConversationStore.open(root);
             ConversationEngine engine = ConversationEngine.builder(store).policy(POLICY)
                     .build()) {
            for (int i = 0; i < 6; i++) {
                engine.appendRound(ID, "u" + i, "a" + i);
            }
            before = engine.state(ID).orElseThrow();
            log = engine.messages(ID, 1, 100);
            assertTrue(before.counters().compactions() > 0, "the checkpoint was written");
        }
        Path sm = root.resolve("sm");
        Path target = sm.resolve(switch (file) {
            case "lock" -> "conversation-" + ID + ".lock";
            case "log" -> "conversation-" + ID + ".00000001.log";
            default -> "conversation-" + ID + ".json";
        });
        assertTrue(Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS), target.toString());
        Path moved = root.resolve("moved");
        Files.move(target, moved);
        switch (kind) {
            case "FIFO" -> mkfifo(target);
            case "DIRECTORY" -> Files.createDirectory(target);
            default -> Files.createSymbolicLink(target, moved);
        }
        try (FileConversationStore store = FileConversationStore.open(root);
             ConversationEngine engine = ConversationEngine.builder(store).policy(POLICY)
                     .build()) {
            Map<String, Executable> calls = new LinkedHashMap<>();
            calls.put("state", () -> engine.state(ID));
            calls.put("context", () -> engine.context(ID));
            calls.put("messages", () -> engine.messages(ID, 1, 100));
            calls.put("rounds", () -> engine.rounds(ID, 1, 100));
            calls.put("append", () -> engine.appendRound(ID, "lost?", "no"));
            for (Map.Entry<String, Executable> call : calls.entrySet()) {
                PalimpsestException e = assertTimeoutPreemptively(PROMPTLY,
                        () -> assertThrows(PalimpsestException.class, call.getValue(),
                                call.getKey()));
                assertCorruptNaming(target, e, call.getKey());
            }
            CompactionOutcome compaction = assertTimeoutPreemptively(PROMPTLY,
                    () -> engine.compact(ID).outcome().orElseThrow());
            assertEquals(Status.FAILED, compaction.status());
            assertCorruptNaming(target, compaction.failure().orElseThrow(), "compact");
        } finally {
            unblock(target);
        }
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            Files.delete(target);
        } else {
            Files.deleteIfExists(target);
        }
        Files.move(moved, target);
        try (FileConversationStore store = FileConversationStore.open(root);
             ConversationEngine engine = ConversationEngine.builder(store).policy(POLICY)
                     .build()) {
            assertEquals(before, engine.state(ID).orElseThrow(), "nothing was written");
            assertEquals(log, engine.messages(ID, 1, 100), "nothing stored was lost");
            assertEquals(7, engine.appendRound(ID, "u6", "a6").appended().messages().get(0)
                    .roundSeq(), "the conversation carries on");
        }
    }

    private static void assertCorruptNaming(Path file, PalimpsestException e, String call) {
        assertEquals(FailureKind.CORRUPT, e.kind(), call + ": " + e.getMessage());
        assertEquals(ID, e.convId().orElseThrow(), call);
        assertTrue(e.getMessage().contains(file.toString()), call + ": " + e.getMessage());
    }

    private static void mkfifo(Path file) throws IOException, InterruptedException {
        Process mkfifo = new ProcessBuilder("mkfifo", file.toString()).inheritIO().start();
        assertTrue(mkfifo.waitFor(30, TimeUnit.SECONDS), "mkfifo did not end");
        assertEquals(0, mkfifo.exitValue(), "mkfifo " + file);
    }

    /** Lets a regression's thread blocked opening the FIFO go (opening read-write never blocks). */
    private static void unblock(Path file) throws IOException {
        if (!Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)
                && !Files.isSymbolicLink(file) && Files.exists(file)
                && !Files.isRegularFile(file)) {
            FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE).close();
        }
    }
}
