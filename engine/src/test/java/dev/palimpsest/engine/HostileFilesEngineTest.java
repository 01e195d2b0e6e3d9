package dev.palimpsest.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.persist.ConversationStore;
import dev.palimpsest.persist.CorruptStateException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * A FIFO, a directory or a symbolic link where the store keeps a conversation's state file,
 * archive or lock file: every engine call that needs that file fails at once with
 * {@link CorruptStateException} (reason {@code NOT_A_REGULAR_FILE}) naming it, and never waits
 * on a FIFO; the calls that do not need it work.
 */
class HostileFilesEngineTest {
    private static final String ID = "conv";
    private static final Duration PROMPTLY = Duration.ofSeconds(30);

    @TempDir
    Path root;

    private enum Kind { FIFO, DIRECTORY, LINK }

    @Test
    void aHostileStateFileFailsEveryCallThatReadsIt() throws IOException {
        for (Kind kind : Kind.values()) {
            each(kind, ConversationStore::stateFile, (engine, file) -> Map.of(
                    "state", () -> engine.state(ID),
                    "context", () -> engine.context(ID),
                    "transcript", () -> engine.transcriptStream(ID).close(),
                    "append", () -> engine.append(ID, "u", "a"),
                    "compact", () -> engine.compact(ID)), List.of());
        }
    }

    @Test
    void aHostileArchiveFailsTheTranscriptAndCompactionOnly() throws IOException {
        for (Kind kind : Kind.values()) {
            each(kind, ConversationStore::archiveFile, (engine, file) -> Map.of(
                    "transcript", () -> engine.transcript(ID),
                    "compact", () -> engine.compact(ID)),
                    List.of(engine -> engine.context(ID), engine -> engine.state(ID)));
        }
    }

    @Test
    void aHostileLockFileFailsEveryWriteAndNoRead() throws IOException {
        for (Kind kind : Kind.values()) {
            each(kind, (store, id) -> store.stateFile(id).resolveSibling("conversation-" + id
                    + ".lock"), (engine, file) -> Map.of(
                    "append", () -> engine.append(ID, "u", "a"),
                    "compact", () -> engine.compact(ID)),
                    List.of(engine -> engine.transcript(ID), engine -> engine.context(ID)));
        }
    }

    private interface FileOf {
        Path of(ConversationStore store, String convId);
    }

    private interface Calls {
        Map<String, Executable> of(ConversationEngine engine, Path file);
    }

    private void each(Kind kind, FileOf fileOf, Calls failing,
                      List<Consumer<ConversationEngine>> working) throws IOException {
        Path dir = Files.createTempDirectory(root, kind.name());
        try (ConversationStore store = ConversationStore.open(dir)) {
            ConversationEngine engine = ConversationEngine.builder(store)
                    .policy(new CompactionPolicy(3, 1, 1_000_000)).build();
            for (int i = 0; i < 6; i++) {
                engine.append(ID, "u" + i, "a" + i);
            }
            Path file = fileOf.of(store, ID);
            Files.move(file, dir.resolve("moved"));
            switch (kind) {
                case FIFO -> mkfifo(file);
                case DIRECTORY -> Files.createDirectory(file);
                case LINK -> Files.createSymbolicLink(file, dir.resolve("moved"));
            }
            try {
                for (Map.Entry<String, Executable> call : failing.of(engine, file).entrySet()) {
                    CorruptStateException e = assertTimeoutPreemptively(PROMPTLY,
                            () -> assertThrows(CorruptStateException.class, call.getValue(),
                                    kind + ": " + call.getKey()));
                    assertEquals(CorruptStateException.Reason.NOT_A_REGULAR_FILE, e.reason(),
                            kind + ": " + call.getKey());
                    assertEquals(file, e.file(), kind + ": " + call.getKey());
                    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
                }
                for (Consumer<ConversationEngine> call : working) {
                    assertTimeoutPreemptively(PROMPTLY, () -> call.accept(engine));
                }
            } finally {
                unblock(file);
            }
        }
    }

    private static void mkfifo(Path file) throws IOException {
        Process mkfifo = new ProcessBuilder("mkfifo", file.toString()).inheritIO().start();
        try {
            assertTrue(mkfifo.waitFor(30, TimeUnit.SECONDS), "mkfifo did not end");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        assertEquals(0, mkfifo.exitValue(), "mkfifo " + file);
    }

    /** Lets a regression's thread blocked opening the FIFO go (opening read-write never blocks). */
    private static void unblock(Path file) throws IOException {
        if (!Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)
                && !Files.isSymbolicLink(file) && Files.exists(file)) {
            FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE).close();
        }
    }
}
