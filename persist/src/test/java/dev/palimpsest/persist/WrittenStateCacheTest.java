package dev.palimpsest.persist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.palimpsest.core.Conversation;
import dev.palimpsest.core.Round;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store keeps the state files it wrote last ({@link StoreOptions#stateCacheBytes()}) so that
 * it need not read them back whole; these tests show that whatever anybody else did to a file
 * since is still seen.
 */
class WrittenStateCacheTest {
    private static final String ID = "cached";

    @TempDir
    Path root;

    private static ConversationStore open(Path root, long cacheBytes) {
        return ConversationStore.open(StoreOptions.builder(root).stateCacheBytes(cacheBytes)
                .build());
    }

    @Test
    void theFileAStoreWroteLastIsKnownWithoutParsingItAgain() {
        try (ConversationStore store = ConversationStore.open(root)) {
            Conversation saved = store.save(ConversationStoreTest.withRounds(
                    Conversation.empty(ID), 20));
            assertSame(saved, store.load(ID), "the state it wrote, not a parsed copy");
            Conversation updated = store.update(ID, c -> plusRound(c));
            assertSame(updated, store.load(ID));
        }
    }

    @Test
    void withoutACacheEveryLoadParsesTheFile() {
        try (ConversationStore store = open(root, 0)) {
            Conversation saved = store.save(ConversationStoreTest.withRounds(
                    Conversation.empty(ID), 20));
            Conversation loaded = store.load(ID);
            assertNotSame(saved, loaded);
            assertEquals(saved, loaded);
            assertEquals(saved.revision() + 1, store.update(ID, c -> plusRound(c)).revision());
        }
    }

    @Test
    void aWriteByAnotherStoreIsSeenEvenWhenTheFileKeepsItsSize() {
        try (ConversationStore mine = ConversationStore.open(root);
             ConversationStore theirs = ConversationStore.open(root)) {
            Conversation saved = mine.save(ConversationStoreTest.withRounds(
                    Conversation.empty(ID), 5));
            // Revision 1 to 2: same length, same bytes but for one digit.
            Conversation theirSave = theirs.save(saved);
            assertEquals(2, theirSave.revision());
            assertEquals(Files.size(mine.stateFile(ID)), Files.size(theirs.stateFile(ID)));
            assertEquals(theirSave, mine.load(ID));
            assertThrows(ConflictException.class, () -> mine.save(saved));
            Conversation updated = mine.update(ID, c -> plusRound(c));
            assertEquals(3, updated.revision());
            assertEquals(6, updated.recentRounds().size());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aWriteByAnotherStoreIsSeenWhenTheIdAloneFillsTheFirstKibibyte() {
        // 1,024 bytes of id, escaped to six bytes each: the header reaches far past 1 KiB.
        String id = "\u0001".repeat(1024);
        try (ConversationStore mine = ConversationStore.open(root);
             ConversationStore theirs = ConversationStore.open(root)) {
            Conversation saved = mine.save(ConversationStoreTest.withRounds(
                    Conversation.empty(id), 3));
            Conversation theirSave = theirs.save(saved);
            assertEquals(theirSave, mine.load(id));
            assertEquals(3, mine.update(id, c -> plusRound(c)).revision());
        }
    }

    @Test
    void anUpdateByAnotherStoreIsNotLost() {
        try (ConversationStore mine = ConversationStore.open(root);
             ConversationStore theirs = ConversationStore.open(root)) {
            mine.save(ConversationStoreTest.withRounds(Conversation.empty(ID), 3));
            theirs.update(ID, c -> plusRound(c));
            Conversation after = mine.update(ID, c -> plusRound(c));
            assertEquals(5, after.recentRounds().size(), "their round and mine");
            assertEquals(after, theirs.load(ID));
        }
    }

    @Test
    void aBodyChangedInPlaceWithItsSizeAndModificationTimeKeptIsSeen() throws IOException {
        try (ConversationStore store = ConversationStore.open(root)) {
            store.save(ConversationStoreTest.withRounds(Conversation.empty(ID), 5));
            Path file = store.stateFile(ID);
            FileTime modified = Files.getLastModifiedTime(file);
            String json = Files.readString(file, StandardCharsets.UTF_8);
            String last = store.load(ID).recentRounds().get(4).assistant();
            String changed = last.substring(0, last.length() - 1) + "!";
            byte[] edited = json.replace(last, changed).getBytes(StandardCharsets.UTF_8);
            assertEquals(Files.size(file), edited.length);
            // Written in place, not renamed: same inode, same size, and the old mtime put back.
            Files.write(file, edited);
            Files.setLastModifiedTime(file, modified);

            assertEquals(changed, store.load(ID).recentRounds().get(4).assistant());
        }
    }

    @Test
    void aFileRenamedOverTheStoresWithTheSameSizeAndTimesIsSeen() throws IOException {
        try (ConversationStore store = ConversationStore.open(root)) {
            store.save(ConversationStoreTest.withRounds(Conversation.empty(ID), 5));
            Path file = store.stateFile(ID);
            String json = Files.readString(file, StandardCharsets.UTF_8);
            String first = store.load(ID).recentRounds().get(0).user();
            String changed = "?" + first.substring(1);
            Path other = file.resolveSibling("planted.json.part");
            Files.writeString(other, json.replace(first, changed), StandardCharsets.UTF_8);
            Files.setLastModifiedTime(other, Files.getLastModifiedTime(file));
            Files.move(other, file, StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);

            assertEquals(changed, store.load(ID).recentRounds().get(0).user());
        }
    }

    @Test
    void aDamagedBodyIsStillRefusedAfterTheStoreWroteTheFile() throws IOException {
        try (ConversationStore store = ConversationStore.open(root)) {
            Conversation saved = store.save(ConversationStoreTest.withRounds(
                    Conversation.empty(ID), 5));
            Path file = store.stateFile(ID);
            byte[] bytes = Files.readAllBytes(file);
            FileTime modified = Files.getLastModifiedTime(file);
            // Same size, header intact, a quote in the body gone: no longer JSON.
            int quote = new String(bytes, StandardCharsets.UTF_8).lastIndexOf("\"assistant\"");
            bytes[quote] = ' ';
            Files.write(file, bytes);
            Files.setLastModifiedTime(file, modified);

            CorruptStateException e = assertThrows(CorruptStateException.class,
                    () -> store.save(plusRound(saved)));
            assertEquals(CorruptStateException.Reason.MALFORMED, e.reason());
            assertThrows(CorruptStateException.class, () -> store.load(ID));
        }
    }

    @Test
    void aDeletedAndRecreatedConversationStartsFromWhatIsOnDisk() {
        try (ConversationStore mine = ConversationStore.open(root);
             ConversationStore theirs = ConversationStore.open(root)) {
            mine.save(ConversationStoreTest.withRounds(Conversation.empty(ID), 2));
            assertTrue(theirs.delete(ID));
            theirs.save(ConversationStoreTest.withRounds(Conversation.empty(ID), 1));
            Conversation now = mine.load(ID);
            assertEquals(1, now.revision());
            assertEquals(1, now.recentRounds().size());
        }
    }

    @Test
    void aNegativeBudgetIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StoreOptions.builder(root).stateCacheBytes(-1).build());
        assertTrue(e.getMessage().contains("stateCacheBytes"), e.getMessage());
    }

    private static Conversation plusRound(Conversation c) {
        Round r = ConversationStoreTest.round(c.nextSeq());
        return c.withRoundAppended(r, r.createdAt());
    }
}
