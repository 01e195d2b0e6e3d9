package dev.palimpsest.persist.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.core.Conversation;
import dev.palimpsest.core.Round;
import dev.palimpsest.persist.CheckReport;
import dev.palimpsest.persist.ConversationStore;
import dev.palimpsest.persist.CorruptStateException;
import dev.palimpsest.persist.StoreIOException;
import dev.palimpsest.persist.StoreIOException.Step;
import dev.palimpsest.persist.StoreOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A symbolic link planted at any name the store uses (temp, state, archive, lock, {@code sm/}) is
 * never followed: the file it points to outside the root is never read, written or truncated.
 */
class PlantedLinkTest {
    private static final Instant T = Instant.parse("2026-11-25T12:00:00Z");
    private static final String SECRET = "secret data outside the root";

    @TempDir
    Path top;
    private Path root;
    private Path victim;

    @BeforeEach
    void plantVictim() throws IOException {
        root = top.resolve("root");
        victim = top.resolve("victim.txt");
        Files.writeString(victim, SECRET);
    }

    private static Conversation plusRound(Conversation c) {
        return c.withRoundAppended(new Round(c.nextSeq(), "u", "a", T), T);
    }

    private void assertVictimUntouched() throws IOException {
        assertEquals(SECRET, Files.readString(victim));
    }

    /** Plants a link to the victim at the very temp name the writer is about to create. */
    private final class PlantingOps implements FileOps {
        private final FileOps real = NioFileOps.INSTANCE;
        boolean armed;

        @Override
        public FileChannel createNew(Path file) throws IOException {
            if (armed && file.getFileName().toString().endsWith(".tmp")) {
                armed = false;
                Files.createSymbolicLink(file, victim);
            }
            return real.createNew(file);
        }

        @Override
        public void write(FileChannel channel, ByteBuffer bytes) throws IOException {
            real.write(channel, bytes);
        }

        @Override
        public void force(FileChannel channel) throws IOException {
            real.force(channel);
        }

        @Override
        public void close(FileChannel channel) throws IOException {
            real.close(channel);
        }

        @Override
        public void moveAtomically(Path source, Path target) throws IOException {
            real.moveAtomically(source, target);
        }

        @Override
        public void fsyncDirectory(Path directory) throws IOException {
            real.fsyncDirectory(directory);
        }

        @Override
        public boolean deleteIfExists(Path file) throws IOException {
            return real.deleteIfExists(file);
        }
    }

    @Test
    void aLinkPlantedAtTheTempNameIsNeverFollowed() throws IOException {
        PlantingOps ops = new PlantingOps();
        try (ConversationStore store = new FileConversationStore(
                StoreOptions.builder(root).build(), ops)) {
            Conversation first = store.save(plusRound(Conversation.empty("c")));
            ops.armed = true;
            StoreIOException e = assertThrows(StoreIOException.class,
                    () -> store.save(plusRound(first)));
            assertEquals(Step.CREATE, e.step());
            assertInstanceOf(FileAlreadyExistsException.class, e.getCause());
            assertVictimUntouched();
            assertEquals(first, store.load("c"));
            // A repairing check removes the link itself, never what it points to.
            CheckReport report = store.check(true);
            assertEquals(CheckReport.Kind.STALE_TEMP, report.findings().get(0).kind());
            assertVictimUntouched();
            assertEquals(2, store.save(plusRound(first)).revision());
        }
    }

    @Test
    void aLinkPlantedAtTheStateFileIsNeitherReadNorWrittenThrough() throws IOException {
        try (ConversationStore store = ConversationStore.open(root)) {
            store.save(plusRound(Conversation.empty("other")));
            Path state = store.stateFile("c");
            Files.createSymbolicLink(state, victim);
            CorruptStateException e = assertThrows(CorruptStateException.class,
                    () -> store.load("c"));
            assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
            assertThrows(CorruptStateException.class,
                    () -> store.save(plusRound(Conversation.empty("c"))));
            assertThrows(CorruptStateException.class, () -> store.update("c", c -> c));
            assertThrows(CorruptStateException.class, () -> store.delete("c"));
            assertEquals(List.of("other"), store.list().stream()
                    .map(s -> s.convId()).toList());
            assertVictimUntouched();
            // Repair renames the link itself aside; then the id starts empty.
            CheckReport report = store.check(true);
            assertEquals(CheckReport.Action.QUARANTINED, report.findings().get(0).action());
            assertTrue(Files.isSymbolicLink(report.findings().get(0).movedTo().orElseThrow()));
            assertEquals(1, store.save(plusRound(Conversation.empty("c"))).revision());
            assertVictimUntouched();
        }
    }

    @Test
    void aLinkPlantedAtTheArchiveIsNeitherAppendedToNorRead() throws IOException {
        try (ConversationStore store = ConversationStore.open(root)) {
            store.save(plusRound(Conversation.empty("c")));
            Files.createSymbolicLink(store.archiveFile("c"), victim);
            // Refused before it is opened, by both: a link is not a regular file.
            CorruptStateException append = assertThrows(CorruptStateException.class,
                    () -> store.appendArchive("c", List.of(new Round(1, "u", "a", T))));
            assertEquals(CorruptStateException.Reason.NOT_A_REGULAR_FILE, append.reason());
            assertEquals(store.archiveFile("c"), append.file());
            CorruptStateException read = assertThrows(CorruptStateException.class, () -> {
                try (Stream<Round> rounds = store.archive("c")) {
                    rounds.count();
                }
            });
            assertEquals(CorruptStateException.Reason.NOT_A_REGULAR_FILE, read.reason());
            assertTrue(read.getMessage().contains("a symbolic link"), read.getMessage());
            assertVictimUntouched();
        }
    }

    @Test
    void aLinkPlantedAtTheLockFileIsNeverOpened() throws IOException {
        try (ConversationStore store = ConversationStore.open(root)) {
            store.save(plusRound(Conversation.empty("other")));
            Files.createSymbolicLink(root.resolve("sm/conversation-c.lock"), victim);
            CorruptStateException e = assertThrows(CorruptStateException.class,
                    () -> store.update("c", c -> plusRound(c)));
            assertEquals(CorruptStateException.Reason.NOT_A_REGULAR_FILE, e.reason());
            assertTrue(e.getMessage().startsWith("unusable lock file "), e.getMessage());
            assertVictimUntouched();
            assertFalse(Files.exists(store.stateFile("c")));
        }
    }

    @Test
    void aDanglingLinkPlantedAtTheLockFileCreatesNothingWhereItPoints() throws IOException {
        Path nowhere = top.resolve("created-through-link");
        try (ConversationStore store = ConversationStore.open(root)) {
            store.save(plusRound(Conversation.empty("other")));
            Files.createSymbolicLink(root.resolve("sm/conversation-c.lock"), nowhere);
            assertThrows(CorruptStateException.class,
                    () -> store.update("c", c -> plusRound(c)));
            Files.createSymbolicLink(store.archiveFile("d"), nowhere);
            assertThrows(CorruptStateException.class,
                    () -> store.appendArchive("d", List.of(new Round(1, "u", "a", T))));
            assertFalse(Files.exists(nowhere));
        }
    }

    @Test
    void aLinkPlantedAtSmIsRefusedAndNothingIsWrittenWhereItPoints() throws IOException {
        Path elsewhere = top.resolve("elsewhere");
        Files.createDirectories(elsewhere);
        Files.createDirectories(root);
        Files.createSymbolicLink(root.resolve("sm"), elsewhere);
        try (ConversationStore store = ConversationStore.open(root)) {
            StoreIOException e = assertThrows(StoreIOException.class,
                    () -> store.save(plusRound(Conversation.empty("c"))));
            assertEquals(Step.CREATE_DIRECTORY, e.step());
        }
        try (Stream<Path> files = Files.list(elsewhere)) {
            assertEquals(0, files.count());
        }
    }

    @Test
    void everyReadThroughALinkAtSmIsRefusedNotAnsweredAsNeverStored() throws IOException {
        Path real = top.resolve("real");
        try (ConversationStore store = ConversationStore.open(real)) {
            store.save(plusRound(Conversation.empty("c")));
            store.appendArchive("c", List.of(new Round(1, "u", "a", T)));
        }
        Files.createDirectories(root);
        Files.createSymbolicLink(root.resolve("sm"), real.resolve("sm"));
        try (ConversationStore store = ConversationStore.open(root)) {
            List<org.junit.jupiter.api.function.Executable> reads = List.of(
                    () -> store.load("c"), () -> store.isStored("c"), () -> store.archive("c"),
                    store::list, store::listing, () -> store.check(false),
                    () -> store.delete("c"));
            for (org.junit.jupiter.api.function.Executable read : reads) {
                StoreIOException e = assertThrows(StoreIOException.class, read);
                assertEquals(root.resolve("sm"), e.file());
                assertTrue(e.getMessage().contains("not a directory but a symbolic link"),
                        e.getMessage());
            }
        }
        try (ConversationStore store = ConversationStore.open(real)) {
            assertEquals(1, store.load("c").revision(), "nothing was deleted through the link");
        }
    }
}
